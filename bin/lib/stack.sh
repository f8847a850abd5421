# bin/cdc stack up|down|status|env: the local stack of real servers that the pipeline and its tests run against.

source "$CDC_HOME/bin/lib/install.sh"
source "$CDC_HOME/bin/lib/postgres.sh"
source "$CDC_HOME/bin/lib/clickhouse.sh"
source "$CDC_HOME/bin/lib/elasticsearch.sh"
source "$CDC_HOME/bin/lib/kafka.sh"
source "$CDC_HOME/bin/lib/cluster.sh"

# Present while the stack was brought up with --with-kafka, so status and env know Kafka belongs to it.
KAFKA_MARKER="$CDC_WORK_DIR/stack.with-kafka"

stack_main() {
  local sub="${1:-}"
  [ $# -gt 0 ] && shift
  case "$sub" in
    up) stack_up "$@" ;;
    down) stack_down "$@" ;;
    status) stack_status "$@" ;;
    env) stack_env "$@" ;;
    stop) stack_stop_one "$@" ;;
    side-es) stack_side_es "$@" ;;
    side-pg) stack_side_pg "$@" ;;
    worker) connect_worker_main "$@" ;;
    *) echo "usage: bin/cdc stack up [--with-kafka] [--cluster] [--for-tests] | down | status | env | stop SERVER" >&2; exit 2 ;;
  esac
}

# One 'up' or 'down' at a time per work dir: several test JVMs may ask for the stack at once.
stack_lock() {
  mkdir -p "$CDC_WORK_DIR/logs"
  exec 9>"$CDC_WORK_DIR/stack.lock"
  flock -w 900 9 || die "another 'bin/cdc stack' command holds $CDC_WORK_DIR/stack.lock"
}

stack_up() {
  local with_kafka="" for_tests="" with_cluster=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --with-kafka) with_kafka=1 ;;
      --cluster) with_cluster=1 ;;
      --for-tests) for_tests=1 ;;
      *) die "stack up: unknown option '$1' (expected --with-kafka, --cluster, --for-tests)" ;;
    esac
    shift
  done
  [ -f "$KAFKA_MARKER" ] && with_kafka=1   # keep Kafka in a stack that already has it
  [ -f "$CLUSTER_MARKER" ] && with_cluster=1   # and the cluster
  stack_lock
  preflight_ports "$with_kafka" "$with_cluster"
  local was_up=""
  stack_all_up "$with_kafka" && { [ -z "$with_cluster" ] || cluster_healthy; } && was_up=1

  local t0=$SECONDS
  install_base
  install_postgres
  install_clickhouse
  install_elasticsearch
  if [ -n "$for_tests" ]; then
    # What only the test suite uses: a user's first 'stack up' (and bin/cdc demo) does not wait for it.
    install_promtool
    install_chromium
    install_compose
    install_shellcheck
    install_chdb
  fi
  if [ -n "$with_kafka" ]; then
    install_kafka
    install_connect_plugins
  fi
  [ -n "$with_cluster" ] && install_zookeeper
  local t_install=$((SECONDS - t0))

  # Slow starters first, then wait for all: Elasticsearch dominates, so the others start in its shadow.
  es_start
  ch_start
  pg_start
  if [ -n "$with_kafka" ]; then
    touch "$KAFKA_MARKER"
    kafka_start
  fi
  ch_wait
  if [ -n "$with_kafka" ]; then
    kafka_wait
    connect_start
  fi
  [ -n "$with_cluster" ] && cluster_up
  es_wait
  [ -n "$with_kafka" ] && connect_wait

  stack_summary
  if [ -n "$was_up" ] && [ -z "${OWN_PLUGIN_CHANGED:-}" ]; then
    log "stack: everything was already up; nothing changed"
  else
    log "stack: up in $((SECONDS - t0))s (installing took ${t_install}s); 'bin/cdc stack env' prints the endpoints"
  fi
}

