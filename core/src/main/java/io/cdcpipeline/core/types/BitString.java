package io.cdcpipeline.core.types;

import java.math.BigInteger;

/**
 * Postgres {@code bit(n)} and {@code varbit} as text of 0s and 1s, the way Postgres prints them. Debezium sends the
 * bits as a number in little-endian bytes, with the declared length as the {@code length} schema parameter: a
 * {@code bit(n)} comes back with its leading zeros; a {@code varbit} (length unbounded) cannot, since the number does
 * not say how many there were.
 */
public final class BitString {

    /** The length parameter of a {@code varbit}: no declared length. */
    private static final int UNBOUNDED = Integer.MAX_VALUE;

    private BitString() {
    }

    public static String text(byte[] littleEndian, String lengthParameter) {
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        String bits = new BigInteger(1, bigEndian).toString(2);
        int length = lengthParameter == null ? UNBOUNDED : Integer.parseInt(lengthParameter);
        if (length == UNBOUNDED || bits.length() >= length) {
            return bits;
        }
        return "0".repeat(length - bits.length()) + bits;
    }
}
