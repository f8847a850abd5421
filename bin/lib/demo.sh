# bin/cdc demo: the whole pipeline on a small shop, from nothing to rows arriving in ClickHouse and Elasticsearch.
#   stack up -> build -> fresh demo database, tables and seed rows -> runner -> load generator -> show the copies.
# Ctrl-C stops everything it started (and the stack, if the demo brought it up).

source "$CDC_HOME/bin/lib/stack.sh"
source "$CDC_HOME/bin/lib/runner.sh"

DEMO_DIR="$CDC_WORK_DIR/demo"
DEMO_RUNNER_PID=""
DEMO_LOAD_PID=""
DEMO_STARTED_STACK=""

demo_main() {
  local seconds=0 rate=50
  while [ $# -gt 0 ]; do
    case "$1" in
      --seconds) seconds="$2"; shift ;;
      --rate) rate="$2"; shift ;;
      *) die "demo: unknown option '$1' (expected --seconds N, --rate N)" ;;
    esac
    shift
  done

  "$CDC_HOME/bin/cdc" stack status >/dev/null 2>&1 || DEMO_STARTED_STACK=1
  "$CDC_HOME/bin/cdc" stack up
  eval "$(stack_env | sed 's/^/export /')"
  runner_build
  local cp
  cp="$(runner_classpath)"
  trap demo_stop INT TERM
  trap demo_cleanup EXIT

  demo_reset
  log "demo: creating the shop schema in Postgres database 'demo'"
  "$(java_home)/bin/java" -cp "$cp" io.cdcpipeline.embedded.demo.DemoLoad --create-schema \
    --jdbc-url "jdbc:postgresql://$CDC_PG_HOST:$CDC_PG_PORT/demo" --user "$CDC_PG_USER" 2>&1 | grep -v '^SLF4J' || true

  log "demo: starting the pipeline (connect-configs/embedded/demo.properties); its log: $DEMO_DIR/runner.log"
  "$(java_home)/bin/java" "-Xmx${CDC_RUNNER_HEAP:-512m}" -cp "$cp" io.cdcpipeline.embedded.RunnerMain \
    --config "$CDC_HOME/connect-configs/embedded/demo.properties" >"$DEMO_DIR/runner.log" 2>&1 &
  DEMO_RUNNER_PID=$!

  demo_wait_for_rows orders_current 500
  log "demo: starting the load generator ($rate transactions/s)"
  "$(java_home)/bin/java" -cp "$cp" io.cdcpipeline.embedded.demo.DemoLoad --rate "$rate" --seconds "$seconds" \
    --jdbc-url "jdbc:postgresql://$CDC_PG_HOST:$CDC_PG_PORT/demo" --user "$CDC_PG_USER" >"$DEMO_DIR/load.log" 2>&1 &
  DEMO_LOAD_PID=$!

  demo_show
  log ""
  log "demo: running; the runner's progress follows (Ctrl-C stops everything the demo started)"
  local deadline=$((SECONDS + seconds))
  while kill -0 "$DEMO_RUNNER_PID" 2>/dev/null; do
    if [ "$seconds" -gt 0 ] && [ "$SECONDS" -ge "$deadline" ]; then
      break
    fi
    sleep 5
    grep 'progress:' "$DEMO_DIR/runner.log" | tail -n1
  done
  kill -0 "$DEMO_RUNNER_PID" 2>/dev/null || { show_log_tail runner "$DEMO_DIR/runner.log"; die "the pipeline stopped"; }
  sleep 3
  demo_show
}

# A fresh start every time: the demo database, slot, ClickHouse database, indices and offsets are re-created.
demo_reset() {
  mkdir -p "$DEMO_DIR"
  rm -rf "$DEMO_DIR/offsets.dat" "$DEMO_DIR/dead-letters"
  pg_psql -c "SELECT pg_drop_replication_slot('cdc_demo') FROM pg_replication_slots WHERE slot_name = 'cdc_demo'" >/dev/null
  pg_psql -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS demo WITH (FORCE)" -c "CREATE DATABASE demo" >/dev/null
  ch_query "DROP DATABASE IF EXISTS demo" 120 >/dev/null || die "could not drop ClickHouse database demo"
  ch_query "CREATE DATABASE demo" 120 >/dev/null
  curl -fsS -X DELETE "$CDC_ES_URL/demo_*?expand_wildcards=all" >/dev/null
}

demo_wait_for_rows() {
  local view="$1" want="$2" n="" deadline=$((SECONDS + 120))
  while [ "$SECONDS" -lt "$deadline" ]; do
    n="$(ch_query "SELECT count() FROM demo.$view" 2>/dev/null || true)"
    if [ -n "$n" ] && [ "$n" -ge "$want" ] 2>/dev/null; then
      log "demo: the initial snapshot arrived: $n rows in ClickHouse demo.$view"
      return 0
    fi
    kill -0 "$DEMO_RUNNER_PID" 2>/dev/null || { show_log_tail runner "$DEMO_DIR/runner.log"; die "the pipeline stopped"; }
    sleep 1
  done
  show_log_tail runner "$DEMO_DIR/runner.log"
  die "no rows reached ClickHouse within 120 s"
}

demo_show() {
  local pg ch es
  pg="$(pg_psql -d demo -c 'SELECT count(*) FROM orders' 2>/dev/null || echo '?')"
  ch="$(ch_query 'SELECT count() FROM demo.orders_current' 2>/dev/null || echo '?')"
  curl -fsS -X POST "$CDC_ES_URL/demo_orders/_refresh" >/dev/null 2>&1 || true
  es="$(curl -fsS "$CDC_ES_URL/demo_orders/_count" 2>/dev/null | grep -o '"count":[0-9]*' | cut -d: -f2)"
  cat <<SHOW

demo: orders in Postgres: $pg, in ClickHouse (demo.orders_current): $ch, in Elasticsearch (demo_orders): ${es:-?}

Look for yourself:
  clickhouse-client --port $CDC_CH_NATIVE_PORT --query "SELECT status, count(), sum(total) FROM demo.orders_current GROUP BY status ORDER BY status"
  clickhouse-client --port $CDC_CH_NATIVE_PORT --query "SELECT id, status, total, _cdc_version, _cdc_source_ts FROM demo.orders FINAL ORDER BY _cdc_version DESC LIMIT 5"
  curl -s '$CDC_ES_URL/demo_orders/_search?q=status:paid&size=3&pretty'
  psql -h $CDC_PG_HOST -p $CDC_PG_PORT -U $CDC_PG_USER demo -c "UPDATE orders SET status = 'returned' WHERE id = 1"
SHOW
}

demo_stop() {
  log ""
  log "demo: stopping"
  exit 0
}

demo_cleanup() {
  set +e # clean up as much as can be cleaned, whatever fails
  if [ -n "$DEMO_LOAD_PID" ]; then
    kill "$DEMO_LOAD_PID" 2>/dev/null
  fi
  if [ -n "$DEMO_RUNNER_PID" ] && kill -0 "$DEMO_RUNNER_PID" 2>/dev/null; then
    kill -TERM "$DEMO_RUNNER_PID" 2>/dev/null
    wait "$DEMO_RUNNER_PID" 2>/dev/null
    grep 'progress:' "$DEMO_DIR/runner.log" | tail -n1
  fi
  if [ -n "$DEMO_STARTED_STACK" ] && [ -z "${CDC_KEEP_STACK:-}" ]; then
    "$CDC_HOME/bin/cdc" stack down
  fi
}