# Before installing or starting anything: every port a server of ours is about to listen on must be free. A port
# taken by someone else's server would otherwise make that server look healthy to our checks.
preflight_ports() {
  local busy=()
  pg_running || port_free_or_note busy CDC_PG_PORT
  if ! ch_running; then
    port_free_or_note busy CDC_CH_HTTP_PORT
    port_free_or_note busy CDC_CH_NATIVE_PORT
    port_free_or_note busy CDC_CH_INTERSERVER_PORT
  fi
  if ! es_running; then
    port_free_or_note busy CDC_ES_PORT
    port_free_or_note busy CDC_ES_TRANSPORT_PORT
  fi
  if [ -n "$1" ]; then
    if ! kafka_running; then
      port_free_or_note busy CDC_KAFKA_PORT
      port_free_or_note busy CDC_KAFKA_CONTROLLER_PORT
    fi
    connect_running || port_free_or_note busy CDC_CONNECT_PORT
    connect_running || port_free_or_note busy CDC_CONNECT_JMX_PORT
  fi
  if [ -n "${2:-}" ]; then
    local n
    zk_running || port_free_or_note busy CDC_ZK_PORT
    for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do
      replica_running "$n" && continue
      port_open "$(replica_http_port "$n")" && busy+=("replica r$n HTTP=$(replica_http_port "$n")")
      port_open "$(replica_native_port "$n")" && busy+=("replica r$n native=$(replica_native_port "$n")")
      port_open "$(replica_interserver_port "$n")" && busy+=("replica r$n interserver=$(replica_interserver_port "$n")")
    done
    for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do
      es_node_running "$n" && continue
      port_open "$(es_node_http_port "$n")" && busy+=("elasticsearch c$n HTTP=$(es_node_http_port "$n")")
      port_open "$(es_node_transport_port "$n")" && busy+=("elasticsearch c$n transport=$(es_node_transport_port "$n")")
    done
  fi
  if [ ${#busy[@]} -gt 0 ]; then
    die "ports already in use by processes this stack did not start: ${busy[*]}; stop those processes or choose other ports with the variables named (nothing was started)"
  fi
}

# port_free_or_note ARRAY VARIABLE: appends "VARIABLE=port" to ARRAY when that port is taken.
port_free_or_note() {
  local -n list="$1"
  local port="${!2}"
  port_open "$port" && list+=("$2=$port")
  return 0
}

# stack_all_up WITH_KAFKA: true when every server of the stack answers.
stack_all_up() {
  pg_healthy && ch_healthy && es_healthy || return 1
  if [ -n "$1" ]; then
    kafka_running && kafka_healthy && connect_healthy || return 1
  fi
}

stack_summary() {
  printf '%-14s %-48s %s\n' SERVER ENDPOINT VERSION
  printf '%-14s %-48s %s\n' postgres "$(pg_endpoint)" "$(pg_version)"
  printf '%-14s %-48s %s\n' clickhouse "$(ch_endpoint)" "$(ch_version)"
  printf '%-14s %-48s %s\n' elasticsearch "$(es_endpoint)" "$(es_version)"
  if [ -f "$KAFKA_MARKER" ]; then
    printf '%-14s %-48s %s\n' kafka "$(kafka_bootstrap)" "$(kafka_version)"
    printf '%-14s %-48s %s\n' connect "$(connect_url)" "$(connect_version)"
  fi
  if [ -f "$CLUSTER_MARKER" ]; then
    cluster_summary
  fi
}

stack_down() {
  stack_lock
  cluster_down
  connect_stop
  kafka_stop
  es_stop
  ch_stop
  pg_stop
  rm -f "$KAFKA_MARKER"
  # Anything still running from the work dir was started by us and lost its pid file: name it and stop it.
  local left
  left="$(pgrep -f -- "$CDC_WORK_DIR/" || true)"
  if [ -n "$left" ]; then
    warn "processes still running from $CDC_WORK_DIR: $(echo $left); stopping them"
    kill -TERM $left 2>/dev/null || true
    sleep 3
    left="$(pgrep -f -- "$CDC_WORK_DIR/" || true)"
    [ -z "$left" ] || { kill -KILL $left 2>/dev/null || true; }
  fi
  log "stack: down"
}

# A second Elasticsearch node beside the stack's, with node settings of its own, for tests that need a node the
# shared one must not be (a tiny write queue to provoke 429s):
#   side-es up NAME HTTP_PORT TRANSPORT_PORT [key=value ...]   (prints its URL)   |   side-es down NAME
# bootstrap.password=... goes into the node's keystore: the elastic user's password when security is on; tls=true
# serves HTTPS with a certificate for 127.0.0.1 whose CA is in <work>/elasticsearch-NAME/config/truststore.p12;
# file-user=NAME:PASSWORD:ROLE adds a file-realm user whose role config/roles.yml (writable) defines.
# A second Postgres beside the stack's, with settings of its own (wal_level=replica, say, which the shared one must
# not have): bin/cdc stack side-pg up NAME PORT [setting=value ...] | down NAME. Prints its JDBC URL.
stack_side_pg() {
  local action="${1:-}" name="${2:-}"
  [ -n "$name" ] || die "usage: bin/cdc stack side-pg up NAME PORT [setting=value ...] | down NAME"
  shift 2
  PG_DIR="$CDC_WORK_DIR/postgres-$name"
  PG_DATA="$PG_DIR/data"
  PG_RUN="$PG_DIR/run"
  PG_LOG="$PG_DIR/postgres.log"
  case "$action" in
    up)
      [ $# -ge 1 ] || die "side-pg up: give the port"
      CDC_PG_PORT="$1"
      shift
      install_postgres
      pg_init
      local kv
      for kv in "$@"; do
        printf "%s = '%s'\n" "${kv%%=*}" "${kv#*=}" >>"$PG_DATA/postgresql.conf"   # later lines win
      done
      pg_start
      printf 'jdbc:postgresql://%s:%s/postgres\n' "$CDC_BIND_HOST" "$CDC_PG_PORT"
      ;;
    down)
      pg_stop immediate
      rm -rf "$PG_DIR"
      ;;
    *) die "usage: bin/cdc stack side-pg up NAME PORT [setting=value ...] | down NAME" ;;
  esac
}

