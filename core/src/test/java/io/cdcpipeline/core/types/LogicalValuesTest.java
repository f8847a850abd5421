package io.cdcpipeline.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogicalValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.123456Z",
            "1900-01-01T00:00:00.000000001Z", "2024-02-29T23:59:59.999999999Z", "0001-01-01T00:00:00Z"})
    void theFastZonedTimestampReaderAgreesWithTheFormatter(String text) {
        assertThat(LogicalValues.parseUtc(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-01-02T03:04:05+02:00", "2026-02-30T03:04:05Z", "2026-01-02T03:04:05.Z",
            "2026-01-02 03:04:05Z", "+12026-01-02T03:04:05Z"})
    void otherFormsAreLeftToTheFormatter(String text) {
        assertThat(LogicalValues.parseUtc(text)).isNull();
    }

    @Test
    void zonedTimestampsWithAnOffsetAndInfinityStillRead() {
        var schema = SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build();
        assertThat(LogicalValues.toJava(schema, "2026-01-02T05:04:05+02:00")).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(LogicalValues.toJava(schema, "infinity")).isEqualTo(Instant.MAX);
    }
}
