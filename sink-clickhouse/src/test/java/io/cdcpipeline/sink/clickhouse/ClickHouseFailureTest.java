package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.sink.TargetUnavailableException;
import io.cdcpipeline.testkit.ReliabilityCase;
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
        if (code == 60) {
            assertThat(ClickHouseFailure.ofServerError("INSERT INTO db.t", code, false, new RuntimeException("Code: 60"))
                    .kind()).isEqualTo(ClickHouseFailure.Kind.RETRIABLE);
            ReliabilityCase.defect("ClickHouse error 60 (table doesn't exist, while a restarting server loads its "
                            + "tables) was fatal: the runner died after 'stack stop clickhouse' and 'stack up'")
                    .mode("both")
                    .expected("every error a restart, failover or overload produces is retried until retry.timeout.ms")
                    .observed("60, 242, 999, 241, 252 retried; the runner rides out real ClickHouse restarts "
                            + "(SinkIsolationIT, SinkOutageIT)").record();
        }
        ClickHouseFailure failure = ClickHouseFailure.ofServerError("INSERT INTO db.t", code, false,
                new RuntimeException("Code: " + code + ", e.displayText() = DB::Exception: ..."));
        assertThat(failure.kind()).isEqualTo(kind);
        assertThat(failure.code()).isEqualTo(code);
        if (kind == ClickHouseFailure.Kind.UNAVAILABLE) {
            TargetUnavailableException pause = failure.asPause();
            assertThat(pause.getMessage()).contains("INSERT INTO db.t").contains(fix).contains("none is dead-lettered");
            assertThat(ClickHouseFailure.isMissingDatabase(pause)).isEqualTo(code == 81);
        }
        // What the retry loop makes of it: retried, a pause of the sink, or thrown as it is.
        RuntimeException notRetried = ClickHouseFailure.retries(() -> { }).notRetried(failure);
        switch (kind) {
            case RETRIABLE -> assertThat(notRetried).isNull();
            case UNAVAILABLE -> assertThat(notRetried).isInstanceOf(TargetUnavailableException.class).hasCause(failure);
            default -> assertThat(notRetried).isSameAs(failure);
        }
    }
}
