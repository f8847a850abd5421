package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.consistency.BucketSums;
import io.cdcpipeline.core.consistency.Buckets;
import io.cdcpipeline.core.consistency.ChecksumForm;
import io.cdcpipeline.core.consistency.ColumnKind;
import io.cdcpipeline.core.consistency.KeyColumns;
import io.cdcpipeline.core.consistency.KeyDiff;
import io.cdcpipeline.core.consistency.TargetChecksums;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import io.cdcpipeline.sink.clickhouse.dialect.DateSpec;
import io.cdcpipeline.sink.clickhouse.dialect.DateTimeSpec;
import io.cdcpipeline.sink.clickhouse.dialect.LegacyDialect;
import io.cdcpipeline.sink.clickhouse.dialect.ModernDialect;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ClickHouse's side of a checksum comparison ({@link io.cdcpipeline.core.consistency.RowChecksum}), computed by the
 * server over the live rows ({@code FINAL}, not deleted) with functions ClickHouse 18.16 and 23.x+ both have: each
 * column's value in its {@link ChecksumForm}, the MD5 of the row text, summed per bucket of keys.
 */
final class ClickHouseChecksums implements TargetChecksums {

    private static final String BIT_AND = "bitAnd(%s, %s)";
    private static final String BUCKET_HASH = "_cdc_bucket_hash";
    private static final String ROW_HASH = "_cdc_row_hash";
    private static final Pattern DATE_TIME_64 = Pattern.compile("DateTime64\\((\\d+).*");
    private static final int BATCH = 10_000;
    private static final ClickHouseDialect MODERN = new ModernDialect();
    private static final ClickHouseDialect LEGACY = new LegacyDialect();

    private final ClickHouseConnection connection;
    private final TableManager tables;
    private final RetryBackoff backoff;
    private final RetryBackoff.Failures retries;

    ClickHouseChecksums(ClickHouseConnection connection, TableManager tables, RetryBackoff backoff,
            RetryBackoff.Failures retries) {
        this.connection = connection;
        this.tables = tables;
        this.backoff = backoff;
        this.retries = retries;
    }

