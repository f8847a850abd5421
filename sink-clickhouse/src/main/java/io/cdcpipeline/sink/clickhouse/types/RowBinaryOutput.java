package io.cdcpipeline.sink.clickhouse.types;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer that writes values the way ClickHouse's {@code RowBinary} format reads them: fixed-width
 * numbers little-endian, strings and arrays prefixed by an unsigned LEB128 length.
 */
public final class RowBinaryOutput {

    private byte[] buffer;
    private int size;

    public RowBinaryOutput(int initialCapacity) {
        buffer = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    public void reset() {
        size = 0;
    }

    public void writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
    }

    public void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    public void writeBytes(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buffer, size, length);
        size += length;
    }

    public void writeShort(int value) {
        ensure(2);
        buffer[size++] = (byte) value;
        buffer[size++] = (byte) (value >>> 8);
    }

    public void writeInt(int value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buffer[size++] = (byte) (value >>> (8 * i));
        }
    }

    public void writeLong(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buffer[size++] = (byte) (value >>> (8 * i));
        }
    }

    /** A two's-complement integer in {@code width} bytes, little-endian (Int128/Int256, wide decimals). */
    public void writeBigInteger(BigInteger value, int width) {
        byte[] bigEndian = value.toByteArray();
        if (bigEndian.length > width) {
            throw new IllegalArgumentException(value + " does not fit in " + width + " bytes");
        }
        ensure(width);
        byte sign = (byte) (value.signum() < 0 ? 0xFF : 0);
        for (int i = 0; i < width; i++) {
            int from = bigEndian.length - 1 - i;
            buffer[size++] = from >= 0 ? bigEndian[from] : sign;
        }
    }

    public void writeZeros(int count) {
        ensure(count);
        Arrays.fill(buffer, size, size + count, (byte) 0);
        size += count;
    }

    /** Unsigned LEB128, the length prefix of strings and arrays. */
    public void writeVarUInt(long value) {
        ensure(10);
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            buffer[size++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        buffer[size++] = (byte) rest;
    }

    public void writeString(String value) {
        writeBinaryString(value.getBytes(StandardCharsets.UTF_8));
    }

    public void writeBinaryString(byte[] value) {
        writeVarUInt(value.length);
        writeBytes(value);
    }

    /** Everything written, for an insert body. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, size);
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }
}
