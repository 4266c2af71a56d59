#!/usr/bin/env bash
# A Flink standalone session cluster as plain JVM processes from Maven Central jars (no Flink
# distribution is published there): one JobManager (REST API and web UI on localhost:8081) and N
# TaskManagers, in the shape of Flink's bin/start-cluster.sh.
#   deploy/local/cluster.sh start [N]           # JobManager + N TaskManagers (default 2)
#   deploy/local/cluster.sh add-taskmanager     # one more TaskManager
#   deploy/local/cluster.sh kill-taskmanager I  # kill -9 TaskManager I (as a crash would)
#   deploy/local/cluster.sh stop                # stops what these scripts started (PID files)
#   deploy/local/cluster.sh status
# Environment: STREAMGRAD_LOCAL_DIR (work directory, default deploy/local/work),
# STREAMGRAD_FLINK_REST_PORT (8081), STREAMGRAD_FLINK_RPC_PORT (6123), STREAMGRAD_FLINK_SLOTS (2 per
# TaskManager), STREAMGRAD_FLINK_TM_MEMORY (1600m), STREAMGRAD_FLINK_JM_MEMORY (1024m),
# OMP_NUM_THREADS (ND4J's threads per TaskManager, default 1).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CONF="$WORK/conf"
STARTED=0
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

write_config() {
  mkdir -p "$CONF" "$WORK/tmp" "$WORK/web" "$WORK/checkpoints"
  cat >"$CONF/config.yaml" <<YAML
# Written by deploy/local/cluster.sh: a local standalone session cluster.
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $FLINK_RPC_PORT
jobmanager.bind-host: localhost
jobmanager.memory.process.size: $FLINK_JM_MEMORY
taskmanager.bind-host: localhost
taskmanager.host: localhost
taskmanager.memory.process.size: $FLINK_TM_MEMORY
# Keyed state lives on the heap (hashmap backend): little managed memory needed.
taskmanager.memory.managed.fraction: 0.05
taskmanager.numberOfTaskSlots: $FLINK_SLOTS
# Spread a job's slots over the TaskManagers rather than filling one first.
taskmanager.load-balance.mode: slots
rest.address: localhost
rest.bind-address: localhost
rest.port: $FLINK_REST_PORT
io.tmp.dirs: $WORK/tmp
web.tmpdir: $WORK/web
execution.checkpointing.storage: filesystem
execution.checkpointing.dir: file://$WORK/checkpoints
# A finished job's jar leaves the TaskManagers' blob caches after a minute, not the default hour:
# every job brings its own copy (236 MB), and a session cluster runs job after job.
blob.service.cleanup.interval: 60
# A killed TaskManager is noticed in seconds (refused heartbeats), not after the 50 s default.
heartbeat.interval: 1000
heartbeat.timeout: 10000
# ND4J and javacpp sit on the TaskManagers' classpath and load from there (parent-first), so their
# native code loads once per TaskManager instead of once per job (the job jar's copies go unused).
classloader.parent-first-patterns.additional: [org.nd4j, org.bytedeco]
YAML
}

