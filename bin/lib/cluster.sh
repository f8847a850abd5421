# The clusters of 'bin/cdc stack up --cluster': a ZooKeeper from Maven Central and two ClickHouse servers (Debian's
# package, as the stack's own) that form one shard of two replicas, the cluster named "cdc" in their
# <remote_servers>; and two Elasticsearch nodes (the stack's distribution) forming the cluster "cdc-cluster". Beside
# the stack's single servers, which stay as they are for every other test.
#
# Order matters on 18.16: a server that starts while ZooKeeper does not answer yet gives up its distributed-DDL
# thread for good, and an ON CLUSTER statement sent to it later brings the server down. So ZooKeeper is waited for
# before the replicas start.

ZK_DIR="$CDC_WORK_DIR/zookeeper"
ZK_PID="$ZK_DIR/zookeeper.pid"
ZK_LOG="$ZK_DIR/zookeeper.log"
CDC_ZK_PORT="${CDC_ZK_PORT:-29181}"
CDC_ZK_VERSION="$(pom_version zookeeper)"
CDC_ZK_START_TIMEOUT="${CDC_ZK_START_TIMEOUT:-60}"
# How soon a crashed replica counts as gone (its ZooKeeper session ends): another replica then leads, and an ON
# CLUSTER statement stops waiting for it. ClickHouse's default is 30 s; the local cluster is for rehearsing failures.
CDC_ZK_SESSION_TIMEOUT_MS="${CDC_ZK_SESSION_TIMEOUT_MS:-6000}"
# Replica N listens on HTTP 28123+10N, native 29000+10N, interserver 29009+10N.
CDC_CLUSTER_REPLICAS=2
CLUSTER_MARKER="$CDC_WORK_DIR/stack.with-cluster"
# Elasticsearch node N listens on HTTP 29220+10N and transport 29320+10N (side nodes of tests use 29210 to 29221).
CDC_ES_CLUSTER_NODES=2
CDC_ES_NODE_HEAP="${CDC_ES_NODE_HEAP:-384m}"

install_zookeeper() {
  local cp="$CDC_WORK_DIR/dist/zookeeper-$CDC_ZK_VERSION.classpath"
  if [ ! -s "$cp" ]; then
    log "resolving ZooKeeper $CDC_ZK_VERSION from Maven Central"
    mkdir -p "$CDC_WORK_DIR/dist"
    mvnw -f "$CDC_HOME/stack/zookeeper/pom.xml" dependency:build-classpath -DincludeScope=runtime \
      -Dmdep.outputFile="$cp.tmp" || die "could not resolve the ZooKeeper $CDC_ZK_VERSION classpath"
    mv "$cp.tmp" "$cp"
  fi
}

zk_running() { is_alive "$ZK_PID"; }

# ZooKeeper's four-letter "srvr" (allowed in its config) names the server's mode once it serves requests; before
# that (loading its data at a restart) it says it is not serving, though "ruok" already answers "imok". A replica
# whose replicated tables cannot reach ZooKeeper at start does not start at all.
zk_healthy() {
  local answer
  answer="$( (exec 3<>"/dev/tcp/$CDC_BIND_HOST/$CDC_ZK_PORT" && printf srvr >&3 && timeout 2 cat <&3) 2>/dev/null)"
  [[ "$answer" == *"Mode: standalone"* ]]
}

zk_start() {
  if zk_running && zk_healthy; then
    log "zookeeper: already running at $CDC_BIND_HOST:$CDC_ZK_PORT"
    return 0
  fi
  zk_stop
  mkdir -p "$ZK_DIR/data"
  cat >"$ZK_DIR/zoo.cfg" <<EOF
# Written by bin/cdc stack up --cluster.
tickTime=2000
dataDir=$ZK_DIR/data
clientPort=$CDC_ZK_PORT
clientPortAddress=$CDC_BIND_HOST
admin.enableServer=false
4lw.commands.whitelist=ruok,stat,srvr
EOF
  cat >"$ZK_DIR/logback.xml" <<EOF
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="out"/></root>
</configuration>
EOF
  log "zookeeper: starting on $CDC_BIND_HOST:$CDC_ZK_PORT"
  start_detached "$ZK_PID" "$ZK_LOG" "$(java_home)/bin/java" -Xmx256m -Dlogback.configurationFile="$ZK_DIR/logback.xml" \
    -cp "$(cat "$CDC_WORK_DIR/dist/zookeeper-$CDC_ZK_VERSION.classpath")" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZK_DIR/zoo.cfg"
}

