package io.cdcpipeline.core.types;

import org.apache.kafka.connect.errors.DataException;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKTWriter;

/**
 * A PostGIS geometry or geography (or a Postgres {@code point}) as the sinks store it: its WKT text, written the
 * way PostGIS's {@code ST_AsText} writes it (so a copy reads like the source), and the bounds of its coordinates,
 * which decide whether a geographic field can hold it. The SRID Debezium sends beside the WKB is not part of WKT.
 */
public record SpatialValue(String wkt, double minX, double maxX, double minY, double maxY) {

    /** Reads PostGIS's (extended) well-known binary, as Debezium's geometry, geography and point structs carry it. */
    public static SpatialValue ofWkb(byte[] wkb) {
        Geometry geometry;
        try {
            geometry = new WKBReader().read(wkb);
        } catch (ParseException e) {
            throw new DataException("cannot read a geometry from its WKB: " + e.getMessage(), e);
        }
        Envelope bounds = geometry.getEnvelopeInternal();
        boolean hasZ = !geometry.isEmpty() && !Double.isNaN(geometry.getCoordinate().getZ());
        String wkt = postgisText(new WKTWriter(hasZ ? 3 : 2).write(geometry));
        return bounds.isNull() ? new SpatialValue(wkt, 0, 0, 0, 0)
                : new SpatialValue(wkt, bounds.getMinX(), bounds.getMaxX(), bounds.getMinY(), bounds.getMaxY());
    }

    /** JTS writes {@code POLYGON ((0 0, 1 0, ...))}; PostGIS {@code POLYGON((0 0,1 0,...))} and {@code POINT Z (...)}. */
    private static String postgisText(String jts) {
        String compact = jts.replace(" (", "(").replace(", ", ",");
        return compact.replaceFirst("^(\\w+) (ZM|Z|M)\\(", "$1 $2 (");
    }

    /** Whether every coordinate is a longitude (-180 to 180) and latitude (-90 to 90), as geographic fields need. */
    public boolean isGeographic() {
        return minX >= -180 && maxX <= 180 && minY >= -90 && maxY <= 90;
    }

    @Override
    public String toString() {
        return wkt;
    }
}
