package io.cdcpipeline.sink.clickhouse;

import java.util.Arrays;

/** A row's primary key as its encoded bytes: equal keys encode equally under the same column types. */
record ByteKey(byte[] bytes) {

    @Override
    public boolean equals(Object other) {
        return other instanceof ByteKey key && Arrays.equals(bytes, key.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "ByteKey" + Arrays.toString(bytes);
    }
}
