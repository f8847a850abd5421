# The replicated ClickHouse cluster of 'bin/cdc stack up --cluster': a ZooKeeper from Maven Central and two
# ClickHouse servers (Debian's package, as the stack's own) that form one shard of two replicas, the cluster named
# "cdc" in their <remote_servers>. Beside the stack's single server, which stays as it is for every other test.
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
# Replica N listens on HTTP 28123+10N, native 29000+10N, interserver 29009+10N.
CDC_CLUSTER_REPLICAS=2
CLUSTER_MARKER="$CDC_WORK_DIR/stack.with-cluster"

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

# ZooKeeper's four-letter "ruok" (allowed in its config) answers "imok" once it serves.
zk_healthy() {
  local answer
  answer="$( (exec 3<>"/dev/tcp/$CDC_BIND_HOST/$CDC_ZK_PORT" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null)"
  [ "$answer" = "imok" ]
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

# The cluster as every replica sees it: one shard, each replica by its native port.
cluster_remote_servers() {
  local n
  printf '    <remote_servers>\n        <cdc>\n            <shard>\n'
  printf '                <internal_replication>true</internal_replication>\n'
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do
    printf '                <replica><host>%s</host><port>%s</port></replica>\n' "$CDC_BIND_HOST" "$(replica_native_port "$n")"
  done
  printf '            </shard>\n        </cdc>\n    </remote_servers>\n'
}

replica_configure() {
  local n="$1"
  ch_server_config "$(replica_dir "$n")" "$(replica_http_port "$n")" "$(replica_native_port "$n")" \
    "$(replica_interserver_port "$n")" "Written by bin/cdc stack up (the cluster option): replica r$n of shard 01 of the cluster \"cdc\"." \
    "    <zookeeper>
        <node><host>$CDC_BIND_HOST</host><port>$CDC_ZK_PORT</port></node>
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

replica_stop() {
  local n="$1" dir
  dir="$(replica_dir "$n")"
  if replica_running "$n"; then
    log "clickhouse replica r$n: stopping"
    stop_pid "clickhouse replica r$n" "$dir/clickhouse.pid"
  fi
  rm -f "$dir/clickhouse.pid"
}

# cluster_up: ZooKeeper first and answering, then the replicas (see the top of this file).
cluster_up() {
  local n
  touch "$CLUSTER_MARKER"
  zk_start
  zk_wait
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_start "$n"; done
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_wait "$n"; done
}

cluster_down() {
  local n
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_stop "$n"; done
  zk_stop
  rm -f "$CLUSTER_MARKER"
}

cluster_healthy() {
  local n
  zk_healthy || return 1
  for n in $(seq 1 "$CDC_CLUSTER_REPLICAS"); do replica_healthy "$n" || return 1; done
}

cluster_summary() {
  local n
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
  env_line CDC_CH_CLUSTER_URLS "$(IFS=,; echo "${urls[*]}")"
  env_line CDC_ZK "$CDC_BIND_HOST:$CDC_ZK_PORT"
}
