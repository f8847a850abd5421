# bin/cdc test [--long] [maven args]: the whole test suite on real servers, in timed phases.
#   1. stack up --with-kafka --for-tests (installs what is missing, test tools included, starts what is down), then
#      ShellCheck over bin/
#   2. ./mvnw verify: unit tests (Surefire) and integration tests (Failsafe) of every module on that one stack
#   3. stack down, but only when this command was the one that brought the stack up
# --long runs only the long suites (kill loops, scale) with their long rounds and sizes, and writes their figures into
# docs/reliability/ (commit them).
# A full run (no maven args) ends by writing docs/reliability.md from the cases its tests recorded (commit it too).

LONG_SUITES="PositionStoreKillIT,RunnerKillIT,ScaleIT"

# The command-line scripts, linted at warning level: what users run first must not hide quoting or exit-code bugs.
shellcheck_scripts() {
  (cd "$CDC_HOME" && shellcheck -x -S warning bin/cdc bin/lib/*.sh .ci/run) || { log "test: shellcheck found problems in bin/ (above)"; return 1; }
}

test_main() {
  local started_stack="" rc=0 t_up t_verify=0 t_down=0 t0 full_run=""
  [ $# -eq 0 ] && full_run=1
  if [ "${1:-}" = "--long" ]; then
    shift
    set -- -Dcdc.long=true -Dit.test="$LONG_SUITES" -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
      -Dfailsafe.failIfNoSpecifiedTests=false "$@"
  fi

  "$CDC_HOME/bin/cdc" stack status >/dev/null 2>&1 || started_stack=1

  t0=$SECONDS
  log "== phase 1/3: stack up --with-kafka --for-tests, shellcheck of bin/"
  "$CDC_HOME/bin/cdc" stack up --with-kafka --for-tests || rc=$?
  if [ "$rc" -eq 0 ]; then
    shellcheck_scripts || rc=$?
  fi
  t_up=$((SECONDS - t0))

  if [ "$rc" -eq 0 ]; then
    t0=$SECONDS
    log "== phase 2/3: ./mvnw verify $*"
    [ -z "$full_run" ] || rm -rf "$CDC_HOME/target/reliability"
    (cd "$CDC_HOME" && ./mvnw -B --no-transfer-progress verify "$@") || rc=$?
    t_verify=$((SECONDS - t0))
    if [ "$rc" -eq 0 ] && [ -n "$full_run" ]; then
      "${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "$CDC_HOME/testkit/target/classes" io.cdcpipeline.testkit.ReliabilityReport "$CDC_HOME" || rc=$?
    fi
  fi

  if [ -n "$started_stack" ] && [ -z "${CDC_KEEP_STACK:-}" ]; then
    t0=$SECONDS
    log "== phase 3/3: stack down (this command started it; set CDC_KEEP_STACK=1 to keep it)"
    "$CDC_HOME/bin/cdc" stack down || { [ "$rc" -ne 0 ] || rc=1; }
    t_down=$((SECONDS - t0))
  else
    log "== phase 3/3: stack left up (it was up before, or CDC_KEEP_STACK is set)"
  fi

  log ""
  log "phase times: stack up ${t_up}s, build and tests ${t_verify}s, stack down ${t_down}s"
  if [ "$rc" -eq 0 ]; then
    log "test: all phases passed"
  else
    log "test: FAILED (exit $rc)"
  fi
  return "$rc"
}
