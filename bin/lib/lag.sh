# bin/cdc lag run|status|rules: the lag monitor, and the build that makes its classpath.

LAG_CP_FILE="$CDC_HOME/lag-monitor/target/lag.classpath"

lag_build() {
  log "building the lag monitor (./mvnw install -pl lag-monitor -am, no tests)" >&2
  (cd "$CDC_HOME" && mvnw -DskipTests install -pl lag-monitor -am \
    && mvnw -f lag-monitor/pom.xml dependency:build-classpath -DincludeScope=runtime -Dmdep.regenerateFile=true \
      -Dmdep.outputFile="$LAG_CP_FILE") >&2 || die "building the lag monitor failed"
}

# CDC_LAG_CLASSPATH: a classpath to use instead (the test suite hands its own, so no build runs inside a build).
lag_classpath() {
  if [ -n "${CDC_LAG_CLASSPATH:-}" ]; then
    printf '%s' "$CDC_LAG_CLASSPATH"
    return 0
  fi
  build_current "$LAG_CP_FILE" || lag_build
  printf '%s:%s' "$CDC_HOME/lag-monitor/target/classes" "$(cat "$LAG_CP_FILE")"
}

lag_main() {
  [ $# -gt 0 ] || die "usage: bin/cdc lag run --config FILE [--validate-only] | status [--url URL] | rules --config FILE [--out FILE]"
  local cp
  cp="$(lag_classpath)"
  exec "$(java_home)/bin/java" -Xmx256m -cp "$cp" io.cdcpipeline.lag.LagMain "$@"
}
