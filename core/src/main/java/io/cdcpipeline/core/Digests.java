package io.cdcpipeline.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The one digest every engine of the pipeline shares (Postgres, ClickHouse 18.16 and later, Java): MD5. */
public final class Digests {

    /** One digest per thread: looking one up costs more than hashing a short row. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has MD5", e);
        }
    });

    private Digests() {
    }

    /** The MD5 of the bytes. */
    public static byte[] md5(byte[] bytes) {
        return MD5.get().digest(bytes);
    }

    /** The first 8 bytes of the MD5 of the bytes, big-endian, as a signed 64-bit integer. */
    public static long md5Prefix(byte[] bytes) {
        byte[] digest = md5(bytes);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (digest[i] & 0xff);
        }
        return value;
    }
}