stack_side_es() {
  local action="${1:-}" name="${2:-}"
  [ -n "$name" ] || die "usage: bin/cdc stack side-es up NAME HTTP_PORT TRANSPORT_PORT [key=value ...] | down NAME"
  shift 2
  ES_DIR="$CDC_WORK_DIR/elasticsearch-$name"
  ES_CONF="$ES_DIR/config"
  ES_PID="$ES_DIR/elasticsearch.pid"
  ES_LOG="$ES_DIR/logs/cdc-stack.log"
  ES_STDOUT="$ES_DIR/logs/stdout.log"
  case "$action" in
    up)
      [ $# -ge 2 ] || die "side-es up: give the HTTP and transport ports"
      CDC_ES_PORT="$1"
      CDC_ES_TRANSPORT_PORT="$2"
      shift 2
      CDC_ES_HEAP=256m
      ES_EXTRA_YML=""
      local kv
      for kv in "$@"; do
        if [ "$kv" = "tls=true" ]; then
          ES_HTTP_TLS=1   # a CA and certificate made with certutil; clients trust config/truststore.p12
          ES_EXTRA_YML+="xpack.security.http.ssl.enabled: true"$'\n'"xpack.security.http.ssl.keystore.path: http.p12"$'\n'
        elif [ "${kv%%=*}" = "bootstrap.password" ]; then
          ES_BOOTSTRAP_PASSWORD="${kv#*=}"   # into the keystore, not the yml
        elif [ "${kv%%=*}" = "file-user" ]; then
          ES_FILE_USERS="${ES_FILE_USERS:-} ${kv#*=}"   # NAME:PASSWORD:ROLE, a user of the file realm
        else
          ES_EXTRA_YML+="${kv%%=*}: ${kv#*=}"$'\n'
        fi
      done
      install_elasticsearch
      es_start
      es_wait
      if [ -n "${ES_HTTP_TLS:-}" ]; then
        printf 'truststore: %s\n' "$ES_CONF/truststore.p12"
        printf 'https://%s:%s\n' "$CDC_BIND_HOST" "$CDC_ES_PORT"
      else
        es_url
        echo
      fi
      ;;
    down)
      es_stop
      rm -rf "$ES_DIR"
      ;;
    *) die "usage: bin/cdc stack side-es up NAME HTTP_PORT TRANSPORT_PORT [key=value ...] | down NAME" ;;
  esac
}

