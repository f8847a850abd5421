# PostgreSQL 15 with logical decoding, run as the 'postgres' user from a data folder under the work dir.

PG_DIR="$CDC_WORK_DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"

pg_as() { runuser -u postgres -- "$@"; }

pg_psql() { PGCONNECT_TIMEOUT=5 timeout 15 "$CDC_PG_BIN/psql" -h "$CDC_BIND_HOST" -p "$CDC_PG_PORT" -U "$CDC_PG_USER" -d postgres -tAq -X "$@"; }

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && is_alive "$PG_DATA/postmaster.pid"; }

pg_healthy() { pg_psql -c 'select 1' >/dev/null 2>&1; }

pg_init() {
  [ -f "$PG_DATA/PG_VERSION" ] && return 0
  log "postgres: creating a cluster in $PG_DATA"
  mkdir -p "$PG_DIR" "$PG_RUN"
  chown postgres: "$PG_DIR" "$PG_RUN"
  ensure_traversable postgres "$PG_DIR"
  pg_as "$CDC_PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
    || { show_log_tail initdb "$PG_DIR/initdb.log"; die "postgres: initdb failed"; }
  # Settings that stay the same for every start; the port and socket folder are given on the command line, so a
  # changed CDC_PG_PORT takes effect without re-creating the cluster.
  cat >>"$PG_DATA/postgresql.conf" <<CONF

# --- written by bin/cdc stack up ---
listen_addresses = '$CDC_BIND_HOST'
wal_level = logical
max_replication_slots = 32
max_wal_senders = 32
max_connections = 200
shared_buffers = 128MB
# A session waiting on a lock longer than deadlock_timeout (1 s) is logged with who holds it.
log_lock_waits = on
CONF
}

pg_start() {
  if pg_running; then
    if pg_healthy; then
      log "postgres: already running at $CDC_BIND_HOST:$CDC_PG_PORT"
      return 0
    fi
    log "postgres: pid $(pid_of "$PG_DATA/postmaster.pid") is running but not answering; restarting it"
    pg_stop
  fi
  pg_init
  log "postgres: starting on $CDC_BIND_HOST:$CDC_PG_PORT"
  chown postgres: "$PG_RUN"
  pg_as "$CDC_PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$CDC_PG_START_TIMEOUT" \
    -o "-p $CDC_PG_PORT -k $PG_RUN" start >/dev/null 9>&- \
    || { show_log_tail postgres "$PG_LOG"; die "postgres did not start"; }
  wait_until "$CDC_PG_START_TIMEOUT" postgres pg_healthy || { show_log_tail postgres "$PG_LOG"; die "postgres is not answering"; }
}

# pg_stop [fast|immediate]: 'immediate' is a crash as far as Postgres knows (no checkpoint; recovery at the next start).
# shellcheck disable=SC2120 # 'stack stop postgres immediate' (stack.sh) passes the mode
pg_stop() {
  local mode="${1:-fast}"
  case "$mode" in fast | immediate) ;; *) die "postgres: stop mode is fast or immediate, got '$mode'" ;; esac
  if pg_running; then
    log "postgres: stopping ($mode)"
    pg_as "$CDC_PG_BIN/pg_ctl" -D "$PG_DATA" -m "$mode" -w -t 60 stop >/dev/null || stop_pid postgres "$PG_DATA/postmaster.pid"
  fi
}

pg_version() { pg_psql -c 'show server_version' 2>/dev/null | head -n1; }
pg_endpoint() { printf 'postgresql://%s@%s:%s/postgres' "$CDC_PG_USER" "$CDC_BIND_HOST" "$CDC_PG_PORT"; }
pg_log() { printf '%s' "$PG_LOG"; }
