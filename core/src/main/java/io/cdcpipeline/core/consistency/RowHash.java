package io.cdcpipeline.core.consistency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of a row's canonical values (MD5 as hex: fast, and collisions between a row and its drifted self are not
 * a concern here): equal rows, equal hashes.
 */
final class RowHash {

    private RowHash() {
    }

    static String of(String canonicalRow) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(canonicalRow.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has MD5", e);
        }
    }
}