# Stops one server (to rehearse an outage); 'stack up' starts it again.
stack_stop_one() {
  local server="${1:-}"
  stack_lock
  case "$server" in
    postgres) pg_stop "${2:-fast}" ;;
    clickhouse) ch_stop ;;
    elasticsearch) es_stop ;;
    kafka) kafka_stop ;;
    connect) connect_stop ;;
    clickhouse-r[0-9])
      [ -f "$CLUSTER_MARKER" ] || die "stack stop: $server is a replica of the cluster, which is not part of this stack"
      replica_stop "${server#clickhouse-r}" "${2:-}" ;;
    elasticsearch-c[0-9])
      [ -f "$CLUSTER_MARKER" ] || die "stack stop: $server is a node of the cluster, which is not part of this stack"
      es_node_stop "${server#elasticsearch-c}" "${2:-}" ;;
    *) die "stack stop: name one server: postgres, clickhouse, elasticsearch, kafka, connect, clickhouse-rN [kill], elasticsearch-cN [kill]" ;;
  esac
  log "stack: $server stopped; 'bin/cdc stack up' starts it again"
}

stack_status() {
  local all=0
  status_line postgres pg_healthy "$(pg_endpoint)" || all=1
  status_line clickhouse ch_healthy "$(ch_endpoint)" || all=1
  status_line elasticsearch es_healthy "$(es_endpoint)" || all=1
  if [ -f "$KAFKA_MARKER" ]; then
    status_line kafka kafka_healthy "$(kafka_bootstrap)" || all=1
    status_line connect connect_healthy "$(connect_url)" || all=1
  else
    printf '%-14s %-5s %s\n' kafka "-" "not part of this stack (bin/cdc stack up --with-kafka)"
    printf '%-14s %-5s %s\n' connect "-" "not part of this stack (bin/cdc stack up --with-kafka)"
  fi
  if [ -f "$CLUSTER_MARKER" ]; then
    status_line clusters cluster_healthy "zookeeper $CDC_BIND_HOST:$CDC_ZK_PORT, $CDC_CLUSTER_REPLICAS ClickHouse replicas, $CDC_ES_CLUSTER_NODES Elasticsearch nodes" || all=1
  fi
  return $all
}

status_line() {
  local name="$1" check="$2" endpoint="$3"
  if "$check"; then
    printf '%-14s %-5s %s\n' "$name" up "$endpoint"
  else
    printf '%-14s %-5s %s\n' "$name" down "$endpoint"
    return 1
  fi
}

# `export KEY=value` lines for eval (programs started afterwards see them), tests and scripts. The Kafka keys appear
# only when Kafka belongs to the stack.
stack_env() {
  env_line CDC_WORK_DIR "$CDC_WORK_DIR"
  env_line CDC_PG_HOST "$CDC_BIND_HOST"
  env_line CDC_PG_PORT "$CDC_PG_PORT"
  env_line CDC_PG_USER "$CDC_PG_USER"
  env_line CDC_PG_JDBC_URL "jdbc:postgresql://$CDC_BIND_HOST:$CDC_PG_PORT/postgres"
  env_line CDC_CH_URL "$(ch_url)"
  env_line CDC_CH_HOST "$CDC_BIND_HOST"
  env_line CDC_CH_NATIVE_PORT "$CDC_CH_NATIVE_PORT"
  env_line CDC_ES_URL "$(es_url)"
  env_line CDC_CHDB_LIB "$CHDB_LIB"
  if [ -f "$KAFKA_MARKER" ]; then
    env_line CDC_KAFKA_BOOTSTRAP "$(kafka_bootstrap)"
    env_line CDC_CONNECT_URL "$(connect_url)"
    env_line CDC_CONNECT_JMX "$CDC_BIND_HOST:$CDC_CONNECT_JMX_PORT"
  fi
  if [ -f "$CLUSTER_MARKER" ]; then
    cluster_env
  fi
}

# env_line KEY VALUE: one `export KEY=value` line, the value quoted for the shell where it needs it.
env_line() {
  printf 'export %s=%q\n' "$1" "$2"
}
