package io.cdcpipeline.sink.clickhouse.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.sink.clickhouse.dialect.LegacyDialect;
import io.cdcpipeline.sink.clickhouse.dialect.ModernDialect;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class ClickHouseTypeTest {

    private final TypeRegistry modern = new TypeRegistry(new ModernDialect());
    private final TypeRegistry legacy = new TypeRegistry(new LegacyDialect());

    @Test
    void nullableGoesInsideLowCardinality() {
        Schema optionalEnum = SchemaBuilder.string().name("io.debezium.data.Enum").optional().build();
        assertThat(modern.columnType(optionalEnum, false).sql()).isEqualTo("LowCardinality(Nullable(String))");
        assertThat(modern.columnType(optionalEnum, false).base().sql()).isEqualTo("LowCardinality(String)");
        assertThat(legacy.columnType(optionalEnum, false).sql()).isEqualTo("Nullable(String)");
    }

    @Test
    void nullableExactlyWhereTheSourceIsExceptArraysAndLegacyKeys() {
        Schema optionalInt = SchemaBuilder.int32().optional().build();
        assertThat(modern.columnType(Schema.INT32_SCHEMA, false).sql()).isEqualTo("Int32");
        assertThat(modern.columnType(optionalInt, false).sql()).isEqualTo("Nullable(Int32)");
        assertThat(modern.columnType(optionalInt, true).sql()).isEqualTo("Nullable(Int32)");
        assertThat(legacy.columnType(optionalInt, true).sql()).isEqualTo("Int32");
        Schema optionalArray = SchemaBuilder.array(SchemaBuilder.int32().optional().build()).optional().build();
        assertThat(modern.columnType(optionalArray, false).sql()).isEqualTo("Array(Nullable(Int32))");
    }

    @Test
    void decimalsWiderThan38DigitsAndUnconstrainedNumericsAreExactText() {
        Schema wide = Decimal.builder(5).parameter("connect.decimal.precision", "50").build();
        Schema narrow = Decimal.builder(2).parameter("connect.decimal.precision", "9").build();
        Schema free = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal").build();
        assertThat(modern.columnType(wide, false).sql()).isEqualTo("String");
        assertThat(modern.columnType(narrow, false).sql()).isEqualTo("Decimal(9, 2)");
        assertThat(modern.columnType(free, false).sql()).isEqualTo("String");
    }

    @Test
    void datesAndTimesOutsideTheTypeHaveTheNearestValueItHolds() {
        Schema date = SchemaBuilder.int32().name("io.debezium.time.Date").build();
        Schema micro = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build();
        LocalDate inRange = LocalDate.of(2024, 2, 29);
        assertThat(legacy.columnType(date, false).nearest(inRange)).isSameAs(inRange);
        assertThat(legacy.columnType(date, false).nearest(LocalDate.of(1900, 1, 1))).isEqualTo(LocalDate.of(1970, 1, 1));
        assertThat(modern.columnType(date, false).nearest(LocalDate.of(1900, 1, 1))).isEqualTo(LocalDate.of(1900, 1, 1));
        assertThat(modern.columnType(date, false).nearest(LocalDate.of(9999, 12, 31))).isEqualTo(LocalDate.of(2299, 12, 31));
        assertThat(modern.columnType(micro, false).nearest(LocalDateTime.of(1800, 5, 1, 0, 0)))
                .isEqualTo(LocalDateTime.of(1900, 1, 1, 0, 0));
        assertThat(legacy.columnType(micro, false).nearest(Instant.MAX)).isEqualTo(Instant.parse("2105-12-31T23:59:59Z"));
        assertThat(legacy.columnType(micro, false).held()).isEqualTo("ClickHouse DateTime('UTC') (1970-01-01T00:00 to "
                + "2105-12-31T23:59:59 UTC)");
        Schema dates = SchemaBuilder.array(SchemaBuilder.int32().name("io.debezium.time.Date").optional().build()).build();
        assertThat(legacy.columnType(dates, false).nearest(Arrays.asList(inRange, null, LocalDate.of(1, 1, 1))))
                .isEqualTo(Arrays.asList(inRange, null, LocalDate.of(1970, 1, 1)));
        List<LocalDate> unchanged = List.of(inRange);
        assertThat(legacy.columnType(dates, false).nearest(unchanged)).isSameAs(unchanged);
    }

    @Test
    void timestampsKeepTheSourcePrecisionOnModernServers() {
        Schema micro = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build();
        Schema milli = SchemaBuilder.int64().name("io.debezium.time.Timestamp").build();
        Schema scaled = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp")
                .parameter("__debezium.source.column.scale", "2").build();
        assertThat(modern.columnType(micro, false).sql()).isEqualTo("DateTime64(6, 'UTC')");
        assertThat(modern.columnType(milli, false).sql()).isEqualTo("DateTime64(3, 'UTC')");
        assertThat(modern.columnType(scaled, false).sql()).isEqualTo("DateTime64(2, 'UTC')");
        assertThat(legacy.columnType(micro, false).sql()).isEqualTo("DateTime('UTC')");
    }

    @Test
    void aDecimalWithMoreDigitsThanItsTypeIsRefusedNotRounded() {
        Schema narrow = Decimal.builder(2).parameter("connect.decimal.precision", "4").build();
        ClickHouseType type = modern.columnType(narrow, false);
        RowBinaryOutput out = new RowBinaryOutput(16);
        assertThatThrownBy(() -> type.write(new BigDecimal("1.234"), out))
                .isInstanceOf(DataException.class).hasMessageContaining("1.234").hasMessageContaining("Decimal(4, 2)");
        assertThatThrownBy(() -> type.write(new BigDecimal("123.45"), out))
                .isInstanceOf(DataException.class).hasMessageContaining("more digits");
    }
}
