package io.cdcpipeline.transforms.pii;

import io.cdcpipeline.core.TableId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Which action applies to a column. Column rules ({@code <schema>.<table>.<column>=<action>}) are tried first, in
 * the order given; then the column's classification label (first matching classification entry) and the action for
 * that label; a column neither names is kept. Parsing checks everything that can be checked without the source:
 * patterns, actions, labels without an action and actions for labels nothing is classified as.
 */
public final class PiiRules {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_-]+");

    public record ColumnRule(ColumnPattern pattern, PiiAction action) {
        @Override
        public String toString() {
            return pattern + "=" + action;
        }
    }

    public record Classification(ColumnPattern pattern, String label, String origin) {
    }

    /** An action and why it applies, for error messages and logs. */
    public record Decision(PiiAction action, String because) {
    }

    private static final Decision KEEP = new Decision(new PiiAction(PiiAction.Kind.KEEP, null), "no rule");

    private final List<ColumnRule> columnRules;
    private final List<Classification> classifications;
    private final Map<String, PiiAction> labelActions;
    private final Map<String, Map<String, Decision>> decisions = new ConcurrentHashMap<>();

    private PiiRules(List<ColumnRule> columnRules, List<Classification> classifications,
            Map<String, PiiAction> labelActions) {
        this.columnRules = columnRules;
        this.classifications = classifications;
        this.labelActions = labelActions;
    }

    /**
     * Builds the rules from their config entries; an {@link IllegalArgumentException} names the entry at fault.
     *
     * @param columnEntries         {@code pattern=action} entries
     * @param labelEntries          {@code label=action} entries
     * @param classificationEntries {@code pattern=label} entries given inline
     * @param classificationFile    a file of {@code pattern=label} lines ({@code #} comments), or null
     */
    public static PiiRules parse(List<String> columnEntries, List<String> labelEntries,
            List<String> classificationEntries, Path classificationFile) {
        List<ColumnRule> rules = new ArrayList<>();
        for (String entry : columnEntries) {
            String[] pair = pair(entry, "column rule", "<schema>.<table>.<column>=<action>");
            rules.add(new ColumnRule(ColumnPattern.parse(pair[0]), PiiAction.parse(pair[1])));
        }
        Map<String, PiiAction> labels = new LinkedHashMap<>();
        for (String entry : labelEntries) {
            String[] pair = pair(entry, "label rule", "<label>=<action>");
            labels.put(label(pair[0], entry), PiiAction.parse(pair[1]));
        }
        List<Classification> classifications = new ArrayList<>();
        for (String entry : classificationEntries) {
            String[] pair = pair(entry, "classification", "<schema>.<table>.<column>=<label>");
            classifications.add(new Classification(ColumnPattern.parse(pair[0]), label(pair[1], entry), "inline"));
        }
        if (classificationFile != null) {
            classifications.addAll(readFile(classificationFile));
        }
        for (Classification classification : classifications) {
            if (!labels.containsKey(classification.label())) {
                throw new IllegalArgumentException("label '" + classification.label() + "' (classification of "
                        + classification.pattern() + ", " + classification.origin() + ") has no action; add "
                        + classification.label() + "=<action> to the label rules (keep is an action)");
            }
        }
        for (String label : labels.keySet()) {
            if (classifications.stream().noneMatch(c -> c.label().equals(label))) {
                throw new IllegalArgumentException("label rule '" + label + "' applies to nothing: no column is "
                        + "classified as " + label);
            }
        }
        return new PiiRules(List.copyOf(rules), List.copyOf(classifications), Map.copyOf(labels));
    }

    static List<Classification> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the classification file " + file + ": " + e.getMessage());
        }
        List<Classification> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String origin = file + " line " + (i + 1);
            try {
                String[] pair = pair(line, "classification", "<schema>.<table>.<column>=<label>");
                entries.add(new Classification(ColumnPattern.parse(pair[0]), label(pair[1], line), origin));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": " + e.getMessage());
            }
        }
        return entries;
    }

    private static String[] pair(String entry, String what, String form) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
            throw new IllegalArgumentException(what + " '" + entry + "' is not of the form " + form);
        }
        return new String[] {entry.substring(0, eq).trim(), entry.substring(eq + 1).trim()};
    }

    private static String label(String label, String entry) {
        if (!LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("'" + entry + "': a label is a word of letters, digits, _ and -");
        }
        return label;
    }

    /** The action for one column of one table, decided once and remembered. */
    public Decision decide(TableId table, String column) {
        return decisions.computeIfAbsent(table.toString(), t -> new ConcurrentHashMap<>())
                .computeIfAbsent(column, c -> resolve(table, c));
    }

    private Decision resolve(TableId table, String column) {
        for (ColumnRule rule : columnRules) {
            if (rule.pattern().matches(table, column)) {
                return new Decision(rule.action(), "rule " + rule);
            }
        }
        for (Classification classification : classifications) {
            if (classification.pattern().matches(table, column)) {
                return new Decision(labelActions.get(classification.label()), "label " + classification.label()
                        + " (classified by " + classification.pattern() + ", " + classification.origin() + ")");
            }
        }
        return KEEP;
    }

    public List<ColumnRule> columnRules() {
        return columnRules;
    }

    public List<Classification> classifications() {
        return classifications;
    }

    /** Whether any column can be hashed, so the hash key is required. */
    public boolean usesHash() {
        return columnRules.stream().anyMatch(r -> r.action().kind() == PiiAction.Kind.HASH)
                || labelActions.values().stream().anyMatch(a -> a.kind() == PiiAction.Kind.HASH);
    }

    public boolean isEmpty() {
        return columnRules.isEmpty() && classifications.isEmpty();
    }
}
