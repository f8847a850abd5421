package io.cdcpipeline.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MultiDimensionalArraysTest {

    private static String json(String literal, String type) {
        return MultiDimensionalArrays.json(PostgresArrayText.parse(literal), type);
    }

    @Test
    void numbersBooleansAndNullsKeepTheirJsonKindsInEveryDimension() {
        assertThat(json("{{1,2},{3,NULL}}", "_int4")).isEqualTo("[[1,2],[3,null]]");
        assertThat(json("{{{1.5,-2e-05}},{{NaN,Infinity}}}", "_float8")).isEqualTo("[[[1.5,-2e-05]],[[\"NaN\",\"Infinity\"]]]");
        assertThat(json("{{t,f},{NULL,t}}", "_bool")).isEqualTo("[[true,false],[null,true]]");
        assertThat(json("{}", "_int4")).isEqualTo("[]");
    }

    @Test
    void quotedElementsEscapesAndExplicitBoundsAreRead() {
        assertThat(json("{{\"a,b\",\"c\\\"d\"},{\"NULL\",\"x\\\\y\"}}", "_text"))
                .as("a quoted NULL is the text NULL").isEqualTo("[[\"a,b\",\"c\\\"d\"],[\"NULL\",\"x\\\\y\"]]");
        assertThat(json("[0:1][1:2]={{a,b},{c,d}}", "_text")).isEqualTo("[[\"a\",\"b\"],[\"c\",\"d\"]]");
        assertThat(json("{{\"2024-01-01 10:00:00+00\"}}", "_timestamptz")).isEqualTo("[[\"2024-01-01 10:00:00+00\"]]");
    }

    @Test
    void aMalformedLiteralIsRefusedWithWhereItBroke() {
        assertThatThrownBy(() -> PostgresArrayText.parse("{{1,2}")).hasMessageContaining("unexpected end")
                .hasMessageContaining("{{1,2}");
        assertThatThrownBy(() -> PostgresArrayText.parse("{1}x")).hasMessageContaining("text after the array");
    }
}
