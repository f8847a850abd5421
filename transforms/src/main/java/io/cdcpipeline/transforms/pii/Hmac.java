package io.cdcpipeline.transforms.pii;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA-256 of a column value, as lowercase hex. The same key and value give the same hash in every table, run
 * and restart, so hashed columns still join; without the key nobody can test guesses against the hashes.
 * Values are hashed in a canonical text form: strings as UTF-8 (optionally trimmed and lower-cased), numbers by their
 * plain decimal spelling without trailing zeros (an int 7, a bigint 7 and a numeric 7.00 hash alike), bytes as they
 * are.
 */
public final class Hmac {

    public static final int MIN_KEY_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    private final boolean normalise;
    private final ThreadLocal<Mac> macs;

    public Hmac(byte[] key, boolean trimAndLowerCase) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the hash key has " + key.length + " bytes; at least " + MIN_KEY_BYTES
                    + " are needed (32 random bytes recommended)");
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.normalise = trimAndLowerCase;
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    public String hash(Object value) {
        Mac mac = macs.get();
        return HEX.formatHex(mac.doFinal(canonical(value)));
    }

    private byte[] canonical(Object value) {
        if (value instanceof String s) {
            return (normalise ? s.strip().toLowerCase(Locale.ROOT) : s).getBytes(StandardCharsets.UTF_8);
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.signum() == 0 ? "0".getBytes(StandardCharsets.US_ASCII)
                    : decimal.stripTrailingZeros().toPlainString().getBytes(StandardCharsets.US_ASCII);
        }
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }
}
