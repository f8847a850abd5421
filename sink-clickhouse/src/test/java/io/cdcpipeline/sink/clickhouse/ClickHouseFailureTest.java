package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.sink.TargetUnavailableException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the sink does per server error code, for the classes no server here can be made to answer (a full disk, a
 * replica without its Keeper session, Keeper errors) beside some that InfrastructureErrorsIT meets on 18.16. A
 * starting server answers UNKNOWN_TABLE (60) before it has loaded its tables: retried, never fatal (it once stopped
 * the runner after a ClickHouse restart).
 */
class ClickHouseFailureTest {

    @ParameterizedTest(name = "code {0}: {1}")
    @CsvSource({
        "243, UNAVAILABLE, disk is full",
        "242, UNAVAILABLE, Keeper session",
        "81, UNAVAILABLE, auto.create.database",
        "497, UNAVAILABLE, grant",
        "999, RETRIABLE, ",
        "241, RETRIABLE, ",
        "252, RETRIABLE, ",
        "60, RETRIABLE, ",
        "47, FATAL, ",
        "27, DATA, ",
    })
    void eachCodeIsHandledAsItsClass(int code, ClickHouseFailure.Kind kind, String fix) {
        ClickHouseFailure failure = ClickHouseFailure.ofServerError("INSERT INTO db.t", code, false,
                new RuntimeException("Code: " + code + ", e.displayText() = DB::Exception: ..."));
        assertThat(failure.kind()).isEqualTo(kind);
        assertThat(failure.code()).isEqualTo(code);
        if (kind == ClickHouseFailure.Kind.UNAVAILABLE) {
            TargetUnavailableException pause = failure.asPause();
            assertThat(pause.getMessage()).contains("INSERT INTO db.t").contains(fix).contains("none is dead-lettered");
            assertThat(ClickHouseFailure.isMissingDatabase(pause)).isEqualTo(code == 81);
        }
    }
}
