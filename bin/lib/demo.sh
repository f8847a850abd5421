# bin/cdc demo: the whole pipeline on a small shop, from nothing to rows arriving in ClickHouse and Elasticsearch.
#   stack up -> build -> fresh demo database, tables and seed rows -> runner -> load generator -> show the copies.
# Ctrl-C stops everything it started (and the stack, if the demo brought it up), and drops the demo's replication slot:
# a slot left behind would keep Postgres's WAL for ever.

source "$CDC_HOME/bin/lib/stack.sh"
source "$CDC_HOME/bin/lib/runner.sh"
source "$CDC_HOME/bin/lib/lag.sh"

DEMO_DIR="$CDC_WORK_DIR/demo"
DEMO_RUNNER_PID=""
DEMO_LOAD_PID=""
DEMO_LAG_PID=""
export CDC_DEMO_LAG_PORT="${CDC_DEMO_LAG_PORT:-29464}"
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
  eval "$(stack_env)"
  local cp lag_cp
  cp="$(runner_classpath)"
  lag_cp="$(lag_classpath)"
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

  demo_wait_for_rows 500
  log "demo: starting the lag monitor (connect-configs/lag-monitor/demo.yaml); its log: $DEMO_DIR/lag.log"
  "$CDC_HOME/bin/cdc" lag run --config "$CDC_HOME/connect-configs/lag-monitor/demo.yaml" >"$DEMO_DIR/lag.log" 2>&1 &
  DEMO_LAG_PID=$!
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

# The initial snapshot in both copies: the first summary must not show one copy still empty.
demo_wait_for_rows() {
  local want="$1" ch="" es="" deadline=$((SECONDS + 120))
  while [ "$SECONDS" -lt "$deadline" ]; do
    ch="$(ch_query "SELECT count() FROM demo.orders_current" 2>/dev/null || true)"
    es="$(demo_es_count)"
    if [ "${ch:-0}" -ge "$want" ] 2>/dev/null && [ "${es:-0}" -ge "$want" ] 2>/dev/null; then
      log "demo: the initial snapshot arrived: $ch orders in ClickHouse demo.orders_current, $es in Elasticsearch demo_orders"
      return 0
    fi
    kill -0 "$DEMO_RUNNER_PID" 2>/dev/null || { show_log_tail runner "$DEMO_DIR/runner.log"; die "the pipeline stopped"; }
    sleep 1
  done
  show_log_tail runner "$DEMO_DIR/runner.log"
  die "the initial snapshot did not reach both copies within 120 s (ClickHouse: ${ch:-?}, Elasticsearch: ${es:-?} of $want orders)"
}

# The orders Elasticsearch holds (after a refresh); empty while the index does not exist yet.
demo_es_count() {
  curl -fsS -X POST "$CDC_ES_URL/demo_orders/_refresh" >/dev/null 2>&1 || true
  { curl -fsS "$CDC_ES_URL/demo_orders/_count" 2>/dev/null || true; } | grep -o '"count":[0-9]*' | cut -d: -f2 || true
}

demo_show() {
  local pg ch es
  pg="$(pg_psql -d demo -c 'SELECT count(*) FROM orders' 2>/dev/null || echo '?')"
  ch="$(ch_query 'SELECT count() FROM demo.orders_current' 2>/dev/null || echo '?')"
  es="$(demo_es_count)"
  cat <<SHOW

demo: orders in Postgres: $pg, in ClickHouse (demo.orders_current): $ch, in Elasticsearch (demo_orders): ${es:-?}

Look for yourself:
  clickhouse-client --port $CDC_CH_NATIVE_PORT --query "SELECT status, count(), sum(total) FROM demo.orders_current GROUP BY status ORDER BY status"
  clickhouse-client --port $CDC_CH_NATIVE_PORT --query "SELECT id, status, total, _cdc_version, _cdc_source_ts FROM demo.orders FINAL ORDER BY _cdc_version DESC LIMIT 5"
  curl -s '$CDC_ES_URL/demo_orders/_search?q=status:paid&size=3&pretty'
  psql -h $CDC_PG_HOST -p $CDC_PG_PORT -U $CDC_PG_USER demo -c "UPDATE orders SET status = 'returned' WHERE id = 1"

How fresh each copy is (the lag monitor: heartbeats through the pipeline, SLOs, alerts):
  status page  http://127.0.0.1:$CDC_DEMO_LAG_PORT/
  bin/cdc lag status --url http://127.0.0.1:$CDC_DEMO_LAG_PORT
SHOW
  demo_lag_status
}

# The monitor's view once it reports healthy (both copies measured within their SLOs), or what it says after 30 s.
demo_lag_status() {
  local out="" lag_cp
  lag_cp="$(lag_classpath)" deadline=$((SECONDS + 30))
  while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$DEMO_LAG_PID" 2>/dev/null; do
    if out="$("$(java_home)/bin/java" -cp "$lag_cp" io.cdcpipeline.lag.LagMain status --url "http://127.0.0.1:$CDC_DEMO_LAG_PORT" 2>/dev/null)"; then
      break
    fi
    sleep 2
  done
  kill -0 "$DEMO_LAG_PID" 2>/dev/null || show_log_tail "lag monitor" "$DEMO_DIR/lag.log"
  [ -z "$out" ] || printf '\n%s\n' "$out"
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
  if [ -n "$DEMO_LAG_PID" ]; then
    kill "$DEMO_LAG_PID" 2>/dev/null
    wait "$DEMO_LAG_PID" 2>/dev/null
  fi
  if [ -n "$DEMO_RUNNER_PID" ] && kill -0 "$DEMO_RUNNER_PID" 2>/dev/null; then
    kill -TERM "$DEMO_RUNNER_PID" 2>/dev/null
    wait "$DEMO_RUNNER_PID" 2>/dev/null
    grep 'progress:' "$DEMO_DIR/runner.log" | tail -n1
  fi
  if [ -n "$DEMO_RUNNER_PID" ]; then
    pg_psql -c "SELECT pg_drop_replication_slot('cdc_demo') FROM pg_replication_slots WHERE slot_name = 'cdc_demo'" \
      >/dev/null 2>&1 && log "demo: replication slot cdc_demo dropped (the copies stay; the next demo starts afresh)"
  fi
  if [ -n "$DEMO_STARTED_STACK" ] && [ -z "${CDC_KEEP_STACK:-}" ]; then
    "$CDC_HOME/bin/cdc" stack down
  fi
}
