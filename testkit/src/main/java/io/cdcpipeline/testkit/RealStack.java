package io.cdcpipeline.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test that runs against the real local stack ({@code bin/cdc stack}). The test may take
 * {@link StackEndpoints}, {@link PostgresTestDatabase}, {@link ClickHouseTestDatabase},
 * {@link ClickHouseTestCluster}, {@link ElasticsearchTestCluster} (which add the clusters to the stack) or {@link ElasticsearchTestIndex}
 * as parameters; all but the first are created for the test with unique names and dropped after it, so tests run
 * in any order and twice.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RealStackExtension.class)
@Tag("real-stack")
public @interface RealStack {

    /** Whether the test needs the Kafka broker and the Kafka Connect worker as well. */
    boolean kafka() default false;
}
