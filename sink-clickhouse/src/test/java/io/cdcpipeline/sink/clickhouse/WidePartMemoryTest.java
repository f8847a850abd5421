package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class WidePartMemoryTest {

    private static final TableId WIDE = new TableId("public", "wide");
    private static final long FOUR_GB = 4_000_000_000L;

    @Test
    void serversBeforeCompactPartsAreTheOnesAtRisk() {
        assertThat(WidePartMemory.writesWideParts("18.16.1")).isTrue();
        assertThat(WidePartMemory.writesWideParts("20.3.19.4")).isTrue();
        assertThat(WidePartMemory.writesWideParts("20.4.2")).isFalse();
        assertThat(WidePartMemory.writesWideParts("26.1.1")).isFalse();
    }

    @Test
    void nullableAndArrayColumnsCountTheirExtraStreams() {
        assertThat(WidePartMemory.streams(columns(10, "Int32"))).isEqualTo(4 + 10);
        assertThat(WidePartMemory.streams(columns(10, "Nullable(Int32)"))).isEqualTo(4 + 20);
        assertThat(WidePartMemory.streams(columns(1, "Array(Array(Nullable(String)))"))).isEqualTo(4 + 4);
    }

    @Test
    void aTableNoInsertCouldFitIsRefusedWithTheRemedies() {
        assertThatThrownBy(() -> WidePartMemory.check("18.16.1", () -> FOUR_GB, WIDE, "`db`.`wide`",
                columns(1500, "Nullable(Int32)"))).isInstanceOf(DataException.class)
                .hasMessageContaining("`db`.`wide` for public.wide would have 1500 columns (3004 column streams)")
                .hasMessageContaining("max_memory_usage of 3814 MB").hasMessageContaining("Upgrade ClickHouse");
        assertThatCode(() -> WidePartMemory.check("18.16.1", () -> FOUR_GB, WIDE, "t", columns(1500, "Int32")))
                .as("one stream per column fits").doesNotThrowAnyException();
        assertThatCode(() -> WidePartMemory.check("18.16.1", () -> 0, WIDE, "t", columns(1500, "Nullable(Int32)")))
                .as("no limit").doesNotThrowAnyException();
        assertThatCode(() -> WidePartMemory.check("25.8.1", () -> {
            throw new AssertionError("a modern server is not asked for its limit");
        }, WIDE, "t", columns(1500, "Nullable(Int32)"))).doesNotThrowAnyException();
    }

    private static Map<String, ClickHouseType> columns(int n, String sql) {
        Map<String, ClickHouseType> columns = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            columns.put("c" + i, new ClickHouseType(sql, null, sql.startsWith("Nullable")));
        }
        return columns;
    }
}
