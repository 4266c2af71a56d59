# Sourced by kafka.sh, cluster.sh and flink: the work directory, classpaths, JVM flags and process
# bookkeeping of the local cluster. Every process these scripts start has a PID file under
# $WORK/pid; stop ends exactly those (after checking the PID still runs one of our commands).
LOCAL="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LOCAL/../.." && pwd)"
WORK="${STREAMGRAD_LOCAL_DIR:-$LOCAL/work}"
mkdir -p "$WORK/pid" "$WORK/log"
WORK="$(cd "$WORK" && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

KAFKA_PORT="${STREAMGRAD_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${STREAMGRAD_KAFKA_CONTROLLER_PORT:-9093}"
FLINK_REST_PORT="${STREAMGRAD_FLINK_REST_PORT:-8081}"
# Unless told otherwise, the port of the cluster this work directory runs, as cluster.sh start
# wrote it: status and the flink client then find a cluster started on another port.
# Only while that JobManager runs: a PID file a crash left names a process that is gone (or, reused,
# one that is not ours), and a new start takes the default again.
if [ -z "${STREAMGRAD_FLINK_REST_PORT:-}" ] && [ -f "$WORK/pid/jobmanager.pid" ] && [ -f "$WORK/conf/config.yaml" ]; then
  jm_pid="$(cat "$WORK/pid/jobmanager.pid" 2>/dev/null)"
  if [ -n "$jm_pid" ] && [ -r "/proc/$jm_pid/cmdline" ] && tr '\0' ' ' <"/proc/$jm_pid/cmdline" | grep -qF -- "$WORK"; then
    FLINK_REST_PORT="$(sed -n 's/^rest\.port: *//p' "$WORK/conf/config.yaml" | head -n 1)"
    FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
  fi
  unset jm_pid
fi
FLINK_RPC_PORT="${STREAMGRAD_FLINK_RPC_PORT:-6123}"
FLINK_SLOTS="${STREAMGRAD_FLINK_SLOTS:-2}"
FLINK_TM_MEMORY="${STREAMGRAD_FLINK_TM_MEMORY:-1600m}"
FLINK_JM_MEMORY="${STREAMGRAD_FLINK_JM_MEMORY:-1024m}"
REST_URL="http://localhost:$FLINK_REST_PORT"

# Flink on Java 17 needs these (the list of Flink's own config.yaml, env.java.opts.all).
JAVA_OPENS=(
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.sql/java.sql=ALL-UNNAMED
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
)

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

say() {
  echo "$(basename "$0"): $*" >&2
}

# classpath kafka|flink|nd4j: the jars of deploy/local/classpath/NAME/pom.xml, resolved once by the
# repository's Maven wrapper and cached in $WORK/classpath (offline first; online if something is missing).
classpath() {
  local file="$WORK/classpath/$1.txt"
  if [ ! -s "$file" ] || [ -n "$(find "$ROOT/pom.xml" "$LOCAL/pom.xml" "$LOCAL/classpath" -name pom.xml -newer "$file" -print -quit)" ]; then
    say "resolving the $1 classpath from Maven Central jars (once)..."
    if ! "$ROOT/mvnw" -o -q -B -f "$LOCAL/pom.xml" validate -Dclasspath.dir="$WORK/classpath" >"$WORK/log/maven.log" 2>&1 &&
      ! "$ROOT/mvnw" -q -B -f "$LOCAL/pom.xml" validate -Dclasspath.dir="$WORK/classpath" >"$WORK/log/maven.log" 2>&1; then
      die "could not resolve the jars (see $WORK/log/maven.log)"
    fi
    # Maven leaves a file it would write unchanged as it was, older than the pom that made it
    # resolve: marked fresh here, or every later call would resolve again.
    [ -s "$file" ] || die "resolving wrote no $file (see $WORK/log/maven.log)"
    touch "$WORK"/classpath/*.txt
  fi
  cat "$file"
}

# port_in_use PORT: true if something listens on localhost:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

require_free_port() { # PORT WHAT ENVVAR
  if port_in_use "$1"; then
    die "localhost:$1 ($2) is already in use; stop what listens there (lsof -i :$1) or choose another port with $3=<port>"
  fi
}

# pid_of NAME: the PID in $WORK/pid/NAME.pid if that process still runs one of our commands.
pid_of() {
  local f="$WORK/pid/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$WORK"; then
    echo "$pid"
  else
    return 1
  fi
}

# launch NAME LOGFILE CMD...: starts CMD in the background, detached from this shell, with a PID file.
launch() {
  local name="$1" log="$2"
  shift 2
  nohup "$@" >"$log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$WORK/pid/$name.pid"
  # Until the child has exec'd, its command line is this script's: wait for ours (pid_of checks it).
  for ((i = 0; i < 100; i++)); do
    pid_of "$name" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
}

# terminate NAME [TIMEOUT_S]: SIGTERM, then SIGKILL after the timeout; removes the PID file.
terminate() {
  local name="$1" timeout="${2:-20}" pid i
  if pid="$(pid_of "$name")"; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (pid $pid) did not stop in ${timeout}s: kill -9"
      kill -9 "$pid" 2>/dev/null || true
    fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$WORK/pid/$name.pid"
}

# cause_in FILE...: the last exception message in logs, for a one-line failure message.
cause_in() {
  cat "$@" 2>/dev/null | grep -E '(Exception|Error): ' | tail -n 1 | sed 's/^.*\(Exception\|Error\): //' | cut -c1-300
}
