# Installs what a fresh Debian 12 machine lacks for the local stack. Each step checks first and does nothing when
# its result is already there, so it is cheap on every 'stack up'.

APT_UPDATED=""

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; run 'bin/cdc stack up' as root once to install them"
  log "installing Debian packages: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then
    apt-get update -qq >"$CDC_WORK_DIR/logs/apt.log" 2>&1 || { show_log_tail apt "$CDC_WORK_DIR/logs/apt.log"; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  # policy-rc.d on build machines refuses to start the packaged services; harmless, we start our own.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$CDC_WORK_DIR/logs/apt.log" 2>&1 \
    || { show_log_tail apt "$CDC_WORK_DIR/logs/apt.log"; die "apt-get install ${missing[*]} failed"; }
}

ensure_system_user() {
  local user="$1"
  id -u "$user" >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || die "system user '$user' is missing; run 'bin/cdc stack up' as root once to create it"
  log "creating system user $user"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
}

# The servers that refuse root must reach their folders under the work dir: every parent needs the x bit for them.
ensure_traversable() {
  local user="$1" dir="$2" d
  runuser -u "$user" -- test -x "$dir" 2>/dev/null && return 0
  d="$dir"
  while [ "$d" != "/" ]; do
    if ! runuser -u "$user" -- test -x "$d" 2>/dev/null; then
      log "granting others search (x) permission on $d so that user '$user' can reach $dir"
      chmod o+x "$d"
    fi
    d="$(dirname "$d")"
  done
}

install_base() {
  command -v unzip >/dev/null 2>&1 || apt_install unzip
  command -v curl >/dev/null 2>&1 || apt_install curl
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless
}

# PostGIS for the geometry and geography columns that the type tests stream (and users' spatial tables).
install_postgres() {
  apt_install postgresql-15 postgresql-15-postgis-3
}

install_clickhouse() {
  apt_install clickhouse-server clickhouse-client
}

# promtool (Debian's prometheus package) checks and unit-tests the alert rules the lag monitor generates; the
# Prometheus server itself is not started.
install_promtool() {
  command -v promtool >/dev/null 2>&1 || apt_install prometheus
}

# Headless Chromium renders the lag monitor's status page in its test (and takes the screenshot).
install_chromium() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
}

# ShellCheck lints bin/ before the test suite runs (bin/cdc test).
install_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck
}

# Debian's docker-compose validates docker-compose.yml (config -q) without a Docker engine; the suite checks it.
install_compose() {
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
}

# The Elasticsearch distribution comes from Maven Central as a zip (no bundled JDK: ES_JAVA_HOME points at ours).
install_elasticsearch() {
  local dist="$CDC_WORK_DIR/dist/elasticsearch-$CDC_ES_VERSION"
  ensure_system_user "$CDC_ES_USER"
  if [ ! -x "$dist/bin/elasticsearch" ]; then
    log "downloading Elasticsearch $CDC_ES_VERSION from Maven Central"
    local tmp="$CDC_WORK_DIR/dist/.es-download"
    rm -rf "$tmp" && mkdir -p "$tmp"
    mvnw dependency:copy -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$CDC_ES_VERSION:zip" \
      -DoutputDirectory="$tmp" -Dmdep.stripVersion=false || die "could not fetch the Elasticsearch $CDC_ES_VERSION zip"
    unzip -q "$tmp"/elasticsearch-*.zip -d "$tmp"
    rm -rf "$dist"
    mv "$tmp/elasticsearch-$CDC_ES_VERSION" "$dist"
    rm -rf "$tmp"
  fi
}

# Kafka and Connect run from jars on Maven Central: stack/kafka/pom.xml lists them, Maven resolves the classpath.
install_kafka() {
  local cp="$CDC_WORK_DIR/dist/kafka-$CDC_KAFKA_VERSION.classpath"
  if [ ! -s "$cp" ]; then
    log "resolving Kafka $CDC_KAFKA_VERSION broker and Connect worker from Maven Central"
    mvnw -f "$CDC_HOME/stack/kafka/pom.xml" dependency:build-classpath -DincludeScope=runtime \
      -Dmdep.outputFile="$cp.tmp" || die "could not resolve the Kafka $CDC_KAFKA_VERSION classpath"
    mv "$cp.tmp" "$cp"
  fi
}

