# bin/cdc bench clickhouse|elasticsearch|final|transforms|validate|pipeline|connect [--rows N] [--rounds N]: benchmarks that print figures and write docs/benchmarks.md.
# Never part of the test suite: speed is measured here, on a quiet machine, not asserted in tests.

bench_main() {
  local what="${1:-}"
  [ $# -gt 0 ] && shift
  case "$what" in
    clickhouse) bench_run io.cdcpipeline.bench.ClickHouseSinkBenchmark CDC_CH_URL "$@" ;;
    elasticsearch) bench_run io.cdcpipeline.bench.ElasticsearchSinkBenchmark CDC_ES_URL "$@" ;;
    validate) bench_on_stack io.cdcpipeline.bench.ValidateBenchmark "$@" ;;
    final) bench_run io.cdcpipeline.bench.FinalCostBenchmark CDC_CH_URL "$@" ;;
    transforms) bench_on_stack io.cdcpipeline.bench.TransformsBenchmark "$@" ;;
    pipeline) bench_on_stack io.cdcpipeline.bench.PipelineBenchmark "$@" ;;
    connect) bench_connect "$@" ;;
    *) die "usage: bin/cdc bench clickhouse|elasticsearch|final|transforms|validate|pipeline|connect [options; --help lists them]" ;;
  esac
}

# bench_on_stack MAIN ARGS...: builds the bench module and runs a benchmark against the whole stack (Postgres,
# ClickHouse, Elasticsearch), writing into docs/benchmarks.md.
bench_on_stack() {
  local main="$1" env
  shift
  env="$(bench_build && "$CDC_HOME/bin/cdc" stack env)" || die "building the benchmark failed"
  bench_java "$main" \
    --pg-jdbc-url "$(env_value CDC_PG_JDBC_URL <<<"$env")" --pg-user "$(env_value CDC_PG_USER <<<"$env")" \
    --ch-url "$(env_value CDC_CH_URL <<<"$env")" --es-url "$(env_value CDC_ES_URL <<<"$env")" \
    --report "$CDC_HOME/docs/benchmarks.md" "$@"
}

# bench_connect ARGS...: the Connect-mode benchmark, on the stack with Kafka and a Connect worker that runs the
# plugin bundle of this checkout (built first, so that `stack up` sees it changed and restarts the worker with it).
bench_connect() {
  local env
  log "building our Connect plugin bundle (./mvnw package -pl connectors/connect-plugin -am, no tests)"
  (cd "$CDC_HOME" && mvnw -DskipTests package -pl connectors/connect-plugin -am) >&2 \
    || die "building the plugin bundle failed"
  "$CDC_HOME/bin/cdc" stack up --with-kafka >&2 || die "starting the stack with Kafka failed"
  env="$("$CDC_HOME/bin/cdc" stack env)"
  bench_on_stack io.cdcpipeline.bench.ConnectBenchmark --connect-url "$(env_value CDC_CONNECT_URL <<<"$env")" \
    --kafka-bootstrap "$(env_value CDC_KAFKA_BOOTSTRAP <<<"$env")" "$@"
}

# bench_build: starts the stack and builds the bench module with its runtime classpath (logs go to stderr).
bench_build() {
  "$CDC_HOME/bin/cdc" stack up >&2
  log "building the benchmark (./mvnw install -pl bench -am, no tests)" >&2
  (cd "$CDC_HOME" && mvnw -DskipTests install -pl bench -am \
    && mvnw -f bench/pom.xml dependency:build-classpath -DincludeScope=runtime \
         -Dmdep.outputFile="$CDC_HOME/bench/target/bench.classpath") >&2
}

# bench_java MAIN ARGS...: runs a benchmark's main class on the bench module's classpath.
bench_java() {
  local main="$1"
  shift
  "$(java_home)/bin/java" -Xmx3g -cp "$CDC_HOME/bench/target/classes:$(cat "$CDC_HOME/bench/target/bench.classpath")" \
    "$main" "$@"
}

# bench_run MAIN URL_VARIABLE ARGS...: builds the bench module and runs one benchmark against the stack's URL.
bench_run() {
  local main="$1" url_var="$2"
  shift 2
  bench_build || die "building the benchmark failed"
  bench_java "$main" --url "$("$CDC_HOME/bin/cdc" stack env | env_value "$url_var")" \
    --report "$CDC_HOME/docs/benchmarks.md" "$@"
}
