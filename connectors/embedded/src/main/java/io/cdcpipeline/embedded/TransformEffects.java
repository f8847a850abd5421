package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.transforms.CaptureNewTables;
import io.cdcpipeline.transforms.CdcFilter;
import io.cdcpipeline.transforms.CdcNormalize;
import io.cdcpipeline.transforms.CdcRoute;
import io.cdcpipeline.transforms.ChangeCloudEvents;
import io.cdcpipeline.transforms.OutboxEvents;
import io.cdcpipeline.transforms.ProtectPii;
import io.cdcpipeline.transforms.SchemaChangeSignal;
import io.cdcpipeline.transforms.pii.ColumnPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What the transforms in front of a sink do to what {@code bin/cdc validate} compares, so that a difference they
 * make on purpose is never reported as drift: columns ProtectPii changes are not compared, and a table a transform
 * routes elsewhere or filters (or one of unknown effect touches) is not checked; each says why.
 */
final class TransformEffects {

    /** Transforms that change neither which rows reach a sink nor their values. */
    private static final Set<String> NEUTRAL = Set.of(CdcNormalize.class.getName(), SchemaChangeSignal.class.getName(),
            CaptureNewTables.class.getName(), "io.debezium.transforms.ExtractNewRecordState");

    /**
     * For one table and sink: columns not compared (with why), or why the table is not checked at all (else null),
     * and the table whose target in the copy holds its rows (itself, or where CdcRoute sends them).
     */
    record Effect(Map<String, String> skippedColumns, String notChecked, TableId copyTable) {

        static Effect notChecked(TableId table, String why) {
            return new Effect(Map.of(), why, table);
        }
    }

    private record Transform(String alias, String type, Map<String, String> config) {
    }

    private final List<Transform> transforms;

    private TransformEffects(List<Transform> transforms) {
        this.transforms = transforms;
    }

    /** The transforms a sink's records pass: the source's, then the sink's own. */
    static TransformEffects of(PipelineFile file, String sink) {
        List<Transform> transforms = new ArrayList<>(chain(file.source()));
        transforms.addAll(chain(file.sinks().get(sink)));
        return new TransformEffects(transforms);
    }

    private static List<Transform> chain(Map<String, String> config) {
        List<Transform> chain = new ArrayList<>();
        String aliases = config.getOrDefault("transforms", "");
        for (String alias : aliases.split(",")) {
            if (alias.isBlank()) {
                continue;
            }
            String prefix = "transforms." + alias.trim() + ".";
            Map<String, String> own = new LinkedHashMap<>();
            config.forEach((key, value) -> {
                if (key.startsWith(prefix)) {
                    own.put(key.substring(prefix.length()), value);
                }
            });
            chain.add(new Transform(alias.trim(), own.getOrDefault("type", ""), own));
        }
        return chain;
    }

    /**
     * @param table    the source table checked
     * @param columns  its columns
     * @param captured every table the pipeline captures (a route that merges two of them into one target makes the
     *                 target's rows no longer one table's)
     */
    Effect on(TableId table, List<String> columns, List<TableId> captured) {
        Map<String, String> skipped = new LinkedHashMap<>();
        TableId routed = table;
        for (Transform t : transforms) {
            String type = t.type().replaceFirst("\\$(Key|Value)$", "");
            String who = t.alias() + " (" + type.substring(type.lastIndexOf('.') + 1) + ")";
            if (NEUTRAL.contains(type)) {
                continue;
            }
            if (type.equals(CdcRoute.class.getName())) {
                try {
                    routed = route(t, routed);
                } catch (RuntimeException e) {
                    return Effect.notChecked(table, "transform " + who + " " + e.getMessage());
                }
            } else if (type.equals(OutboxEvents.class.getName()) || type.equals(ChangeCloudEvents.class.getName())) {
                // The tables they match become events in tables of their own, with no table in Postgres to compare
                // with; every other table passes them unchanged.
                String regex = t.config().getOrDefault(OutboxEvents.TABLE_REGEX, type.equals(OutboxEvents.class
                        .getName()) ? (String) OutboxEvents.CONFIG_DEF.defaultValues().get(OutboxEvents.TABLE_REGEX) : "");
                try {
                    if (!Pattern.compile(regex).matcher(routed.toString()).matches()) {
                        continue;
                    }
                } catch (PatternSyntaxException e) {
                    return Effect.notChecked(table, "transform " + who + " has no valid table.regex");
                }
                return Effect.notChecked(table, "transform " + who + " turns its changes into events, kept in event "
                        + "tables that have no table in Postgres to compare with");
            } else if (type.equals(CdcFilter.class.getName())) {
                return Effect.notChecked(table, "transform " + who + " keeps only some changes");
            } else if (type.equals(ProtectPii.class.getName())) {
                if (!t.config().getOrDefault(ProtectPii.LABELS, "").isBlank()
                        || !t.config().getOrDefault(ProtectPii.CLASSIFICATION, "").isBlank()) {
                    return Effect.notChecked(table, "transform " + who + " protects columns by classification labels");
                }
                for (String rule : t.config().getOrDefault(ProtectPii.COLUMNS, "").split(",")) {
                    int eq = rule.lastIndexOf('=');
                    if (eq <= 0 || rule.substring(eq + 1).trim().equals("keep")) {
                        continue;
                    }
                    ColumnPattern pattern = ColumnPattern.parse(rule.substring(0, eq));
                    for (String column : columns) {
                        if (pattern.matches(table, column)) {
                            skipped.putIfAbsent(column, who + ": " + rule.substring(eq + 1).trim());
                        }
                    }
                }
            } else {
                return Effect.notChecked(table, "transform " + who + " may change rows in ways validate cannot follow");
            }
        }
        if (!routed.equals(table)) {
            for (TableId other : captured) {
                if (!other.equals(table) && routed.equals(routedTable(other))) {
                    return Effect.notChecked(table, "routed into " + routed + " together with " + other
                            + " (a target several tables share is not one table's copy)");
                }
            }
        }
        return new Effect(skipped, null, routed);
    }

    /** Where the routes of the chain send every change of {@code table} (itself when none matches). */
    private TableId routedTable(TableId table) {
        TableId routed = table;
        for (Transform t : transforms) {
            if (t.type().replaceFirst("\\$(Key|Value)$", "").equals(CdcRoute.class.getName())) {
                try {
                    routed = route(t, routed);
                } catch (RuntimeException e) {
                    return null;
                }
            }
        }
        return routed;
    }

    private static TableId route(Transform t, TableId table) {
        try (CdcRoute<SinkRecord> route = new CdcRoute<>()) {
            route.configure(t.config());
            return route.targetOf(table).orElse(table);
        }
    }
}
