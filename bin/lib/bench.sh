# bin/cdc bench clickhouse|elasticsearch [--rows N] [--rounds N]: benchmarks that print figures and write docs/benchmarks.md.
# Never part of the test suite: speed is measured here, on a quiet machine, not asserted in tests.

bench_main() {
  local what="${1:-}"
  [ $# -gt 0 ] && shift
  case "$what" in
    clickhouse) bench_run io.cdcpipeline.bench.ClickHouseSinkBenchmark CDC_CH_URL "$@" ;;
    elasticsearch) bench_run io.cdcpipeline.bench.ElasticsearchSinkBenchmark CDC_ES_URL "$@" ;;
    *) die "usage: bin/cdc bench clickhouse|elasticsearch [--rows N] [--rounds N]" ;;
  esac
}

# bench_run MAIN URL_VARIABLE ARGS...: builds the bench module and runs one benchmark against the stack.
bench_run() {
  local main="$1" url_var="$2"
  shift 2
  "$CDC_HOME/bin/cdc" stack up
  local cp_file="$CDC_HOME/bench/target/bench.classpath"
  log "building the benchmark (./mvnw install -pl bench -am, no tests)"
  (cd "$CDC_HOME" && mvnw -DskipTests install -pl bench -am \
    && mvnw -f bench/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file") \
    || die "building the benchmark failed"
  "$(java_home)/bin/java" -Xmx3g -cp "$CDC_HOME/bench/target/classes:$(cat "$cp_file")" \
    "$main" --url "$("$CDC_HOME/bin/cdc" stack env | sed -n "s/^$url_var=//p")" \
    --report "$CDC_HOME/docs/benchmarks.md" "$@"
}
