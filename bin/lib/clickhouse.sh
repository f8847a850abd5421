# ClickHouse from Debian's clickhouse-server package, with its own config so that data and logs live under the
# work dir and it listens on 127.0.0.1 only.

CH_DIR="$CDC_WORK_DIR/clickhouse"
CH_PID="$CH_DIR/clickhouse.pid"
CH_ERRLOG="$CH_DIR/log/clickhouse-server.err.log"
CH_STDOUT="$CH_DIR/log/stdout.log"

ch_url() { printf 'http://%s:%s' "$CDC_BIND_HOST" "$CDC_CH_HTTP_PORT"; }

ch_running() { is_alive "$CH_PID"; }

ch_healthy() { [ "$(curl -fsS --max-time 2 "$(ch_url)/ping" 2>/dev/null)" = "Ok." ]; }

# ch_query SQL [SECONDS]: runs one statement over HTTP; DDL on a busy server may need more than the default 10 s.
ch_query() { curl -fsS --max-time "${2:-10}" --data-binary "$1" "$(ch_url)/"; }

# One <users> entry: a user only local clients can use, with its password (empty: none) and profile.
ch_local_user() {
  cat <<XML
        <$1>
            <password>$2</password>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>$3</profile>
            <quota>default</quota>
        </$1>
XML
}

# ch_server_config DIR HTTP_PORT NATIVE_PORT INTERSERVER_PORT COMMENT [EXTRA_XML]: a server's config.xml in DIR, its
# data and logs under DIR, the users of the stack's own server; EXTRA_XML goes inside the root (a replica's cluster).
ch_server_config() {
  local dir="$1" http="$2" native="$3" interserver="$4" comment="$5" extra="${6:-}"
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<!-- $comment The <yandex> root is what 18.16 reads; newer servers accept it too. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$dir/log/clickhouse-server.log</log>
        <errorlog>$dir/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>$CDC_BIND_HOST</listen_host>
    <http_port>$http</http_port>
    <tcp_port>$native</tcp_port>
    <interserver_http_port>$interserver</interserver_http_port>
    <interserver_http_host>$CDC_BIND_HOST</interserver_http_host>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$CH_DIR/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <max_concurrent_queries>100</max_concurrent_queries>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
$extra
</yandex>
XML
}

ch_configure() {
  # Re-written on every start so that changed ports take effect; the data folder is kept.
  ch_server_config "$CH_DIR" "$CDC_CH_HTTP_PORT" "$CDC_CH_NATIVE_PORT" "$CDC_CH_INTERSERVER_PORT" \
    "Written by bin/cdc stack up."
  cat >"$CH_DIR/users.xml" <<XML
<?xml version="1.0"?>
<!-- Written by bin/cdc stack up: a passwordless 'default' user that only local clients can use, and two users the
     tests of infrastructure errors log in as: 'cdc_readonly' (may read, not write) and 'cdc_locked' (a password). -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>
    <users>
$(ch_local_user default "" default)
$(ch_local_user cdc_readonly "" readonly)
$(ch_local_user cdc_locked cdc-locked-secret default)
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
XML
}

ch_start() {
  if ch_running; then
    if ch_healthy; then
      log "clickhouse: already running at $(ch_url)"
      ch_configure # the same files again; a running server reloads users.xml by itself (users added since)
      return 0
    fi
    log "clickhouse: pid $(pid_of "$CH_PID") is running but not answering; restarting it"
    ch_stop
  fi
  ch_configure
  log "clickhouse: starting on $(ch_url) (native port $CDC_CH_NATIVE_PORT)"
  start_detached "$CH_PID" "$CH_STDOUT" "$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)" --config-file="$CH_DIR/config.xml"
}

ch_wait() {
  if ! wait_until "$CDC_CH_START_TIMEOUT" clickhouse --pid "$CH_PID" ch_healthy; then
    show_log_tail clickhouse "$CH_ERRLOG"
    show_log_tail "clickhouse stdout" "$CH_STDOUT"
    ch_stop
    die "clickhouse did not start (stopped what was left of it; its logs are in $CH_DIR/log)"
  fi
}

ch_stop() {
  if ch_running; then
    log "clickhouse: stopping"
    stop_pid clickhouse "$CH_PID"
  fi
  rm -f "$CH_PID"
}

ch_version() { ch_query 'SELECT version()' 2>/dev/null; }
ch_endpoint() { printf '%s (native %s:%s)' "$(ch_url)" "$CDC_BIND_HOST" "$CDC_CH_NATIVE_PORT"; }
ch_log() { printf '%s' "$CH_ERRLOG"; }