zk_wait() {
  if ! wait_until "$CDC_ZK_START_TIMEOUT" zookeeper --pid "$ZK_PID" zk_healthy; then
    show_log_tail zookeeper "$ZK_LOG"
    zk_stop
    die "zookeeper did not start (stopped it; its log is $ZK_LOG)"
  fi
}

zk_stop() {
  if zk_running; then
    log "zookeeper: stopping"
    stop_pid zookeeper "$ZK_PID"
  fi
  rm -f "$ZK_PID"
}

replica_dir() { printf '%s/clickhouse-replica-%s' "$CDC_WORK_DIR" "$1"; }
replica_http_port() { echo $((CDC_CH_HTTP_PORT + 10 * $1)); }
replica_native_port() { echo $((CDC_CH_NATIVE_PORT + 10 * $1)); }
replica_interserver_port() { echo $((CDC_CH_INTERSERVER_PORT + 10 * $1)); }
replica_url() { printf 'http://%s:%s' "$CDC_BIND_HOST" "$(replica_http_port "$1")"; }
replica_running() { is_alive "$(replica_dir "$1")/clickhouse.pid"; }
replica_healthy() { [ "$(curl -fsS --max-time 2 "$(replica_url "$1")/ping" 2>/dev/null)" = "Ok." ]; }

# The clusters as every server sees them: "cdc", one shard whose replicas are the servers; and "cdc_sharded", each
# server a shard of its own (tables whose ZooKeeper path holds {replica} instead of {shard}), for sharded tables.
cluster_remote_servers() {
  local n
  printf '    <remote_servers>\n        <cdc>\n            <shard>\n'
  printf '                <internal_replication>true</internal_replication>\n'
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do
    printf '                <replica><host>%s</host><port>%s</port></replica>\n' "$CDC_BIND_HOST" "$(replica_native_port "$n")"
  done
  printf '            </shard>\n        </cdc>\n        <cdc_sharded>\n'
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do
    printf '            <shard><internal_replication>true</internal_replication>'
    printf '<replica><host>%s</host><port>%s</port></replica></shard>\n' "$CDC_BIND_HOST" "$(replica_native_port "$n")"
  done
  printf '        </cdc_sharded>\n    </remote_servers>\n'
}

replica_configure() {
  local n="$1"
  ch_server_config "$(replica_dir "$n")" "$(replica_http_port "$n")" "$(replica_native_port "$n")" \
    "$(replica_interserver_port "$n")" "Written by bin/cdc stack up (the cluster option): replica r$n of shard 01 of the cluster \"cdc\"." \
    "    <zookeeper>
        <node><host>$CDC_BIND_HOST</host><port>$CDC_ZK_PORT</port></node>
        <session_timeout_ms>$CDC_ZK_SESSION_TIMEOUT_MS</session_timeout_ms>
    </zookeeper>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
$(cluster_remote_servers)
    <macros><shard>01</shard><replica>r$n</replica></macros>"
}

replica_start() {
  local n="$1" dir
  dir="$(replica_dir "$n")"
  if replica_running "$n" && replica_healthy "$n"; then
    log "clickhouse replica r$n: already running at $(replica_url "$n")"
    return 0
  fi
  replica_stop "$n"
  replica_configure "$n"
  log "clickhouse replica r$n: starting on $(replica_url "$n") (native port $(replica_native_port "$n"))"
  start_detached "$dir/clickhouse.pid" "$dir/log/stdout.log" \
    "$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)" --config-file="$dir/config.xml"
}

replica_wait() {
  local n="$1" dir
  dir="$(replica_dir "$n")"
  if ! wait_until "$CDC_CH_START_TIMEOUT" "clickhouse replica r$n" --pid "$dir/clickhouse.pid" replica_healthy "$n"; then
    show_log_tail "clickhouse replica r$n" "$dir/log/clickhouse-server.err.log"
    replica_stop "$n"
    die "clickhouse replica r$n did not start (stopped it; its logs are in $dir/log)"
  fi
}

# replica_stop N [kill]: 'kill' is a SIGKILL, as a crashed machine would stop it (tests of failover use it).
replica_stop() {
  local n="$1" how="${2:-}" dir pid
  dir="$(replica_dir "$n")"
  if replica_running "$n" && [ "$how" = kill ]; then
    pid="$(pid_of "$dir/clickhouse.pid")"
    log "clickhouse replica r$n: killing (SIGKILL) pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  elif replica_running "$n"; then
    log "clickhouse replica r$n: stopping"
    stop_pid "clickhouse replica r$n" "$dir/clickhouse.pid"
  fi
  rm -f "$dir/clickhouse.pid"
}