# The JVM flags and -D settings Flink's start scripts compute (BashJavaUtils): NAME JM|TM
resource_params() {
  local out
  out="$("$JAVA" -Dlog4j2.configurationFile="$LOCAL/conf/log4j2.properties" -Dlog.file="$WORK/log/bash-java-utils.log" \
    -cp "$(classpath flink)" org.apache.flink.runtime.util.bash.BashJavaUtils "GET_$1_RESOURCE_PARAMS" --configDir "$CONF" 2>&1)" ||
    die "Flink rejects the $1 memory settings in $CONF/config.yaml: $(echo "$out" | grep -E '(Exception|Error): ' | tail -n 1 | sed 's/^.*\(Exception\|Error\): //' | cut -c1-300)"
  echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

taskmanagers_registered() {
  curl -sf --max-time 2 "$REST_URL/overview" | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p'
}

tm_indices() {
  local f
  for f in "$WORK"/pid/taskmanager-*.pid; do
    [ -e "$f" ] || continue
    f="${f##*/taskmanager-}"
    echo "${f%.pid}"
  done | sort -n
}

require_cluster() {
  pid_of jobmanager >/dev/null ||
    die "no JobManager started from $WORK runs; start one: deploy/local/cluster.sh start"
  curl -sf --max-time 5 "$REST_URL/overview" >/dev/null ||
    die "the JobManager does not answer at $REST_URL (see $WORK/log/jobmanager.log)"
}

# Starts TaskManager I (its resource id is taskmanager-I, its log $WORK/log/taskmanager-I.log).
launch_taskmanager() {
  local i="$1" params jvm dyn
  params="${TM_PARAMS:-$(resource_params TM)}"
  jvm="$(echo "$params" | sed -n 1p)"
  dyn="$(echo "$params" | sed -n 2p)"
  # shellcheck disable=SC2086
  launch "taskmanager-$i" "$WORK/log/taskmanager-$i.out" "$JAVA" $jvm "${JAVA_OPENS[@]}" \
    -Dlog4j2.configurationFile="$LOCAL/conf/log4j2.properties" -Dlog.file="$WORK/log/taskmanager-$i.log" \
    -cp "$(classpath flink):$(classpath nd4j)" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$CONF" $dyn -D "taskmanager.resource-id=taskmanager-$i"
}

# Waits until N TaskManagers are registered; fails if one of ours exits.
await_taskmanagers() {
  local want="$1" i n j
  for ((i = 0; i < 900; i++)); do
    for j in $(tm_indices); do
      if ! pid_of "taskmanager-$j" >/dev/null; then
        rm -f "$WORK/pid/taskmanager-$j.pid"
        say "TaskManager $j exited while starting: $(cause_in "$WORK/log/taskmanager-$j.log" "$WORK/log/taskmanager-$j.out") (see $WORK/log/taskmanager-$j.log)"
        return 1
      fi
    done
    n="$(taskmanagers_registered || true)"
    [ "${n:-0}" -ge "$want" ] && return 0
    sleep 0.2
  done
  say "only ${n:-0} of $want TaskManagers registered at $REST_URL within 180 s (see $WORK/log/taskmanager-*.log)"
  return 1
}

stop_all() {
  local i pids=() pid waited alive=""
  for i in $(tm_indices); do pid="$(pid_of "taskmanager-$i")" && pids+=("$pid"); done
  if pid="$(pid_of jobmanager)"; then pids+=("$pid"); fi
  for i in $(tm_indices); do terminate "taskmanager-$i" 20; done
  terminate jobmanager 20
  # The processes' scratch space (io.tmp.dirs): every job's copy of the job jar in the
  # TaskManagers' blob caches (236 MB each), spill files. Nothing there outlives the cluster;
  # checkpoints are in $WORK/checkpoints and stay. Deleted once every process is gone (a SIGKILL
  # is not waited for by terminate).
  for ((waited = 0; waited < 50; waited++)); do
    alive=""
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then alive="$pid"; break; fi
    done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  if [ -n "$alive" ]; then
    say "left $WORK/tmp: process $alive has not exited yet"
  elif [ -d "$WORK/tmp" ]; then
    rm -rf "$WORK/tmp"
  fi
}

start() {
  local n="${1:-2}" started params jvm dyn i
  [[ "$n" =~ ^[0-9]+$ ]] || die "start takes a number of TaskManagers, got '$n'"
  if pid="$(pid_of jobmanager)"; then
    die "a JobManager started from $WORK already runs (pid $pid); stop it first: deploy/local/cluster.sh stop"
  fi
  require_free_port "$FLINK_REST_PORT" "Flink REST and web UI" STREAMGRAD_FLINK_REST_PORT
  require_free_port "$FLINK_RPC_PORT" "Flink JobManager RPC" STREAMGRAD_FLINK_RPC_PORT
  classpath flink >/dev/null
  classpath nd4j >/dev/null
  rm -f "$WORK"/log/jobmanager.* "$WORK"/log/taskmanager-*
  write_config
  started=$(date +%s.%N)
  # Both memory settings are checked before anything starts; TaskManagers reuse theirs.
  TM_PARAMS="$(resource_params TM)"
  params="$(resource_params JM)"
  jvm="$(echo "$params" | sed -n 1p)"
  dyn="$(echo "$params" | sed -n 2p)"
  # shellcheck disable=SC2086
  launch jobmanager "$WORK/log/jobmanager.out" "$JAVA" $jvm "${JAVA_OPENS[@]}" \
    -Dlog4j2.configurationFile="$LOCAL/conf/log4j2.properties" -Dlog.file="$WORK/log/jobmanager.log" \
    -cp "$(classpath flink)" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$CONF" --executionMode cluster $dyn
  # Any failure from here on (a die, set -e, Ctrl-C) stops what this start started.
  trap '[ "$STARTED" = 1 ] || { say "start failed: stopping what it started"; stop_all; }' EXIT
  for ((i = 1; i <= n; i++)); do launch_taskmanager "$i"; done
  for ((i = 0; i < 600; i++)); do
    if ! pid_of jobmanager >/dev/null; then
      rm -f "$WORK/pid/jobmanager.pid"
      die "the JobManager exited while starting: $(cause_in "$WORK/log/jobmanager.log" "$WORK/log/jobmanager.out") (see $WORK/log/jobmanager.log)"
    fi
    curl -sf --max-time 2 "$REST_URL/overview" >/dev/null && break
    sleep 0.2
  done
  if ! curl -sf --max-time 2 "$REST_URL/overview" >/dev/null; then
    die "the JobManager did not answer at $REST_URL within 120 s (see $WORK/log/jobmanager.log)"
  fi
  await_taskmanagers "$n" || exit 1
  STARTED=1
  say "cluster ready: JobManager $REST_URL (web UI), $n TaskManager$([ "$n" = 1 ] || echo s) × $FLINK_SLOTS slots ($(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)") s); logs $WORK/log"
}

