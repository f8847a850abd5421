package io.cdcpipeline.bench;

import io.cdcpipeline.embedded.TransformChain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.sink.SinkRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * JMH: the cost per record of the transform chain a sink runs in the transforms benchmark (ProtectPii with a hash,
 * a generalisation and a truncation, CdcFilter, CdcRoute by tenant, SchemaChangeSignal), applied to Debezium-shaped
 * change records in the order a sink would see them; and of CdcNormalize alone, for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TransformChainBenchmark {

    private List<SinkRecord> records;
    private TransformChain chain;
    private TransformChain normalize;
    private TransformChain pii;
    private TransformChain filter;
    private TransformChain route;
    private TransformChain signal;
    private int next;
    private static final String HASH_KEY = "jmh-benchmark-key-0123456789abcdef";

    @Setup(Level.Trial)
    public void setUp() {
        records = PeopleChanges.records(4096, 7);
        chain = TransformChain.from("bench.", PeopleChanges.chainConfig(HASH_KEY));
        normalize = TransformChain.from("bench.", Map.of("transforms", "n", "transforms.n.type",
                "io.cdcpipeline.transforms.CdcNormalize"));
        pii = stage("pii");
        filter = stage("filter");
        route = stage("route");
        signal = stage("signal");
    }

    /** One stage of the chain alone, configured as in the chain. */
    private static TransformChain stage(String alias) {
        Map<String, String> config = new LinkedHashMap<>(PeopleChanges.chainConfig(HASH_KEY));
        config.put("transforms", alias);
        return TransformChain.from("bench.", config);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (TransformChain each : List.of(chain, normalize, pii, filter, route, signal)) {
            each.close();
        }
    }

    private SinkRecord nextRecord() {
        SinkRecord record = records.get(next);
        next = (next + 1) & 4095;
        return record;
    }

    @Benchmark
    public SinkRecord chain() {
        return chain.apply(nextRecord());
    }

    @Benchmark
    public SinkRecord normalizeOnly() {
        return normalize.apply(nextRecord());
    }

    @Benchmark
    public SinkRecord piiOnly() {
        return pii.apply(nextRecord());
    }

    @Benchmark
    public SinkRecord filterOnly() {
        return filter.apply(nextRecord());
    }

    @Benchmark
    public SinkRecord routeOnly() {
        return route.apply(nextRecord());
    }

    @Benchmark
    public SinkRecord signalOnly() {
        return signal.apply(nextRecord());
    }

    /** Runs this benchmark alone (quick figures while working on the transforms): {@code java ... TransformChainBenchmark}. */
    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder()
                .include(TransformChainBenchmark.class.getName() + (args.length > 0 ? "." + args[0] : ""))
                .forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .build()).run();
    }
}
