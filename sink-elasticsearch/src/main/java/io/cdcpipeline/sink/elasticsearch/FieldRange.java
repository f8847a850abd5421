package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.types.ListValues;
import io.cdcpipeline.core.types.SpatialValue;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;

/**
 * The values an Elasticsearch field type holds, and the nearest it holds to one it does not: {@code float} and
 * {@code double} hold no {@code Infinity} or {@code NaN} (stored as null: every field may be absent); {@code date}
 * timestamps are read with four-digit years (-9999 to 9999) and {@code date_nanos} hold 1970 to 2262 (stored as the
 * first or last instant); {@code geo_point} and {@code geo_shape} hold only longitudes and latitudes (a geometry in
 * other coordinates, e.g. a projected SRID, is stored as null); {@code flattened} and {@code object} fields hold only JSON objects (a json
 * column holding a number, a string or an array with such in it is stored as {@code {"value": ...}}, searchable as
 * {@code column.value}). Arrays are fitted element by element.
 */
enum FieldRange {

    /** Holds every value the sink writes to it. */
    ANY(""),
    FINITE("finite numbers"),
    DATE("-9999-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z"),
    DATE_NANOS("1970-01-01T00:00:00Z to 2262-04-11T23:47:16.854775807Z"),
    GEO("longitudes -180 to 180, latitudes -90 to 90"),
    /** json columns: objects only; any other JSON (a number, a string, an array of them) is stored as {"value": it}. */
    OBJECT("JSON objects");

    private static final Instant DATE_MIN = Instant.parse("-9999-01-01T00:00:00Z");
    private static final Instant DATE_MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");
    private static final Instant NANOS_MIN = Instant.EPOCH;
    private static final Instant NANOS_MAX = Instant.ofEpochSecond(0, Long.MAX_VALUE);

    private final String range;

    FieldRange(String range) {
        this.range = range;
    }

    /** The range of a field of this mapping type ({@code "date_nanos"}, {@code "float"}, ...). */
    static FieldRange of(String fieldType) {
        return switch (fieldType == null ? "" : fieldType) {
            case "float", "double", "half_float", "scaled_float" -> FINITE;
            case "date" -> DATE;
            case "date_nanos" -> DATE_NANOS;
            case "geo_point", "geo_shape" -> GEO;
            case "object", "flattened" -> OBJECT;
            default -> ANY;
        };
    }

    /** What a field of this type holds, for messages. */
    String held(String fieldType) {
        return "Elasticsearch " + fieldType + " (" + range + ")";
    }

    private static boolean isObject(Object value) {
        return value instanceof Map || value instanceof Struct;
    }

    /** The value itself if the field holds it, else the nearest value it holds (null for a non-finite number). */
    Object nearest(Object value) {
        if (this == ANY || value == null) {
            return value;
        }
        if (this == OBJECT) {
            return isObject(value) || value instanceof List<?> items && items.stream().allMatch(i -> i == null || isObject(i))
                    ? value : Map.of("value", value);
        }
        if (value instanceof List<?> items) {
            return ListValues.mapped(items, this::nearest);
        }
        if (this == GEO) {
            return value instanceof SpatialValue spatial && !spatial.isGeographic() ? null : value;
        }
        if (this == FINITE) {
            boolean finite = value instanceof Double d ? Double.isFinite(d) : !(value instanceof Float f) || Float.isFinite(f);
            return finite ? value : null;
        }
        Instant min = this == DATE ? DATE_MIN : NANOS_MIN;
        Instant max = this == DATE ? DATE_MAX : NANOS_MAX;
        if (value instanceof Instant instant) {
            return instant.isBefore(min) ? min : instant.isAfter(max) ? max : value;
        }
        if (value instanceof LocalDateTime local) {
            Instant instant = local.toInstant(ZoneOffset.UTC);
            return instant.isBefore(min) ? LocalDateTime.ofInstant(min, ZoneOffset.UTC)
                    : instant.isAfter(max) ? LocalDateTime.ofInstant(max, ZoneOffset.UTC) : value;
        }
        return value; // dates (days) and anything else a date field is given: every year fits
    }
}
