package io.cdcpipeline.core.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class SpatialValueTest {

    /** PostGIS's EWKB of SRID=4326;POINT(1 2) (ST_AsEWKB, little-endian, SRID flag set). */
    private static final String EWKB_POINT = "0101000020E6100000000000000000F03F0000000000000040";
    /** WKB of POLYGON((0 0,10 0,10 10,0 0)). */
    private static final String WKB_POLYGON = "0103000000010000000400000000000000000000000000000000000000000000000000244000"
            + "000000000000000000000000002440000000000000244000000000000000000000000000000000";
    /** EWKB of MULTIPOLYGON Z(((0 0 1,1 0 1,1 1 1,0 0 1))). */
    private static final String EWKB_MULTIPOLYGON_Z = "0106000080010000000103000080010000000400000000000000000000000000000000"
            + "000000000000000000f03f000000000000f03f0000000000000000000000000000f03f000000000000f03f000000000000f03f0000"
            + "00000000f03f00000000000000000000000000000000000000000000f03f";

    @Test
    void extendedWkbWithAnSridReadsAsPostgisText() {
        SpatialValue point = SpatialValue.ofWkb(HexFormat.of().parseHex(EWKB_POINT));
        assertThat(point.wkt()).isEqualTo("POINT(1 2)");
        assertThat(point.isGeographic()).isTrue();
    }

    @Test
    void polygonsAreWrittenWithoutTheSpacesJtsAdds() {
        SpatialValue polygon = SpatialValue.ofWkb(HexFormat.of().parseHex(WKB_POLYGON));
        assertThat(polygon.wkt()).isEqualTo("POLYGON((0 0,10 0,10 10,0 0))");
        assertThat(polygon.maxX()).isEqualTo(10);
    }

    @Test
    void thirdDimensionsAreKeptAsPostgisWritesThem() {
        SpatialValue polygon = SpatialValue.ofWkb(HexFormat.of().parseHex(EWKB_MULTIPOLYGON_Z));
        assertThat(polygon.wkt()).isEqualTo("MULTIPOLYGON Z (((0 0 1,1 0 1,1 1 1,0 0 1)))");
    }

    @Test
    void coordinatesOutsideLongitudeAndLatitudeAreNotGeographic() {
        assertThat(new SpatialValue("POINT(1000000 6000000)", 1e6, 1e6, 6e6, 6e6).isGeographic()).isFalse();
        assertThat(new SpatialValue("POINT(-180 90)", -180, -180, 90, 90).isGeographic()).isTrue();
    }

    @Test
    void unreadableBytesSayWhatWasExpected() {
        assertThatThrownBy(() -> SpatialValue.ofWkb(new byte[] {1, 2}))
                .isInstanceOf(DataException.class).hasMessageContaining("cannot read a geometry from its WKB");
    }
}
