package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutOfRangeValuesTest {

    private final SinkMetrics metrics = new SinkMetrics(null, "table", "batches", "insert");

    @Test
    void clampCountsEveryValuePerTargetAndColumnAndAsksForTheKeyOnlyOnce() {
        OutOfRangeValues values = new OutOfRangeValues(OutOfRangeValues.Policy.CLAMP, metrics,
                LoggerFactory.getLogger(getClass()));
        AtomicInteger keysAsked = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            values.met("db.t", "d", LocalDate.of(1900, 1, 1), LocalDate.of(1970, 1, 1), "ClickHouse Date",
                    () -> "key " + keysAsked.incrementAndGet());
        }
        values.met("db.t", "e", 1.0, null, "x", () -> "key " + keysAsked.incrementAndGet());
        assertThat(metrics.clampedOf("db.t", "d")).isEqualTo(3);
        assertThat(metrics.clampedOf("db.t", "e")).isEqualTo(1);
        assertThat(metrics.clampedOf("db.u", "d")).isZero();
        assertThat(keysAsked).as("the key is read for the one log line per column").hasValue(2);
    }

    @Test
    void strictRefusesNamingColumnValueRangeAndSettingAndCountsNothing() {
        OutOfRangeValues values = new OutOfRangeValues(OutOfRangeValues.Policy.STRICT, metrics,
                LoggerFactory.getLogger(getClass()));
        assertThatThrownBy(() -> values.met("db.t", "at", LocalDateTime.ofEpochSecond(9223372036825L, 200_000_000,
                ZoneOffset.UTC), LocalDateTime.of(2299, 12, 31, 23, 59), "ClickHouse DateTime64(6) (1900 to 2299)",
                () -> "k"))
                .isInstanceOf(DataException.class)
                .hasMessage("column at: infinity is outside what ClickHouse DateTime64(6) (1900 to 2299) holds; set "
                        + "value.out.of.range=clamp to store the nearest value (2299-12-31T23:59) instead");
        assertThat(metrics.clampedOf("db.t", "at")).isZero();
    }
}
