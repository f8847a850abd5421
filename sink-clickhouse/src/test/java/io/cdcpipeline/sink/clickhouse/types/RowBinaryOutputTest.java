package io.cdcpipeline.sink.clickhouse.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class RowBinaryOutputTest {

    @Test
    void lengthsAreUnsignedLeb128() {
        RowBinaryOutput out = new RowBinaryOutput(4);
        out.writeVarUInt(0);
        out.writeVarUInt(127);
        out.writeVarUInt(128);
        out.writeVarUInt(300);
        assertThat(out.toByteArray()).containsExactly(0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02);
        RowBinaryInput in = new RowBinaryInput(out.toByteArray());
        assertThat(new long[] {in.readVarUInt(), in.readVarUInt(), in.readVarUInt(), in.readVarUInt()})
                .containsExactly(0, 127, 128, 300);
    }

    @Test
    void numbersAreLittleEndianAndWideIntegersSignExtended() {
        RowBinaryOutput out = new RowBinaryOutput(1);
        out.writeInt(0x01020304);
        out.writeBigInteger(BigInteger.valueOf(-2), 16);
        byte[] bytes = out.toByteArray();
        assertThat(bytes).startsWith(0x04, 0x03, 0x02, 0x01);
        assertThat(bytes[4]).isEqualTo((byte) 0xFE);
        for (int i = 5; i < 20; i++) {
            assertThat(bytes[i]).as("byte %d", i).isEqualTo((byte) 0xFF);
        }
    }

    @Test
    void stringsAreUtf8WithTheirByteLength() {
        RowBinaryOutput out = new RowBinaryOutput(1);
        out.writeString("ü");
        assertThat(out.toByteArray()).containsExactly(2, 0xC3, 0xBC);
    }
}
