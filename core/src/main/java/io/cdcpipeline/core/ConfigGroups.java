package io.cdcpipeline.core;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Groups, order and display names for a component's settings, as Kafka's own connectors give theirs: Connect's REST
 * validation and the UIs built on it show them, and docs/configuration.md is laid out by them. Every setting must be
 * placed in a group, so a new one cannot be added without being placed.
 */
public final class ConfigGroups {

    /** A setting and the name a UI shows for it. */
    public record Setting(String key, String displayName) {
    }

    /** A named group of settings, in the order they are shown. */
    public record Group(String name, List<Setting> settings) {
    }

    private ConfigGroups() {
    }

    public static Setting setting(String key, String displayName) {
        return new Setting(key, displayName);
    }

    public static Group group(String name, Setting... settings) {
        return new Group(name, List.of(settings));
    }

    /** A group of these settings followed by {@code more} (settings defined once for several components). */
    public static Group group(String name, List<Setting> settings, List<Setting> more) {
        List<Setting> all = new ArrayList<>(settings);
        all.addAll(more);
        return new Group(name, List.copyOf(all));
    }

    /**
     * {@code def}'s settings, each placed in its group at its position with its display name, groups in the order
     * given. A setting of {@code def} in no group, or a group naming a setting {@code def} lacks, is a programming error.
     */
    public static ConfigDef of(ConfigDef def, Group... groups) {
        ConfigDef grouped = new ConfigDef();
        for (Group group : groups) {
            int order = 1;
            for (Setting setting : group.settings()) {
                ConfigDef.ConfigKey key = def.configKeys().get(setting.key());
                if (key == null) {
                    throw new IllegalStateException("group " + group.name() + " names " + setting.key()
                            + ", which is not defined");
                }
                if (grouped.configKeys().containsKey(key.name)) {
                    throw new IllegalStateException(key.name + " is in two groups");
                }
                // Defined group by group, so that the groups keep the order given here.
                grouped.define(new ConfigDef.ConfigKey(key.name, key.type,
                        key.hasDefault() ? key.defaultValue : ConfigDef.NO_DEFAULT_VALUE, key.validator,
                        key.importance, key.documentation, group.name(), order++, ConfigDef.Width.MEDIUM,
                        setting.displayName(), key.dependents, key.recommender, key.internalConfig));
            }
        }
        List<String> unplaced = new ArrayList<>(def.configKeys().keySet());
        unplaced.removeAll(grouped.configKeys().keySet());
        if (!unplaced.isEmpty()) {
            throw new IllegalStateException("settings in no group: " + unplaced);
        }
        return grouped;
    }
}
