package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import org.junit.jupiter.api.Test;

class ColumnEvolutionTest {

    private static ClickHouseType type(String sql) {
        return ClickHouseType.of(sql, null);
    }

    @Test
    void sameTypeNeedsNothing() {
        ColumnEvolution.Decision d = ColumnEvolution.decide("Decimal(10, 2)", type("Decimal(10,2)"), false);
        assertThat(d.modifyTo()).isNull();
        assertThat(d.refusal()).isNull();
    }

    @Test
    void aNullableColumnTakesNonNullValuesAsItIs() {
        ColumnEvolution.Decision d = ColumnEvolution.decide("Nullable(Int32)", type("Int32"), false);
        assertThat(d.modifyTo()).isNull();
        assertThat(d.encodeAs().sql()).isEqualTo("Nullable(Int32)");
    }

    @Test
    void losslessWideningsAreApplied() {
        assertThat(ColumnEvolution.decide("Int32", type("Int64"), false).modifyTo()).isEqualTo("Int64");
        assertThat(ColumnEvolution.decide("Int32", type("Int32").asNullable(), false).modifyTo()).isEqualTo("Nullable(Int32)");
        assertThat(ColumnEvolution.decide("Decimal(10, 2)", type("Decimal(12, 2)"), false).modifyTo()).isEqualTo("Decimal(12, 2)");
        assertThat(ColumnEvolution.decide("Decimal(8, 2)", type("Decimal(14, 4)"), false).modifyTo())
                .as("numeric(8,2) to numeric(14,4): more integer and more fraction digits").isEqualTo("Decimal(14, 4)");
        assertThat(ColumnEvolution.decide("Float32", type("Float64"), false).modifyTo()).isEqualTo("Float64");
        assertThat(ColumnEvolution.decide("Nullable(Int16)", type("Int32"), false).modifyTo()).isEqualTo("Nullable(Int32)");
    }

    @Test
    void everyOtherChangeIsRefused() {
        assertThat(ColumnEvolution.decide("Int64", type("Int32"), false).refusal()).contains("Int64").contains("Int32");
        assertThat(ColumnEvolution.decide("Int32", type("String"), false).refusal()).contains("silently");
        assertThat(ColumnEvolution.decide("Decimal(10, 2)", type("Decimal(10, 3)"), false).refusal())
                .as("one integer digit fewer").isNotNull();
        assertThat(ColumnEvolution.decide("Decimal(10, 2)", type("Decimal(12, 1)"), false).refusal())
                .as("one fraction digit fewer").isNotNull();
        assertThat(ColumnEvolution.decide("Int32", type("Int32").asNullable(), true).refusal()).contains("sorting-key");
    }
}
