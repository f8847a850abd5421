package io.cdcpipeline.sink.clickhouse.types;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads {@code RowBinary} output value by value, to copy a stored value back as the exact bytes it was written as. */
public final class RowBinaryInput {

    private final ByteBuffer in;

    public RowBinaryInput(byte[] data) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    public boolean hasMore() {
        return in.hasRemaining();
    }

    public int position() {
        return in.position();
    }

    public int readUnsignedByte() {
        return in.get() & 0xFF;
    }

    public long readVarUInt() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("malformed length prefix in RowBinary data");
    }

    public void skip(int bytes) {
        in.position(in.position() + bytes);
    }

    /** The bytes from {@code from} up to the current position. */
    public byte[] slice(int from) {
        byte[] out = new byte[in.position() - from];
        in.get(from, out);
        return out;
    }
}
