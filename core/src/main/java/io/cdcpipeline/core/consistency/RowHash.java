package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.Digests;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A digest of a row's canonical values (MD5 as hex: fast, and collisions between a row and its drifted self are not
 * a concern here): equal rows, equal hashes.
 */
final class RowHash {

    private RowHash() {
    }

    static String of(String canonicalRow) {
        return HexFormat.of().formatHex(Digests.md5(canonicalRow.getBytes(StandardCharsets.UTF_8)));
    }
}
