# bin/cdc run --config FILE: the embedded runner, and the build that makes its classpath.

RUNNER_CP_FILE="$CDC_HOME/connectors/embedded/target/runner.classpath"

# Builds the runner and its modules (no tests) and records its classpath; quiet unless it fails.
runner_build() {
  log "building the runner (./mvnw install -pl connectors/embedded -am, no tests)"
  (cd "$CDC_HOME" && mvnw -DskipTests install -pl connectors/embedded -am \
    && mvnw -f connectors/embedded/pom.xml dependency:build-classpath -DincludeScope=runtime -Dmdep.regenerateFile=true \
      -Dmdep.outputFile="$RUNNER_CP_FILE") || die "building the runner failed"
}

# CDC_RUNNER_CLASSPATH: a classpath to use instead (the test suite hands its own, so no build runs inside a build).
runner_classpath() {
  if [ -n "${CDC_RUNNER_CLASSPATH:-}" ]; then
    printf '%s' "$CDC_RUNNER_CLASSPATH"
    return 0
  fi
  build_current "$RUNNER_CP_FILE" || runner_build >&2 # its output must not join the classpath printed below
  printf '%s:%s' "$CDC_HOME/connectors/embedded/target/classes" "$(cat "$RUNNER_CP_FILE")"
}

# runner_java MAIN ARGS...: runs a main class of the runner module in the foreground, with a 512 MB heap (the
# runner's buffers are bounded in bytes; docs/benchmarks.md shows its peak under load). CDC_RUNNER_HEAP overrides.
runner_java() {
  local cp
  cp="$(runner_classpath)"
  exec "$(java_home)/bin/java" "-Xmx${CDC_RUNNER_HEAP:-512m}" -cp "$cp" "$@"
}

run_main() {
  [ $# -gt 0 ] || die "usage: bin/cdc run --config FILE [--validate-only]"
  runner_java io.cdcpipeline.embedded.RunnerMain "$@"
}

# --connect-configs: a Connect deployment's connector files read ${env:CDC_*}; unless set here, the local stack's
# endpoints, as its worker has them (bin/cdc stack env prints them).
export_connect_env() {
  source "$CDC_HOME/bin/lib/clickhouse.sh"
  source "$CDC_HOME/bin/lib/elasticsearch.sh"
  source "$CDC_HOME/bin/lib/kafka.sh"
  local line name
  while IFS= read -r line; do
    name="${line%%=*}"
    export "$name=${!name:-${line#*=}}"
  done < <(connect_env)
}

validate_main() {
  [ $# -gt 0 ] || die "usage: bin/cdc validate --config FILE | --connect-configs DIR [--table schema.table ...] [--sink NAME ...] [--json] [--repair]"
  export_connect_env
  # A Connect deployment's dead-letter topics are counted in this Kafka (the stack's unless set).
  export CDC_KAFKA_BOOTSTRAP="${CDC_KAFKA_BOOTSTRAP:-$(kafka_bootstrap)}"
  local cp
  cp="$(runner_classpath)"
  exec "$(java_home)/bin/java" -Xmx1g -Dcdc.log.target=System.err -cp "$cp" io.cdcpipeline.embedded.ValidateMain "$@"
}

snapshot_main() {
  [ $# -gt 0 ] || die "usage: bin/cdc snapshot --config FILE | --connect-configs DIR --table schema.table [--where SQL]"
  export_connect_env
  runner_java io.cdcpipeline.embedded.SnapshotMain "$@"
}

dead_letters_main() {
  [ $# -gt 0 ] || die "usage: bin/cdc dead-letters replay --config FILE --sink NAME [--table schema.table]"
  runner_java io.cdcpipeline.embedded.DeadLettersMain "$@"
}

rebuild_main() {
  [ $# -gt 0 ] || die "usage: bin/cdc rebuild --config FILE --table schema.table [--sink NAME] [--delete-old]"
  runner_java io.cdcpipeline.embedded.RebuildMain "$@"
}

# bin/cdc docs: docs/configuration.md from the ConfigDefs of the sinks, transforms and runner.
docs_main() {
  runner_java io.cdcpipeline.embedded.ConfigurationDocs "$CDC_HOME/docs/configuration.md"
}
