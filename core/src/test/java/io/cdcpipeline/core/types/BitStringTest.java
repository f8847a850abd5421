package io.cdcpipeline.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BitStringTest {

    @Test
    void bitOfADeclaredLengthKeepsItsLeadingZeros() {
        assertThat(BitString.text(new byte[] {1}, "8")).isEqualTo("00000001");
        assertThat(BitString.text(new byte[] {(byte) 0xA5}, "8")).isEqualTo("10100101");
    }

    @Test
    void bytesArriveLittleEndian() {
        // 0b1_00000010 = 258 as little-endian bytes {0x02, 0x01}
        assertThat(BitString.text(new byte[] {2, 1}, "12")).isEqualTo("000100000010");
    }

    @Test
    void unboundedVarbitHasNoLengthToPadTo() {
        assertThat(BitString.text(new byte[] {3}, String.valueOf(Integer.MAX_VALUE))).isEqualTo("11");
        assertThat(BitString.text(new byte[] {0}, null)).isEqualTo("0");
    }
}
