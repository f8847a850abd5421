package io.cdcpipeline.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The baseline: what a hand-written loader does with typed values and nothing else, straight into RowBinary for
 * the same columns the sink writes (the sink's own table, so both paths fill identical tables).
 */
final class RawRowBinary {

    static final String COLUMNS = "(id, customer_id, amount, status, note, created_at, _cdc_version, _cdc_deleted, _cdc_source_ts)";

    /** Encodes for the legacy (18.16) column types: Decimal(12,2) as Int64, DateTime as UInt32 seconds. */
    static byte[] encode(List<OrderChanges.Row> rows, boolean dateTime64) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 80);
        for (OrderChanges.Row row : rows) {
            writeLong(out, row.id());
            writeInt(out, row.customerId());
            writeLong(out, row.amount().unscaledValue().longValue());
            writeString(out, row.status());
            if (row.note() == null) {
                out.write(1);
            } else {
                out.write(0);
                writeString(out, row.note());
            }
            writeTime(out, row.createdAt(), dateTime64);
            writeLong(out, row.lsn() * 2 + 1);
            out.write(0);
            writeTime(out, row.committed(), dateTime64);
        }
        return out.toByteArray();
    }

    private static void writeTime(ByteArrayOutputStream out, Instant t, boolean dateTime64) {
        if (dateTime64) {
            writeLong(out, t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000);
        } else {
            writeInt(out, (int) t.getEpochSecond());
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        while ((length & ~0x7F) != 0) {
            out.write((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.writeBytes(bytes);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    private RawRowBinary() {
    }
}
