package io.cdcpipeline.embedded;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.consistency.TargetRows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code bin/cdc validate} shows a result: a few lines of text, or a JSON object. */
final class ValidationReport {

    private ValidationReport() {
    }

    static String text(CopyCheck.Result r, int sample) {
        StringBuilder out = new StringBuilder();
        out.append(r.table()).append(" -> ").append(r.sink()).append(' ')
                .append(r.target() == null ? "(no target)" : r.target()).append(": ");
        switch (r.status()) {
            case EQUAL -> out.append("equal (").append(Math.max(0, r.sourceRows())).append(" rows")
                    .append(r.comparedBy().isEmpty() ? "" : ", by " + r.comparedBy()).append(')');
            case NOT_CHECKED -> out.append("NOT CHECKED: ").append(r.note());
            case DRIFT -> out.append("DRIFT: Postgres ").append(r.sourceRows()).append(" rows, copy ")
                    .append(r.targetRows()).append(" live; ").append(r.missingTotal()).append(" missing, ")
                    .append(r.extraTotal()).append(" extra, ").append(r.differingTotal()).append(" with other values");
        }
        out.append('\n');
        if (r.status() == CopyCheck.Status.DRIFT) {
            appendKeys(out, "missing", r.missingTotal(), r.missing(), sample);
            appendKeys(out, "extra", r.extraTotal(), keys(r.extra()), sample);
            if (r.differingTotal() > 0) {
                out.append("  keys with other values (").append(r.differingTotal())
                        .append(r.differingTotal() > sample ? ", first " + sample : "").append("):\n");
                for (CopyCheck.Difference d : r.differing().subList(0, Math.min(sample, r.differing().size()))) {
                    out.append("    ").append(keyText(d.key())).append(": ");
                    List<String> columns = new ArrayList<>();
                    for (CopyCheck.ColumnDifference c : d.columns()) {
                        columns.add(c.column() + " Postgres " + shorten(c.source()) + ", copy " + shorten(c.copy()));
                    }
                    out.append(String.join("; ", columns)).append('\n');
                }
            }
            if (!r.note().isEmpty()) {
                out.append("  note: ").append(r.note()).append('\n');
            }
            out.append("  compared by: ").append(r.comparedBy()).append('\n');
        }
        if (!r.notCompared().isEmpty()) {
            out.append("  values not compared: ").append(String.join(", ", r.notCompared())).append('\n');
        }
        return out.toString();
    }

    private static String keyText(List<String> key) {
        return key.size() == 1 ? key.get(0) : key.toString();
    }

    /** A value as shown: quoted, at most 60 characters. */
    static String shorten(String value) {
        if (value == null) {
            return "NULL";
        }
        return "'" + (value.length() <= 60 ? value : value.substring(0, 57) + "...") + "'";
    }

    private static void appendKeys(StringBuilder out, String kind, long total, List<List<String>> keys, int sample) {
        if (total == 0) {
            return;
        }
        out.append("  ").append(kind).append(" keys (").append(total).append(total > sample ? ", first " + sample : "")
                .append("): ");
        List<String> shown = new ArrayList<>();
        for (List<String> key : keys.subList(0, Math.min(sample, keys.size()))) {
            shown.add(keyText(key));
        }
        out.append(String.join(", ", shown)).append('\n');
    }

    /** The result as a JSON object (a mutable map, so the command can add what it knows besides). */
    static Map<String, Object> toJson(CopyCheck.Result r, int sample) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("table", r.table().toString());
        json.put("sink", r.sink());
        json.put("target", r.target());
        json.put("status", r.status().name().toLowerCase());
        json.put("key_columns", r.key() == null ? null : r.key().names());
        json.put("source_rows", r.sourceRows());
        json.put("target_rows", r.targetRows());
        json.put("missing_total", r.missingTotal());
        json.put("missing_sample", r.missing().subList(0, Math.min(sample, r.missing().size())));
        json.put("extra_total", r.extraTotal());
        List<List<String>> extra = keys(r.extra());
        json.put("extra_sample", extra.subList(0, Math.min(sample, extra.size())));
        json.put("differing_total", r.differingTotal());
        List<Map<String, Object>> differing = new ArrayList<>();
        for (CopyCheck.Difference d : r.differing().subList(0, Math.min(sample, r.differing().size()))) {
            List<Map<String, Object>> columns = new ArrayList<>();
            for (CopyCheck.ColumnDifference c : d.columns()) {
                Map<String, Object> column = new LinkedHashMap<>();
                column.put("column", c.column());
                column.put("postgres", c.source() == null ? null : shorten(c.source()));
                column.put("copy", c.copy() == null ? null : shorten(c.copy()));
                columns.add(column);
            }
            differing.add(Map.of("key", d.key(), "columns", columns));
        }
        json.put("differing_sample", differing);
        json.put("not_compared", r.notCompared());
        json.put("note", r.note());
        json.put("compared_by", r.comparedBy());
        json.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
        return json;
    }

    private static List<List<String>> keys(List<TargetRows.Row> rows) {
        List<List<String>> keys = new ArrayList<>(rows.size());
        rows.forEach(row -> keys.add(row.key()));
        return keys;
    }
}
