# Elasticsearch 8.19 single node from the Maven Central distribution zip. It refuses to run as root, so it runs as
# the system user $CDC_ES_USER; its install, data and logs all live under the work dir.

ES_DIR="$CDC_WORK_DIR/elasticsearch"
ES_HOME="$CDC_WORK_DIR/dist/elasticsearch-$CDC_ES_VERSION"
ES_CONF="$ES_DIR/config"
ES_PID="$ES_DIR/elasticsearch.pid"
ES_LOG="$ES_DIR/logs/cdc-stack.log"
ES_STDOUT="$ES_DIR/logs/stdout.log"

es_url() { printf 'http://%s:%s' "$CDC_BIND_HOST" "$CDC_ES_PORT"; }

es_running() { is_alive "$ES_PID"; }

# GET / answers 405 on this distribution; cluster health is the liveness check that works.
es_healthy() {
  local url
  url="$(es_url)"
  [ -z "${ES_HTTP_TLS:-}" ] || url="https://${url#http://}"
  curl -fsS --max-time 3 ${ES_HTTP_TLS:+-k} ${ES_BOOTSTRAP_PASSWORD:+-u "elastic:$ES_BOOTSTRAP_PASSWORD"} \
    "$url/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1
}

es_configure() {
  mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
  # The distribution stays read-only; the node gets its own config folder, since it writes its keystore there.
  [ -d "$ES_CONF" ] || cp -r "$ES_HOME/config" "$ES_CONF"
  cat >"$ES_CONF/elasticsearch.yml" <<YML
# Written by bin/cdc stack up.
cluster.name: cdc-stack
node.name: cdc-stack-1
network.host: $CDC_BIND_HOST
http.port: $CDC_ES_PORT
transport.port: $CDC_ES_TRANSPORT_PORT
discovery.type: single-node
xpack.security.enabled: false
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YML
  # Extra node settings, one "key: value" per line, replacing the lines above of the same keys (a side node for
  # tests sets a tiny write queue, or turns security on, this way).
  if [ -n "${ES_EXTRA_YML:-}" ]; then
    local key
    while IFS= read -r key; do
      [ -n "$key" ] && sed -i "/^${key%%:*}:/d" "$ES_CONF/elasticsearch.yml"
    done <<<"$ES_EXTRA_YML"
    # A node that joins others finds them through its seed hosts: it is no single-node cluster.
    grep -q '^discovery.seed_hosts:' <<<"$ES_EXTRA_YML" && sed -i '/^discovery.type:/d' "$ES_CONF/elasticsearch.yml"
    printf '%s\n' "$ES_EXTRA_YML" >>"$ES_CONF/elasticsearch.yml"
  fi
  cat >"$ES_CONF/jvm.options.d/cdc-stack.options" <<OPTS
-Xms$CDC_ES_HEAP
-Xmx$CDC_ES_HEAP
-XX:-AlwaysPreTouch
OPTS
  chown -R "$CDC_ES_USER": "$ES_DIR"
  if [ -n "${ES_BOOTSTRAP_PASSWORD:-}" ]; then
    # The elastic user's first password, for a node with security on.
    runuser -u "$CDC_ES_USER" -- env ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$ES_CONF" \
      "$ES_HOME/bin/elasticsearch-keystore" create -s >/dev/null 2>&1 || true
    printf '%s' "$ES_BOOTSTRAP_PASSWORD" | runuser -u "$CDC_ES_USER" -- env ES_JAVA_HOME="$(java_home)" \
      ES_PATH_CONF="$ES_CONF" "$ES_HOME/bin/elasticsearch-keystore" add -x -f bootstrap.password >/dev/null \
      || die "could not put the bootstrap password into the keystore of $ES_CONF"
  fi
  local user name password role
  for user in ${ES_FILE_USERS:-}; do
    # A file-realm user (NAME:PASSWORD:ROLE), which needs no .security index (its analysis module is not in this
    # distribution). Roles come from config/roles.yml, which the node re-reads when it changes: a test may rewrite
    # it (it is left writable for that) to grant or take privileges while the node runs.
    IFS=: read -r name password role <<<"$user"
    runuser -u "$CDC_ES_USER" -- env ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$ES_CONF" \
      "$ES_HOME/bin/elasticsearch-users" useradd "$name" -p "$password" -r "$role" >/dev/null \
      || die "could not add the file-realm user $name to $ES_CONF"
    chmod 666 "$ES_CONF/roles.yml"
  done
  if [ -n "${ES_HTTP_TLS:-}" ] && [ ! -f "$ES_CONF/http.p12" ]; then
    es_make_http_certificate
  fi
  ensure_traversable "$CDC_ES_USER" "$ES_DIR"
  ensure_traversable "$CDC_ES_USER" "$ES_HOME"
  ensure_traversable "$CDC_ES_USER" "$(java_home)"
}

