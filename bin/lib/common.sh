# Settings and helpers shared by every bin/cdc command. Sourced, never run.
# Every port and folder can be overridden from the environment; the defaults avoid the servers' usual ports so
# the stack never clashes with a server the user already runs.

: "${CDC_HOME:?CDC_HOME must be set by bin/cdc}"

CDC_WORK_DIR="${CDC_WORK_DIR:-$CDC_HOME/.work}"
CDC_BIND_HOST="127.0.0.1"

CDC_PG_PORT="${CDC_PG_PORT:-25432}"
CDC_PG_USER="${CDC_PG_USER:-postgres}"
CDC_CH_HTTP_PORT="${CDC_CH_HTTP_PORT:-28123}"
CDC_CH_NATIVE_PORT="${CDC_CH_NATIVE_PORT:-29000}"
CDC_CH_INTERSERVER_PORT="${CDC_CH_INTERSERVER_PORT:-29009}"
CDC_ES_PORT="${CDC_ES_PORT:-29200}"
CDC_ES_TRANSPORT_PORT="${CDC_ES_TRANSPORT_PORT:-29300}"
CDC_ES_HEAP="${CDC_ES_HEAP:-512m}"
CDC_KAFKA_PORT="${CDC_KAFKA_PORT:-29092}"
CDC_KAFKA_CONTROLLER_PORT="${CDC_KAFKA_CONTROLLER_PORT:-29093}"
CDC_CONNECT_PORT="${CDC_CONNECT_PORT:-28083}"
# The main Connect worker's remote JMX (loopback, no auth): where the lag monitor reads our sinks' per-table metrics.
CDC_CONNECT_JMX_PORT="${CDC_CONNECT_JMX_PORT:-28099}"

# Seconds each server gets to become healthy. Elasticsearch on two busy cores needs the most.
CDC_PG_START_TIMEOUT="${CDC_PG_START_TIMEOUT:-60}"
CDC_CH_START_TIMEOUT="${CDC_CH_START_TIMEOUT:-60}"
CDC_ES_START_TIMEOUT="${CDC_ES_START_TIMEOUT:-180}"
CDC_KAFKA_START_TIMEOUT="${CDC_KAFKA_START_TIMEOUT:-90}"
CDC_CONNECT_START_TIMEOUT="${CDC_CONNECT_START_TIMEOUT:-180}"

# Versions are pinned once, as <version.NAME> properties of the parent pom.xml: the build, these scripts and the
# checks of docker-compose.yml (DockerComposeTest) all read them there.
pom_version() {
  sed -n "s:.*<version\.$1>\([^<]*\)</version\.$1>.*:\1:p" "$CDC_HOME/pom.xml" | head -n1
}
CDC_ES_VERSION="$(pom_version elasticsearch)"
CDC_KAFKA_VERSION="$(pom_version kafka)"
CDC_DEBEZIUM_VERSION="$(pom_version debezium)"
export CDC_ES_VERSION CDC_KAFKA_VERSION CDC_DEBEZIUM_VERSION

# The unprivileged system user Elasticsearch runs as (it refuses root). PostgreSQL runs as 'postgres'.
CDC_ES_USER="${CDC_ES_USER:-cdc-es}"
CDC_PG_BIN="${CDC_PG_BIN:-/usr/lib/postgresql/15/bin}"

log()  { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# build_current FILE: true when FILE (a command's recorded classpath) exists and no pom.xml or main source of the
# project changed after it, so a pulled or edited checkout never runs on the jars of an older build. (The builds
# write the file with -Dmdep.regenerateFile=true: the plugin otherwise leaves an unchanged file, and its old time.)
build_current() {
  [ -s "$1" ] && [ -z "$(find "$CDC_HOME" -path "$CDC_HOME/.work" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) \
    -newer "$1" -type f -print -quit 2>/dev/null)" ]
}

# is_alive PIDFILE: true when the file names a running process.
is_alive() {
  local pidfile="$1" pid
  [ -s "$pidfile" ] || return 1
  pid="$(head -n1 "$pidfile" | tr -dc '0-9')"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

pid_of() { head -n1 "$1" | tr -dc '0-9'; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/$CDC_BIND_HOST/$1") 2>/dev/null; }

# wait_until SECONDS DESCRIPTION [--pid PIDFILE] COMMAND...: polls COMMAND every half second until it succeeds or
# time runs out; with --pid it gives up at once when that process has exited, instead of waiting out the timeout.
wait_until() {
  local timeout="$1" what="$2" pidfile=""; shift 2
  if [ "${1:-}" = "--pid" ]; then pidfile="$2"; shift 2; fi
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pidfile" ] && ! is_alive "$pidfile"; then
      warn "$what exited while starting"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      warn "$what did not become ready within ${timeout}s"
      return 1
    fi
    sleep 0.5
  done
}

# start_detached PIDFILE OUTFILE COMMAND...: starts COMMAND in its own session (so a Ctrl-C in the user's terminal
# does not reach it) with output to OUTFILE, and records its pid. setsid execs in place here because a background
# job of a script is never a process-group leader, so $! is the server's own pid. Servers must not inherit fd 9,
# the stack lock, or the lock would be held for as long as they run.
start_detached() {
  local pidfile="$1" out="$2"; shift 2
  setsid nohup "$@" >"$out" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
}

# stop_pid NAME PIDFILE: SIGTERM, wait up to 60 s, then SIGKILL; removes the pid file.
stop_pid() {
  local name="$1" pidfile="$2" pid
  if ! is_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(pid_of "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      warn "$name (pid $pid) ignored SIGTERM for 60s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.3
  done
  rm -f "$pidfile"
}

# show_log_tail NAME FILE: what a user needs to see when a server failed to start.
show_log_tail() {
  local name="$1" file="$2"
  if [ -f "$file" ]; then
    printf '\n----- last 40 lines of %s (%s) -----\n' "$name" "$file" >&2
    tail -n 40 "$file" >&2
    printf -- '----- end of %s log -----\n\n' "$name" >&2
  else
    warn "$name wrote no log at $file"
  fi
}

# The project's Maven wrapper, quiet and non-interactive, for fetching artifacts from Maven Central.
mvnw() { "$CDC_HOME/mvnw" -B -q "$@"; }

# java_home: the JDK that runs the Java servers (the default java, unless CDC_JAVA_HOME says otherwise).
java_home() {
  if [ -n "${CDC_JAVA_HOME:-}" ]; then
    printf '%s\n' "$CDC_JAVA_HOME"
  else
    dirname "$(dirname "$(readlink -f "$(command -v java)")")"
  fi
}

# env_value KEY: the value of KEY in the `bin/cdc stack env` lines on stdin.
env_value() {
  sed -n "s/^export $1=//p"
}
