package io.cdcpipeline.transforms.pii;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * HMAC-SHA-256 of a column value, as lowercase hex. The same key and value give the same hash in every table, run
 * and restart, so hashed columns still join; without the key nobody can test guesses against the hashes.
 * The keyed SHA-256 states are computed once (RFC 2104, section 4), which halves the cost per value.
 * Values are hashed in a canonical text form: strings as UTF-8 (optionally trimmed and lower-cased), numbers by their
 * plain decimal spelling without trailing zeros (an int 7, a bigint 7 and a numeric 7.00 hash alike), bytes as they
 * are.
 */
public final class Hmac {

    public static final int MIN_KEY_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private static final int BLOCK = 64;

    private final boolean normalise;
    /** SHA-256 states after the key XOR ipad and XOR opad blocks, cloned per hash (RFC 2104's precomputation). */
    private final MessageDigest inner;
    private final MessageDigest outer;

    public Hmac(byte[] key, boolean trimAndLowerCase) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the hash key has " + key.length + " bytes; at least " + MIN_KEY_BYTES
                    + " are needed (32 random bytes recommended)");
        }
        this.normalise = trimAndLowerCase;
        try {
            byte[] block = new byte[BLOCK];
            byte[] k = key.length > BLOCK ? MessageDigest.getInstance("SHA-256").digest(key) : key;
            System.arraycopy(k, 0, block, 0, k.length);
            byte[] ipad = new byte[BLOCK];
            byte[] opad = new byte[BLOCK];
            for (int i = 0; i < BLOCK; i++) {
                ipad[i] = (byte) (block[i] ^ 0x36);
                opad[i] = (byte) (block[i] ^ 0x5c);
            }
            inner = MessageDigest.getInstance("SHA-256");
            inner.update(ipad);
            outer = MessageDigest.getInstance("SHA-256");
            outer.update(opad);
            inner.clone(); // fails now, not per record, if this provider's digests cannot be cloned
        } catch (GeneralSecurityException | CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 is not available (or not cloneable) in this JVM", e);
        }
    }

    public String hash(Object value) {
        try {
            MessageDigest in = (MessageDigest) inner.clone();
            byte[] innerHash = in.digest(canonical(value));
            MessageDigest out = (MessageDigest) outer.clone();
            return HEX.formatHex(out.digest(innerHash));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests stopped being cloneable", e);
        }
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
