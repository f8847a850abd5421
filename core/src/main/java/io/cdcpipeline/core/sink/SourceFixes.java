package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.TableId;
import java.util.Collection;

/**
 * What both sinks say when a change cannot be written as it came because of how its source table is set up, worded
 * once with the fix on the Postgres side: a table whose updates do not carry their unchanged TOAST values or their
 * old row (no {@code REPLICA IDENTITY FULL}).
 */
public final class SourceFixes {

    private SourceFixes() {
    }

    /**
     * Why a change is refused whose {@code columns} hold Debezium's unchanged-TOAST placeholder while the copy has no
     * earlier value to keep ({@code missing} says where none was found).
     */
    public static String toastWithoutEarlierValue(Collection<String> columns, String missing, TableId table) {
        return "columns " + columns + " hold Debezium's unchanged-TOAST placeholder, and " + missing + " to keep "
                + "their values from. Set REPLICA IDENTITY FULL on the source table (ALTER TABLE " + table
                + " REPLICA IDENTITY FULL) so that updates carry every column";
    }

    /**
     * Logged once per table without a primary key whose updates and deletes come without their old row: {@code kept}
     * says what the copy keeps because of it.
     */
    public static String keylessWithoutOldRow(TableId table, String kept) {
        return "Table " + table + " has no primary key and no REPLICA IDENTITY FULL: its updates and deletes do not "
                + "say which row they change, so " + kept + ". Set ALTER TABLE " + table + " REPLICA IDENTITY FULL, or "
                + "give it a primary key.";
    }
}
