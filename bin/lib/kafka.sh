# A single-node KRaft Kafka broker and one Kafka Connect distributed worker, run from the classpath that
# install_kafka resolved from Maven Central.

KAFKA_DIR="$CDC_WORK_DIR/kafka"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$KAFKA_DIR/kafka.log"
CONNECT_DIR="$CDC_WORK_DIR/connect"
CONNECT_PID="$CONNECT_DIR/connect.pid"
CONNECT_LOG="$CONNECT_DIR/connect.log"

kafka_classpath() { cat "$CDC_WORK_DIR/dist/kafka-$CDC_KAFKA_VERSION.classpath"; }
kafka_bootstrap() { printf '%s:%s' "$CDC_BIND_HOST" "$CDC_KAFKA_PORT"; }
connect_url() { printf 'http://%s:%s' "$CDC_BIND_HOST" "$CDC_CONNECT_PORT"; }

# kafka_java HEAP LOG4J_FILE: sets KAFKA_JAVA to the java command line (without main class) that runs Kafka or
# Connect on the resolved classpath; an array rather than a function, so start_detached can exec it.
kafka_java() {
  KAFKA_JAVA=("$(java_home)/bin/java" "-Xms$1" "-Xmx$1" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$2" -cp "$(kafka_classpath)")
}

write_log4j() {
  cat >"$1" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="out" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
    <Logger name="org.reflections" level="ERROR"/>
    <Root level="INFO">
      <AppenderRef ref="out"/>
    </Root>
  </Loggers>
</Configuration>
XML
}

kafka_running() { is_alive "$KAFKA_PID"; }

# The broker is ready when it accepts connections and has logged that it finished starting.
kafka_healthy() { port_open "$CDC_KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null; }

kafka_configure() {
  mkdir -p "$KAFKA_DIR/data"
  write_log4j "$KAFKA_DIR/log4j2.xml"
  cat >"$KAFKA_DIR/server.properties" <<PROPS
# Written by bin/cdc stack up: one node that is broker and controller at once (KRaft).
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$CDC_BIND_HOST:$CDC_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$CDC_BIND_HOST:$CDC_KAFKA_PORT,CONTROLLER://$CDC_BIND_HOST:$CDC_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$CDC_BIND_HOST:$CDC_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local cluster_id
    kafka_java 256m "$KAFKA_DIR/log4j2.xml"
    cluster_id="$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    [ -n "$cluster_id" ] || die "kafka: could not generate a cluster id"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$KAFKA_DIR/server.properties" --standalone >"$KAFKA_DIR/format.log" 2>&1 \
      || { show_log_tail "kafka storage format" "$KAFKA_DIR/format.log"; die "kafka: formatting the log folder failed"; }
  fi
}

kafka_start() {
  if kafka_running; then
    if kafka_healthy; then
      log "kafka: already running at $(kafka_bootstrap)"
      return 0
    fi
    log "kafka: pid $(pid_of "$KAFKA_PID") is running but not ready; restarting it"
    kafka_stop
  fi
  kafka_configure
  log "kafka: starting on $(kafka_bootstrap) (KRaft, controller port $CDC_KAFKA_CONTROLLER_PORT)"
  kafka_java 768m "$KAFKA_DIR/log4j2.xml"
  start_detached "$KAFKA_PID" "$KAFKA_LOG" "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_DIR/server.properties"
}

kafka_wait() {
  if ! wait_until "$CDC_KAFKA_START_TIMEOUT" kafka --pid "$KAFKA_PID" kafka_healthy; then
    show_log_tail kafka "$KAFKA_LOG"
    kafka_stop
    die "kafka did not start (stopped it; its log is $KAFKA_LOG)"
  fi
}

kafka_stop() {
  if kafka_running; then
    log "kafka: stopping"
    stop_pid kafka "$KAFKA_PID"
  fi
  rm -f "$KAFKA_PID"
}

kafka_version() { printf '%s' "$(kafka_classpath | tr ':' '\n' | grep -o 'kafka_2.13-[^/]*\.jar' | head -n1 | sed 's/kafka_2.13-//; s/\.jar//')"; }

connect_running() { is_alive "$CONNECT_PID"; }

connect_healthy() { curl -fsS --max-time 3 "$(connect_url)/connector-plugins" >/dev/null 2>&1; }

# connect_configure [PORT]: the worker's properties (every worker of the cluster shares them but its REST port).
connect_configure() {
  local port="${1:-$CDC_CONNECT_PORT}" file="$CONNECT_DIR/connect-distributed.properties"
  [ "$port" = "$CDC_CONNECT_PORT" ] || file="$CONNECT_DIR/connect-distributed-$port.properties"
  mkdir -p "$CONNECT_DIR"
  connect_secrets
  write_log4j "$CONNECT_DIR/log4j2.xml"
  # service_load discovery starts tasks in seconds instead of scanning every jar; it needs each plugin class
  # listed in META-INF/services, which the Debezium plugin and our bundle both do.
  cat >"$file" <<PROPS
# Written by bin/cdc stack up.
bootstrap.servers=$(kafka_bootstrap)
group.id=cdc-connect
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
# A NULL stays NULL: by default JsonConverter writes a column default in its place
key.converter.replace.null.with.default=false
value.converter.replace.null.with.default=false
config.storage.topic=cdc-connect-configs
offset.storage.topic=cdc-connect-offsets
status.storage.topic=cdc-connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.flush.interval.ms=5000
listeners=http://$CDC_BIND_HOST:$port
rest.advertised.host.name=$CDC_BIND_HOST
rest.advertised.port=$port
plugin.path=$CONNECT_DIR/plugins
plugin.discovery=service_load
config.providers=env,file
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
# A worker that leaves is waited for this long before its tasks move (Connect's default is 5 minutes).
scheduled.rebalance.max.delay.ms=10000
PROPS
  printf '%s' "$file"
}

# The environment the connect-configs/connect JSON files read through ${env:...}: where the stack's servers are.
connect_env() {
  printf '%s\n' "CDC_PG_HOST=$CDC_BIND_HOST" "CDC_PG_PORT=$CDC_PG_PORT" "CDC_PG_USER=$CDC_PG_USER" \
    "CDC_CLICKHOUSE_URL=$(ch_url)" "CDC_CLICKHOUSE_USER=default" \
    "CDC_ELASTICSEARCH_URL=$(es_url)" "CDC_ELASTICSEARCH_USER=" \
    "CDC_REPLICATION_FACTOR=1"
}

# The secrets file the connect-configs read through ${file:...} (and the embedded template and lag configs too): the
# path is in those files, so it is fixed. The stack's servers have no passwords; a file someone else wrote is kept.
CDC_SECRETS_FILE=/etc/cdc/secrets.properties
CDC_SECRET_KEYS=(pg.password clickhouse.password elasticsearch.password)

connect_secrets() {
  local marker="# Written by bin/cdc stack up" key
  if [ -f "$CDC_SECRETS_FILE" ] && ! head -n1 "$CDC_SECRETS_FILE" | grep -qF "$marker"; then
    for key in "${CDC_SECRET_KEYS[@]}"; do
      grep -q "^$key=" "$CDC_SECRETS_FILE" \
        || warn "$CDC_SECRETS_FILE (not the stack's) has no $key: connectors reading it will fail"
    done
    return 0
  fi
  mkdir -p "$(dirname "$CDC_SECRETS_FILE")" 2>/dev/null && (umask 077 && {
    printf '%s: the local stack'"'"'s credentials, which connect-configs read with ${file:...}.\n' "$marker"
    printf '%s=\n' "${CDC_SECRET_KEYS[@]}"
  } >"$CDC_SECRETS_FILE") 2>/dev/null \
    || die "cannot write $CDC_SECRETS_FILE, which connect-configs/connect reads its secrets from (run as root)"
}

connect_start() {
  if connect_running; then
    if connect_healthy && [ -z "${OWN_PLUGIN_CHANGED:-}" ]; then
      log "connect: already running at $(connect_url)"
      return 0
    fi
    if [ -n "${OWN_PLUGIN_CHANGED:-}" ]; then
      log "connect: our plugin bundle changed; restarting the worker to load it"
    else
      log "connect: pid $(pid_of "$CONNECT_PID") is running but not answering; restarting it"
    fi
    connect_stop
  fi
  local props
  props="$(connect_configure)"
  log "connect: starting a distributed worker on $(connect_url)"
  kafka_java 768m "$CONNECT_DIR/log4j2.xml"
  # Remote JMX as a worker's JMX_PORT gives it, bound to loopback: the lag monitor reads the sinks' metrics there.
  KAFKA_JAVA+=(-Dcom.sun.management.jmxremote "-Dcom.sun.management.jmxremote.port=$CDC_CONNECT_JMX_PORT"
    "-Dcom.sun.management.jmxremote.rmi.port=$CDC_CONNECT_JMX_PORT" "-Dcom.sun.management.jmxremote.host=$CDC_BIND_HOST"
    "-Djava.rmi.server.hostname=$CDC_BIND_HOST" -Dcom.sun.management.jmxremote.authenticate=false
    -Dcom.sun.management.jmxremote.ssl=false)
  local env_vars
  mapfile -t env_vars < <(connect_env)
  start_detached "$CONNECT_PID" "$CONNECT_LOG" env "${env_vars[@]}" "${KAFKA_JAVA[@]}" \
    org.apache.kafka.connect.cli.ConnectDistributed "$props"
}

# bin/cdc stack worker start|stop|kill PORT: one more worker of the same Connect cluster (group cdc-connect) on another
# REST port, to rehearse scale-out and a worker's loss.
connect_worker_main() {
  local action="${1:-}" port="${2:-}"
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" != "$CDC_CONNECT_PORT" ] \
    || die "usage: bin/cdc stack worker start|stop|kill PORT (a port other than the main worker's $CDC_CONNECT_PORT)"
  local pidfile="$CONNECT_DIR/connect-$port.pid" logfile="$CONNECT_DIR/connect-$port.log"
  case "$action" in
    start)
      connect_running || die "the main Connect worker is not running: bin/cdc stack up --with-kafka"
      if is_alive "$pidfile"; then
        log "connect: worker on port $port already running"
        return 0
      fi
      local props env_vars
      props="$(connect_configure "$port")"
      kafka_java 512m "$CONNECT_DIR/log4j2.xml"
      mapfile -t env_vars < <(connect_env)
      log "connect: starting another worker on http://$CDC_BIND_HOST:$port"
      start_detached "$pidfile" "$logfile" env "${env_vars[@]}" "${KAFKA_JAVA[@]}" \
        org.apache.kafka.connect.cli.ConnectDistributed "$props"
      worker_healthy() { curl -fsS --max-time 3 "http://$CDC_BIND_HOST:$port/connectors" >/dev/null 2>&1; }
      if ! wait_until "$CDC_CONNECT_START_TIMEOUT" "connect:$port" --pid "$pidfile" worker_healthy; then
        show_log_tail "connect:$port" "$logfile"
        stop_pid "connect:$port" "$pidfile"
        die "the worker on port $port did not start (its log is $logfile)"
      fi
      ;;
    stop) stop_pid "connect:$port" "$pidfile" ;;
    kill)
      # A crash, not a shutdown: no task is stopped, no offset committed, the group hears nothing until the
      # worker's session times out.
      if is_alive "$pidfile"; then
        log "connect: killing the worker on port $port (SIGKILL)"
        kill -KILL "$(pid_of "$pidfile")" 2>/dev/null || true
      fi
      rm -f "$pidfile"
      ;;
    *) die "usage: bin/cdc stack worker start|stop|kill PORT" ;;
  esac
}

connect_wait() {
  if ! wait_until "$CDC_CONNECT_START_TIMEOUT" connect --pid "$CONNECT_PID" connect_healthy; then
    show_log_tail connect "$CONNECT_LOG"
    connect_stop
    die "kafka connect did not start (stopped it; its log is $CONNECT_LOG)"
  fi
}

connect_stop() {
  local extra
  for extra in "$CONNECT_DIR"/connect-[0-9]*.pid; do
    [ -e "$extra" ] && stop_pid "connect:$(basename "$extra" .pid | cut -d- -f2)" "$extra"
  done
  if connect_running; then
    log "connect: stopping"
    stop_pid connect "$CONNECT_PID"
  fi
  rm -f "$CONNECT_PID"
}

connect_version() { curl -fsS --max-time 3 "$(connect_url)/" 2>/dev/null | grep -o '"version":"[^"]*"' | cut -d'"' -f4; }