es_start() {
  if es_running; then
    if es_healthy; then
      log "elasticsearch: already running at $(es_url)"
      return 0
    fi
    log "elasticsearch: pid $(pid_of "$ES_PID") is running but not healthy; restarting it"
    es_stop
  fi
  es_configure
  log "elasticsearch: starting on $(es_url) (heap $CDC_ES_HEAP)"
  rm -f "$ES_PID"
  # -d daemonizes and -p writes the server's pid; JAVA_HOME is ignored by ES, ES_JAVA_HOME is read.
  runuser -u "$CDC_ES_USER" -- env ES_JAVA_HOME="$(java_home)" ES_TMPDIR="$ES_DIR/tmp" ES_PATH_CONF="$ES_CONF" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_PID" >"$ES_STDOUT" 2>&1 </dev/null 9>&- \
    || { show_log_tail "elasticsearch launcher" "$ES_STDOUT"; show_log_tail elasticsearch "$ES_LOG"; die "elasticsearch did not start"; }
}

es_wait() {
  if ! wait_until "$CDC_ES_START_TIMEOUT" elasticsearch --pid "$ES_PID" es_healthy; then
    show_log_tail "elasticsearch launcher" "$ES_STDOUT"
    show_log_tail elasticsearch "$ES_LOG"
    es_stop
    die "elasticsearch did not become healthy (stopped it; its logs are in $ES_DIR/logs)"
  fi
}

es_stop() {
  if es_running; then
    log "elasticsearch: stopping"
    stop_pid elasticsearch "$ES_PID"
  fi
  rm -f "$ES_PID"
}

es_version() {
  curl -fsS --max-time 5 "$(es_url)/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null \
    | grep -o '"version":"[^"]*"' | head -n1 | cut -d'"' -f4
}
es_endpoint() { es_url; }
es_log() { printf '%s' "$ES_LOG"; }

# A CA and an HTTP certificate for 127.0.0.1 (certutil ships with the distribution), plus truststore.p12 holding only
# the CA certificate, for clients. Used by side nodes that test TLS.
es_make_http_certificate() {
  local certutil="$ES_HOME/bin/elasticsearch-certutil" env=(env ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$ES_CONF")
  runuser -u "$CDC_ES_USER" -- "${env[@]}" "$certutil" ca --silent --out "$ES_CONF/ca.p12" --pass "" >/dev/null \
    && runuser -u "$CDC_ES_USER" -- "${env[@]}" "$certutil" cert --silent --ca "$ES_CONF/ca.p12" --ca-pass "" \
      --ip "$CDC_BIND_HOST" --dns localhost --out "$ES_CONF/http.p12" --pass "" >/dev/null \
    || die "elasticsearch-certutil could not make the TLS certificates in $ES_CONF"
  "$(java_home)/bin/keytool" -exportcert -rfc -alias ca -keystore "$ES_CONF/ca.p12" -storetype PKCS12 -storepass "" \
    -file "$ES_CONF/ca.pem" >/dev/null 2>&1 \
    && "$(java_home)/bin/keytool" -importcert -noprompt -alias cdc-ca -file "$ES_CONF/ca.pem" \
      -keystore "$ES_CONF/truststore.p12" -storetype PKCS12 -storepass changeit >/dev/null 2>&1 \
    || die "keytool could not make $ES_CONF/truststore.p12"
  chown "$CDC_ES_USER": "$ES_CONF"/*.p12 "$ES_CONF/ca.pem"
}
