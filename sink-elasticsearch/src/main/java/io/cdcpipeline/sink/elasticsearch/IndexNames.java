package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.TableId;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.connect.errors.DataException;

/**
 * Elasticsearch's rules for index and alias names, checked before a table's index is touched: a name the cluster
 * would refuse is the table's problem (a refusal naming it and the fix), not a failure of the whole sink.
 */
final class IndexNames {

    /** What Elasticsearch forbids anywhere in an index name. */
    private static final String FORBIDDEN = "\\/*?\"<>| ,#:";

    private IndexNames() {
    }

    /** Returns {@code name} when Elasticsearch accepts it as an index name. */
    static String requireValid(String name, TableId table) {
        String problem = null;
        for (char c : name.toCharArray()) {
            if (FORBIDDEN.indexOf(c) >= 0) {
                problem = "it contains '" + c + "' (no index name may contain \\ / * ? \" < > | space , # :)";
                break;
            }
        }
        if (problem == null && (name.startsWith("-") || name.startsWith("_") || name.startsWith("+"))) {
            problem = "it starts with '" + name.charAt(0) + "'";
        } else if (problem == null && (name.equals(".") || name.equals(".."))) {
            problem = "'.' and '..' are not index names";
        } else if (problem == null && name.getBytes(StandardCharsets.UTF_8).length > 240) {
            problem = "it is longer than 240 bytes (the sink adds a version suffix to it)";
        }
        if (problem != null) {
            throw new DataException("index name '" + name + "' for table " + table + " is not one Elasticsearch "
                    + "accepts: " + problem + ". Give the table a name of its own with "
                    + ElasticsearchSinkConfig.OVERRIDE_PREFIX + table.schema() + "." + table.table() + ".name, or "
                    + "change " + ElasticsearchSinkConfig.INDEX_NAME_FORMAT);
        }
        return name;
    }
}
