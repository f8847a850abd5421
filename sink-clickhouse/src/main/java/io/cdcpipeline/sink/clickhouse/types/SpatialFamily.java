package io.cdcpipeline.sink.clickhouse.types;

import java.util.Set;
import org.apache.kafka.connect.data.Schema;

/**
 * PostGIS geometry and geography, and Postgres {@code point}: their WKT in a {@code String}, as PostGIS's
 * {@code ST_AsText} writes it, readable by ClickHouse's {@code readWKT*} functions. The SRID is not kept.
 */
final class SpatialFamily implements TypeFamily {

    private static final Set<String> NAMES = Set.of("io.debezium.data.geometry.Geometry",
            "io.debezium.data.geometry.Geography", "io.debezium.data.geometry.Point");

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (schema.name() == null || !NAMES.contains(schema.name())) {
            return null;
        }
        return ClickHouseType.of("String", new TextFamily.StringCodec());
    }
}
