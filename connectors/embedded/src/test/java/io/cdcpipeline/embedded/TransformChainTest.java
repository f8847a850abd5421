package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** How the runner's transform chain reports a record a stage refuses, so the sink can dead-letter it safely. */
class TransformChainTest {

    private static TransformChain chain(String order) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("transforms", order);
        config.put("transforms.route.type", "io.cdcpipeline.transforms.CdcRoute");
        config.put("transforms.route.target.table", "${tenant}_${table}");
        config.put("transforms.route.tenant.column", "email");
        config.put("transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
        config.put("transforms.pii.columns", "public.customers.name=drop");
        return TransformChain.from("sink.test.", config);
    }

    @Test
    void aRefusalBeforeProtectionWithholdsKeyAndValue() throws Exception {
        SinkRecord record = CapturedDebeziumRecords.load().get(0); // email ada@example.com: no valid tenant
        assertThatThrownBy(() -> chain("route,pii").apply(record)).isInstanceOfSatisfying(
                TransformChain.StageFailure.class, failure -> {
                    assertThat(failure.getMessage()).contains("transform 'route' refused").contains("withheld");
                    assertThat(failure.deadLetter().value()).isNull();
                    assertThat(failure.deadLetter().key()).isNull();
                    assertThat(failure.deadLetter().kafkaOffset()).isEqualTo(record.kafkaOffset());
                });
    }

    @Test
    void aRefusalAfterProtectionKeepsTheProtectedRecord() throws Exception {
        SinkRecord record = CapturedDebeziumRecords.load().get(0);
        assertThatThrownBy(() -> chain("pii,route").apply(record)).isInstanceOfSatisfying(
                TransformChain.StageFailure.class, failure -> {
                    assertThat(failure.getMessage()).doesNotContain("withheld");
                    Struct after = ((Struct) failure.deadLetter().value()).getStruct("after");
                    assertThat(after.schema().field("name")).as("dropped by pii").isNull();
                    assertThat(after.getString("email")).isEqualTo("ada@example.com");
                });
    }
}