    /**
     * The form of each column, from the type the sink gave it; null for a type not compared by checksum. A column
     * the table lacks (added in Postgres, no row written since) reads as NULL in every row, in any form.
     */
    @Override
    public List<ChecksumForm> checksumForms(String table, List<String> columns, List<ColumnKind> kinds) {
        Map<String, String> types = tables.columnsOf(table);
        List<ChecksumForm> forms = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            String type = types.get(columns.get(i));
            forms.add(type == null ? ChecksumForm.TEXT : form(kinds.get(i), ValueText.unwrapped(type)));
        }
        return forms;
    }

    /**
     * The form of a column of a ClickHouse type holding a Postgres column of a kind; dates and timestamps within the
     * range their type holds, as the sink clamps them.
     */
    static ChecksumForm form(ColumnKind kind, String type) {
        ChecksumForm form = unbounded(kind, type);
        if (form == null || (kind != ColumnKind.DATE && kind != ColumnKind.TIMESTAMP && kind != ColumnKind.TIMESTAMPTZ)) {
            return form;
        }
        if (kind == ColumnKind.DATE) {
            DateSpec date = type.equals("Date32") ? MODERN.date() : LEGACY.date();
            return form.within(date.min().toString(), date.max().toString());
        }
        Matcher precise = DATE_TIME_64.matcher(type);
        DateTimeSpec time = precise.matches() ? MODERN.dateTime(Integer.parseInt(precise.group(1))) : LEGACY.dateTime(0);
        return form.within(postgresLiteral(time.min()), postgresLiteral(time.max()));
    }

    /** Postgres keeps microseconds and would round a ninth digit up (2299-12-31 23:59:59.999999999 to 2300). */
    private static String postgresLiteral(LocalDateTime time) {
        return time.truncatedTo(ChronoUnit.MICROS).toString().replace('T', ' ');
    }

    private static ChecksumForm unbounded(ColumnKind kind, String type) {
        return switch (kind) {
            case INTEGER -> type.matches("U?Int\\d+") ? ChecksumForm.PLAIN : null;
            case BOOLEAN -> type.equals("UInt8") || type.equals("Bool") ? ChecksumForm.BOOLEAN : null;
            case TEXT, JSON -> type.equals("String") ? ChecksumForm.TEXT : null;
            case DECIMAL -> type.startsWith("Decimal") || type.equals("String") ? ChecksumForm.DECIMAL
                    : type.equals("Float64") ? ChecksumForm.FLOAT8 : null;
            case FLOAT4 -> type.equals("Float32") ? ChecksumForm.FLOAT4 : null;
            case FLOAT8 -> type.equals("Float64") ? ChecksumForm.FLOAT8 : null;
            case UUID -> type.equals("UUID") || type.equals("String") ? ChecksumForm.PLAIN : null;
            case DATE -> type.equals("Date") || type.equals("Date32") ? ChecksumForm.PLAIN : null;
            case TIMESTAMP, TIMESTAMPTZ -> {
                Matcher precise = DATE_TIME_64.matcher(type);
                yield precise.matches() ? ChecksumForm.timestamp(Integer.parseInt(precise.group(1)))
                        : type.startsWith("DateTime") ? ChecksumForm.timestamp(0) : null;
            }
        };
    }

    @Override
    public BucketSums bucketSums(String table, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets) {
        BucketSums sums = new BucketSums();
        if (tables.columnsOf(table).isEmpty()) {
            return sums;
        }
        String sql = "SELECT " + buckets.sqlBucket(BUCKET_HASH, BIT_AND) + " AS _cdc_bucket, count(), sum("
                + ROW_HASH + ") FROM (" + hashed(table, key, columns, forms, List.of()) + ") WHERE "
                + buckets.sqlFilter(BUCKET_HASH, BIT_AND) + " GROUP BY _cdc_bucket FORMAT TabSeparated";
        for (String[] row : backoff.call("checksums of " + table, () -> connection.queryRows(sql), retries)) {
            sums.put(Long.parseLong(row[0]), Long.parseLong(row[1]), Long.parseLong(row[2]));
        }
        return sums;
    }

    /** One streamed query; not retried: a failure midway is thrown. */
    @Override
    public void rowHashes(String table, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets, Consumer<List<KeyDiff.Keyed>> rows) {
        if (tables.columnsOf(table).isEmpty()) {
            return;
        }
        List<String> keyText = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            keyText.add("_cdc_key" + i);
        }
        String sql = "SELECT " + String.join(", ", keyText) + ", " + ROW_HASH + " FROM ("
                + hashed(table, key, columns, forms, keyText) + ") WHERE " + buckets.sqlFilter(BUCKET_HASH, BIT_AND)
                + " FORMAT TabSeparated";
        List<KeyDiff.Keyed> batch = new ArrayList<>(BATCH);
        connection.streamRows(sql, row -> {
            batch.add(new KeyDiff.Keyed(Arrays.asList(row).subList(0, key.size()),
                    Long.toHexString(Long.parseLong(row[key.size()]))));
            if (batch.size() == BATCH) {
                rows.accept(new ArrayList<>(batch));
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            rows.accept(batch);
        }
    }

    @Override
    public boolean sumsWhereDataLives() {
        return true;
    }

    /** The live rows as bucket hash and row hash (and the key as text, named {@code keyText}, when asked). */
    private String hashed(String table, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            List<String> keyText) {
        Map<String, String> present = tables.columnsOf(table);
        List<String> keyParts = new ArrayList<>();
        List<String> select = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            String text = "toString(" + SqlText.identifier(key.names().get(i)) + ")";
            keyParts.add("toString(length(" + text + "))");
            keyParts.add("':'");
            keyParts.add(text);
            if (!keyText.isEmpty()) {
                select.add(text + " AS " + keyText.get(i));
            }
        }
        List<String> rowParts = new ArrayList<>(keyParts);
        for (int i = 0; i < columns.size(); i++) {
            rowParts.add("'|'");
            String column = columns.get(i);
            rowParts.add(!present.containsKey(column) ? "'" + ChecksumForm.NULL + "'" : "ifNull("
                    + expression(forms.get(i), SqlText.identifier(column), present.get(column)) + ", '"
                    + ChecksumForm.NULL + "')");
        }
        String bucketHash = key.size() == 1 && key.numeric().get(0)
                ? "toInt64(" + SqlText.identifier(key.names().get(0)) + ")" : md5("concat(" + String.join(", ", keyParts)
                        + ")");
        select.add(bucketHash + " AS " + BUCKET_HASH);
        select.add(md5("concat(" + String.join(", ", rowParts) + ")") + " AS " + ROW_HASH);
        return "SELECT " + String.join(", ", select) + " FROM " + table + " FINAL WHERE " + CdcColumns.DELETED + " = 0";
    }

    private static String md5(String text) {
        return "reinterpretAsInt64(reverse(substring(MD5(" + text + "), 1, 8)))";
    }

    /** A column's value in its form, in ClickHouse SQL (NULL for NULL); {@code type} is the column's type. */
    static String expression(ChecksumForm form, String column, String type) {
        return switch (form.kind()) {
            case PLAIN, TIMESTAMP -> ValueText.of(column, type);
            case TEXT -> "concat(toString(length(" + column + ")), ':', " + column + ")";
            case BOOLEAN -> "toString(toUInt8(" + column + "))";
            case DECIMAL -> {
                String text = "toString(" + column + ")";
                // 18.16 prints a Decimal's trailing zeros, 23.x+ does not: both lose them here.
                yield "if(position(" + text + ", '.') > 0, replaceRegexpOne(" + text + ", '\\\\.?0+$', ''), " + text
                        + ")";
            }
            case FLOAT4 -> "if(isNaN(" + column + "), 'nan', toString(reinterpretAsInt32(reinterpretAsString(" + column
                    + "))))";
            case FLOAT8 -> "if(isNaN(" + column + "), 'nan', toString(reinterpretAsInt64(reinterpretAsString(" + column
                    + "))))";
        };
    }
}