# The Connect worker's plugin.path: Debezium's Postgres connector plugin and our own bundle, each in its folder.
install_connect_plugins() {
  local plugins="$CDC_WORK_DIR/connect/plugins"
  mkdir -p "$plugins"
  if [ ! -d "$plugins/debezium-connector-postgres" ]; then
    log "fetching the Debezium $CDC_DEBEZIUM_VERSION Postgres connector plugin from Maven Central"
    mvnw dependency:unpack -Dartifact="io.debezium:debezium-connector-postgres:$CDC_DEBEZIUM_VERSION:tar.gz:plugin" \
      -DoutputDirectory="$plugins" || die "could not fetch the Debezium Postgres connector plugin"
  fi
  install_own_plugin "$plugins"
  # Our Debezium converter (multi-dimensional arrays) must sit beside Debezium: converters load in its class loader.
  local converter=("$plugins"/cdc-pipeline/lib/cdc-debezium-converters-*.jar)
  if [ -f "${converter[0]}" ] && ! cmp -s "${converter[0]}" "$plugins/debezium-connector-postgres/$(basename "${converter[0]}")"; then
    rm -f "$plugins"/debezium-connector-postgres/cdc-debezium-converters-*.jar
    cp "${converter[0]}" "$plugins/debezium-connector-postgres/"
    OWN_PLUGIN_CHANGED=1
  fi
}

# Our bundle as users install it: the Confluent Hub zip the build makes, unpacked into its own folder. A copy, not a
# link, so that rebuilding the project never rewrites jars under a running worker.
install_own_plugin() {
  local plugins="$1" zip unpacked zips
  zips=("$CDC_HOME"/connectors/connect-plugin/target/cdcpipeline-cdc-pipeline-*.zip)
  if [ ! -f "${zips[0]}" ]; then
    log "building our Connect plugin bundle (./mvnw package -pl connectors/connect-plugin -am)"
    (cd "$CDC_HOME" && mvnw -DskipTests package -pl connectors/connect-plugin -am) \
      || die "building the plugin bundle failed"
    zips=("$CDC_HOME"/connectors/connect-plugin/target/cdcpipeline-cdc-pipeline-*.zip)
    [ -f "${zips[0]}" ] || die "the build made no plugin zip in connectors/connect-plugin/target"
  fi
  zip="${zips[0]}"
  unpacked="$CDC_WORK_DIR/connect/bundle"
  rm -rf "$unpacked" && mkdir -p "$unpacked"
  (cd "$unpacked" && "$(java_home)/bin/jar" xf "$zip") || die "could not unpack $zip"
  local dirs=("$unpacked"/cdcpipeline-cdc-pipeline-*)
  unpacked="${dirs[0]}"
  if ! diff -rq "$unpacked" "$plugins/cdc-pipeline" >/dev/null 2>&1; then
    rm -rf "$plugins/cdc-pipeline"
    cp -r "$unpacked" "$plugins/cdc-pipeline"
    # shellcheck disable=SC2034 # read by connect_start and stack_up: the worker must load the new bundle
    OWN_PLUGIN_CHANGED=1
  fi
}

# The modern ClickHouse engine (26.x) as a library: the npm package chdb ships libchdb.so. No server runs from it;
# the tests call it in process to prove the SQL and RowBinary the sink sends to modern servers.
CHDB_VERSION="$(pom_version chdb)"
CHDB_LIB="$CDC_WORK_DIR/chdb/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"

install_chdb() {
  [ -f "$CHDB_LIB" ] && [ -f "$CDC_WORK_DIR/chdb/.version-$CHDB_VERSION" ] && return 0
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  log "installing the modern ClickHouse engine for tests (npm chdb@$CHDB_VERSION, ~560 MB)"
  mkdir -p "$CDC_WORK_DIR/chdb"
  (cd "$CDC_WORK_DIR/chdb" && npm install --no-audit --no-fund --loglevel=error "chdb@$CHDB_VERSION") \
    >"$CDC_WORK_DIR/logs/chdb-install.log" 2>&1 \
    || { show_log_tail "npm install chdb" "$CDC_WORK_DIR/logs/chdb-install.log"; die "installing chdb failed"; }
  [ -f "$CHDB_LIB" ] || die "npm installed chdb but $CHDB_LIB is missing (is this machine linux x64 with glibc?)"
  touch "$CDC_WORK_DIR/chdb/.version-$CHDB_VERSION"
}