add_taskmanager() {
  require_cluster
  local last i j
  last="$(ls "$WORK"/log/taskmanager-*.log "$WORK"/pid/taskmanager-*.pid 2>/dev/null | sed -n 's/.*taskmanager-\([0-9]*\)\..*/\1/p' | sort -n | tail -n 1)"
  i=$((${last:-0} + 1))
  launch_taskmanager "$i"
  # Wait for this TaskManager's own resource id: a killed one may still count until its heartbeats time out.
  for ((j = 0; j < 900; j++)); do
    if ! pid_of "taskmanager-$i" >/dev/null; then
      rm -f "$WORK/pid/taskmanager-$i.pid"
      die "TaskManager $i exited while starting: $(cause_in "$WORK/log/taskmanager-$i.log" "$WORK/log/taskmanager-$i.out") (see $WORK/log/taskmanager-$i.log)"
    fi
    if curl -sf --max-time 2 "$REST_URL/taskmanagers" | grep -q "\"id\":\"taskmanager-$i\""; then
      say "TaskManager $i registered (pid $(pid_of "taskmanager-$i")); log $WORK/log/taskmanager-$i.log"
      return 0
    fi
    sleep 0.2
  done
  terminate "taskmanager-$i" 5
  die "TaskManager $i did not register at $REST_URL within 180 s (see $WORK/log/taskmanager-$i.log)"
}

kill_taskmanager() {
  local i="${1:-}" pid
  [ -n "$i" ] || die "kill-taskmanager takes the TaskManager's number (running: $(tm_indices | tr '\n' ' '))"
  pid="$(pid_of "taskmanager-$i")" ||
    die "no TaskManager $i started from $WORK runs (running: $(tm_indices | tr '\n' ' '))"
  kill -9 "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$WORK/pid/taskmanager-$i.pid"
  say "killed TaskManager $i (pid $pid) with SIGKILL"
}

status() {
  local pid i rc=0
  if pid="$(pid_of jobmanager)"; then echo "jobmanager: pid $pid, $REST_URL"; else echo "jobmanager: not running"; rc=1; fi
  for i in $(tm_indices); do
    if pid="$(pid_of "taskmanager-$i")"; then echo "taskmanager-$i: pid $pid"; else echo "taskmanager-$i: gone"; fi
  done
  return $rc
}

case "${1:-}" in
  start) start "${2:-2}" ;;
  stop) stop_all ;;
  add-taskmanager) add_taskmanager ;;
  kill-taskmanager) kill_taskmanager "${2:-}" ;;
  status) status ;;
  *) echo "usage: $0 start [N]|stop|add-taskmanager|kill-taskmanager I|status" >&2; exit 2 ;;
esac
