package io.cdcpipeline.core.consistency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A short digest of a row's canonical values (the first 12 bytes of SHA-256, as hex): equal rows, equal hashes. */
final class RowHash {

    private RowHash() {
    }

    static String of(String canonicalRow) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalRow.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
