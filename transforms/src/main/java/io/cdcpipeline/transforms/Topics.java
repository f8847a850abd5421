package io.cdcpipeline.transforms;

import io.cdcpipeline.core.TableId;

/** Topic names of routed changes. */
final class Topics {

    private Topics() {
    }

    /**
     * Debezium's {@code <prefix>.<schema>.<table>} topic with the names of the table a change is routed to, so that a
     * sink naming tables by topic sees the target too; other topics stay.
     */
    static String of(String topic, TableId target) {
        String[] parts = topic.split("\\.");
        if (parts.length < 3) {
            return topic;
        }
        parts[parts.length - 2] = target.schema();
        parts[parts.length - 1] = target.table();
        return String.join(".", parts);
    }
}
