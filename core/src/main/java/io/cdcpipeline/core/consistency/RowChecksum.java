package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.Digests;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;

/**
 * The row checksum every side of a check computes the same way, in SQL where the data lives (Postgres here,
 * ClickHouse in its sink) or in Java for a copy the check reads itself:
 * <ul>
 * <li>the key text: per key column, its UTF-8 length, a colon and its text;</li>
 * <li>the row text: the key text, then per compared column a bar and the value in its {@link ChecksumForm};</li>
 * <li>a hash: the first 8 bytes of the MD5 of a text, big-endian, as a signed 64-bit integer (MD5 is the one digest
 *     Postgres, ClickHouse 18.16 and modern ClickHouse all have);</li>
 * <li>the key's bucket hash: a single integer key's own value, else the hash of the key text.</li>
 * </ul>
 * A bucket's checksum is the row count and the wrapping 64-bit sum of its rows' hashes: independent of row order, so
 * each side aggregates in parallel, and only buckets whose sums differ are read key by key.
 */
public final class RowChecksum {

    private RowChecksum() {
    }

    /** The key's bucket hash, from its text. */
    public static long bucketHash(List<String> key, KeyColumns columns) {
        return singleInteger(columns) ? Long.parseLong(key.get(0)) : md5(keyText(key));
    }

    /** The row's hash, from its key text and each column's value in its checksum form. */
    public static long rowHash(List<String> key, List<String> formTexts) {
        StringBuilder row = new StringBuilder(keyText(key));
        for (String value : formTexts) {
            row.append('|').append(value);
        }
        return md5(row.toString());
    }

    static String keyText(List<String> key) {
        StringBuilder text = new StringBuilder();
        for (String value : key) {
            text.append(utf8Length(value)).append(':').append(value);
        }
        return text.toString();
    }

    static boolean singleInteger(KeyColumns key) {
        return key.size() == 1 && key.numeric().get(0);
    }

    /** Bytes of a string in UTF-8, without encoding it. */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    static long md5(String text) {
        return Digests.md5Prefix(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Postgres SQL for the key's bucket hash. */
    static String postgresBucketHash(KeyColumns key) {
        return singleInteger(key) ? identifier(key.names().get(0)) + "::bigint" : postgresMd5(postgresKeyText(key));
    }

    /** Postgres SQL for the row's hash; {@code types} are the columns' {@code pg_type.typname}s. */
    static String postgresRowHash(KeyColumns key, List<String> columns, List<ChecksumForm> forms, List<String> types) {
        StringJoiner row = new StringJoiner(" || '|' || ");
        row.add(postgresKeyText(key));
        for (int i = 0; i < columns.size(); i++) {
            row.add("(" + forms.get(i).postgres(identifier(columns.get(i)), types.get(i)) + ")");
        }
        return postgresMd5(row.toString());
    }

    /** Postgres SQL for the key text. */
    static String postgresKeyText(KeyColumns key) {
        StringJoiner text = new StringJoiner(" || ");
        for (String column : key.names()) {
            String value = identifier(column) + "::text";
            text.add("octet_length(" + value + ")::text || ':' || " + value);
        }
        return text.toString();
    }

    private static String postgresMd5(String text) {
        return "('x' || left(md5(" + text + "), 16))::bit(64)::bigint";
    }

    static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