es_node_http_port() { echo $((CDC_ES_PORT + 20 + 10 * $1)); }
es_node_transport_port() { echo $((CDC_ES_TRANSPORT_PORT + 20 + 10 * $1)); }
es_node_url() { printf 'http://%s:%s' "$CDC_BIND_HOST" "$(es_node_http_port "$1")"; }

# es_node_vars N: points the Elasticsearch functions (es_start, es_wait, es_stop, es_healthy) at node N of the
# cluster instead of the stack's own node. Call it in a subshell.
# shellcheck disable=SC2034  # the variables are read by the es_* functions of elasticsearch.sh
es_node_vars() {
  local n="$1" m seeds=()
  for m in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do seeds+=("$CDC_BIND_HOST:$(es_node_transport_port "$m")"); done
  ES_DIR="$CDC_WORK_DIR/elasticsearch-node-$n"
  ES_CONF="$ES_DIR/config"
  ES_PID="$ES_DIR/elasticsearch.pid"
  ES_LOG="$ES_DIR/logs/cdc-cluster.log"
  ES_STDOUT="$ES_DIR/logs/stdout.log"
  CDC_ES_PORT="$(es_node_http_port "$n")"
  CDC_ES_TRANSPORT_PORT="$(es_node_transport_port "$n")"
  CDC_ES_HEAP="$CDC_ES_NODE_HEAP"
  # Node 1 founds the cluster; node 2 finds it through the seed hosts and joins.
  ES_EXTRA_YML="cluster.name: cdc-cluster
node.name: es-c$n
discovery.seed_hosts: [$(IFS=,; echo "${seeds[*]}")]
cluster.initial_master_nodes: [es-c1]
"
}

es_node_running() { (es_node_vars "$1" && es_running); }
es_node_healthy() { (es_node_vars "$1" && es_healthy); }

# es_node_stop N [kill]
es_node_stop() {
  local n="$1" how="${2:-}" pid
  (
    es_node_vars "$n"
    if es_running && [ "$how" = kill ]; then
      pid="$(pid_of "$ES_PID")"
      log "elasticsearch node es-c$n: killing (SIGKILL) pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      rm -f "$ES_PID"
    else
      log "elasticsearch node es-c$n: stopping"
      es_stop
    fi
  )
}

# cluster_up: ZooKeeper first and answering, then the replicas (see the top of this file); the Elasticsearch nodes
# start first and are waited for last, as they are the slowest.
cluster_up() {
  local n
  touch "$CLUSTER_MARKER"
  for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do
    es_node_running "$n" && es_node_healthy "$n" && continue
    (es_node_vars "$n" && es_start)
  done
  zk_start
  zk_wait
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_start "$n"; done
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_wait "$n"; done
  for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do (es_node_vars "$n" && es_wait); done
}

cluster_down() {
  local n
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_stop "$n"; done
  zk_stop
  for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do es_node_running "$n" && es_node_stop "$n"; done
  rm -f "$CLUSTER_MARKER"
}

cluster_healthy() {
  local n
  zk_healthy || return 1
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_healthy "$n" || return 1; done
  for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do es_node_healthy "$n" || return 1; done
}

cluster_summary() {
  local n
  for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do
    printf '%-14s %-48s %s\n' "es node c$n" "$(es_node_url "$n") (cdc-cluster)" \
      "$(curl -fsS --max-time 2 "$(es_node_url "$n")/_cat/health?h=status,node.total" 2>/dev/null)"
  done
  printf '%-14s %-48s %s\n' zookeeper "$CDC_BIND_HOST:$CDC_ZK_PORT" "$CDC_ZK_VERSION"
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do
    printf '%-14s %-48s %s\n' "clickhouse r$n" "$(replica_url "$n") (cluster cdc)" \
      "$(curl -fsS --max-time 2 --data-binary 'SELECT version()' "$(replica_url "$n")/" 2>/dev/null)"
  done
}

# The cluster's endpoints for 'bin/cdc stack env': CDC_CH_CLUSTER_URLS lists the replicas' HTTP URLs.
cluster_env() {
  local n urls=()
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do urls+=("$(replica_url "$n")"); done
  env_line CDC_CH_CLUSTER cdc
  env_line CDC_CH_SHARDED_CLUSTER cdc_sharded
  env_line CDC_CH_CLUSTER_URLS "$(IFS=,; echo "${urls[*]}")"
  env_line CDC_ZK "$CDC_BIND_HOST:$CDC_ZK_PORT"
  urls=()
  for n in $(seq 1 "$CDC_ES_CLUSTER_NODES"); do urls+=("$(es_node_url "$n")"); done
  env_line CDC_ES_CLUSTER_URLS "$(IFS=,; echo "${urls[*]}")"
}
