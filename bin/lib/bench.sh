# bin/cdc bench clickhouse [--rows N] [--rounds N]: benchmarks that print figures and write docs/benchmarks.md.
# Never part of the test suite: speed is measured here, on a quiet machine, not asserted in tests.

bench_main() {
  local what="${1:-}"
  [ $# -gt 0 ] && shift
  case "$what" in
    clickhouse) bench_clickhouse "$@" ;;
    *) die "usage: bin/cdc bench clickhouse [--rows N] [--rounds N]" ;;
  esac
}

bench_clickhouse() {
  "$CDC_HOME/bin/cdc" stack up
  local cp_file="$CDC_HOME/bench/target/bench.classpath"
  log "building the benchmark (./mvnw install -pl bench -am, no tests)"
  (cd "$CDC_HOME" && mvnw -DskipTests install -pl bench -am \
    && mvnw -f bench/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file") \
    || die "building the benchmark failed"
  "$(java_home)/bin/java" -Xmx3g -cp "$CDC_HOME/bench/target/classes:$(cat "$cp_file")" \
    io.cdcpipeline.bench.ClickHouseSinkBenchmark --url "$(ch_url_from_env)" --report "$CDC_HOME/docs/benchmarks.md" "$@"
}

ch_url_from_env() {
  "$CDC_HOME/bin/cdc" stack env | sed -n 's/^CDC_CH_URL=//p'
}
