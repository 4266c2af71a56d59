#!/usr/bin/env bash
# The throughput benchmark of issue 9: a real Kafka broker process, the data sets produced by the
# product's own producers, and per workload streamgrad's end-to-end rate next to references
# measured in the same run (plain consumer, consumer + decoding, the trainer on in-memory batches),
# τ_f, peak resident memory, checkpoint statistics, and the CPU the train JVM's threads and the
# broker used during the measured span. See README "Benchmark".
#
#   scripts/bench-throughput.sh [--scale F] [--workloads logistic,softmax,mlp,memory,jdk] [--jdk DIR]
#                               [--repeat N] [--out DIR] [--keep-data]
#
#   --scale F      fraction of the 2,000,000 logistic events, and of the memory workload's
#                  1, 4 and 8 million (default 1; e.g. 0.05 while developing).
#                  MNIST (softmax, mlp) is always its 60,000 training images.
#   --workloads    comma-separated subset of logistic,softmax,mlp,memory,jdk (default: the first
#                  three).
#                  memory: train --bounded (logistic, 100 features) over 1 M and 8 M events with 1
#                  and 3 epochs (the launcher's heap), and 3 epochs over 4 M with a 768 MB heap:
#                  peak resident memory against the 1 M run's, checkpoint sizes and durations
#                  (memory.md)
#                  jdk: the three models' end-to-end runs, alternating in --repeat rounds between
#                  the JDK this script runs on with the launcher's archive, the JDK given with
#                  --jdk without one, and that JDK with the launcher's archive (an AOT cache from
#                  JDK 25 on), each archive recorded first by a bounded logistic run (jdk.md)
#   --jdk DIR      the JDK (a JAVA_HOME) the jdk workload compares with; required for it
#   --repeat N     runs per workload of the raw consumer, of the in-memory trainer (a cold pass,
#                  then warm) and of the end-to-end job, alternating, then of the warm 3-epoch job
#                  (default 3): the report gives medians, and each ratio's lowest and highest run
#   --out DIR      where the report, logs, summaries and the broker's data go
#                  (default target/bench/<date-time>)
#   --keep-data    keep the broker's log directory afterwards (default: deleted, it is ~1 GB)
#
# Environment: OMP_NUM_THREADS (default 1, as ./streamgrad runs), STREAMGRAD_BENCH_HEAP (the
# reference JVM's -Xmx, default 2g), STREAMGRAD_CDS (default 0 here: the train runs start without
# the launcher's class-data archive, so that no measured run writes it and start-up stays
# comparable across builds; 1 uses it, README "Start-up"; the jdk workload sets it per arm). Stops
# the broker it started on exit, failure or Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOB="$ROOT/flink-job"
SCALE=1
WORKLOADS=logistic,softmax,mlp
OUT=""
KEEP=0
REPEAT=3
JDK=""

export STREAMGRAD_CDS="${STREAMGRAD_CDS:-0}"

die() { echo "bench-throughput: $*" >&2; exit 1; }
say() { echo "bench-throughput: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE="${2:?--scale needs a number}"; shift 2 ;;
    --workloads) WORKLOADS="${2:?--workloads needs a list}"; shift 2 ;;
    --out) OUT="${2:?--out needs a directory}"; shift 2 ;;
    --repeat) REPEAT="${2:?--repeat needs a number}"; shift 2 ;;
    --keep-data) KEEP=1; shift ;;
    --jdk) JDK="${2:?--jdk needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$REPEAT" =~ ^[1-9][0-9]?$ ]] || die "--repeat must be a whole number from 1 to 99, got '$REPEAT'"
[[ "$SCALE" =~ ^[0-9]*\.?[0-9]+$ ]] || die "--scale must be a positive number, got '$SCALE'"
LOGISTIC_EVENTS="$(awk -v s="$SCALE" 'BEGIN { printf "%d", 2000000 * s }')"
[ "$LOGISTIC_EVENTS" -ge 1024 ] || die "--scale $SCALE gives $LOGISTIC_EVENTS logistic events; use at least 0.001"
for w in ${WORKLOADS//,/ }; do
  case "$w" in logistic|softmax|mlp|memory|jdk) ;; *) die "unknown workload '$w': use logistic, softmax, mlp, memory, jdk" ;; esac
done
wants() { # NAME...: whether --workloads names any of them
  local w
  for w in "$@"; do [[ ",$WORKLOADS," == *",$w,"* ]] && return 0; done
  return 1
}
if ! wants jdk && [ -n "$JDK" ]; then
  die "--jdk is for the jdk workload: add jdk to --workloads"
fi
if wants jdk; then
  [ -n "$JDK" ] || die "the jdk workload needs --jdk DIR: the JAVA_HOME of the JDK to compare with (25 or later for the AOT cache)"
  [ -x "$JDK/bin/java" ] || die "--jdk $JDK: no bin/java there; give a JDK's home directory"
  JDK="$(cd "$JDK" && pwd)"
fi
OUT="${OUT:-$ROOT/target/bench/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

# One build with the bench sources (target/test-classes) and the launcher's classpath.
say "building (-Pbench, tests skipped)..."
if ! "$ROOT/mvnw" -o -q -B -Pbench -DskipTests -Dspotless.check.skip=true -f "$ROOT/pom.xml" package \
    >"$OUT/build.log" 2>&1 &&
  ! "$ROOT/mvnw" -q -B -Pbench -DskipTests -Dspotless.check.skip=true -f "$ROOT/pom.xml" package \
    >"$OUT/build.log" 2>&1; then
  die "the build failed (see $OUT/build.log)"
fi
# A build without -Pbench since the last bench build recompiles the test classes without the bench
# sources, and Maven's incremental check then sees nothing to recompile: compile them afresh.
if [ ! -f "$JOB/target/test-classes/io/streamgrad/bench/ThroughputBench.class" ]; then
  say "the bench classes are missing from $JOB/target/test-classes: compiling the test classes afresh..."
  # The unpack markers go too: they would stop the next build from unpacking the operator CRDs
  # into the new test-classes (K8sManifestsTest needs them).
  rm -rf "$JOB/target/test-classes" "$JOB/target/dependency-maven-plugin-markers"
  "$ROOT/mvnw" -o -q -B -Pbench -DskipTests -Dspotless.check.skip=true -f "$ROOT/pom.xml" package \
    >>"$OUT/build.log" 2>&1 || die "the build failed (see $OUT/build.log)"
  [ -f "$JOB/target/test-classes/io/streamgrad/bench/ThroughputBench.class" ] ||
    die "the -Pbench build produced no bench classes (see $OUT/build.log)"
fi
# The build is current: tell ./streamgrad so (it rebuilds when a source is newer than its classpath
# file, and that build, without -Pbench, would drop the bench classes). And it stays the build
# measured: a source edited while the benchmark runs must not make a later ./streamgrad rebuild
# (that happened twice in one session: every run after it lacked ThroughputBench).
touch "$JOB/target/classpath.txt"
export STREAMGRAD_BUILD=0

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 30000))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "found no free port"
}
export STREAMGRAD_LOCAL_DIR="$OUT/local"
export STREAMGRAD_KAFKA_PORT
STREAMGRAD_KAFKA_PORT="$(free_port)"
export STREAMGRAD_KAFKA_CONTROLLER_PORT
STREAMGRAD_KAFKA_CONTROLLER_PORT="$(free_port)"
[ "$STREAMGRAD_KAFKA_PORT" != "$STREAMGRAD_KAFKA_CONTROLLER_PORT" ] || die "port clash, run again"
SERVERS="localhost:$STREAMGRAD_KAFKA_PORT"

BENCH_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
    kill "$BENCH_PID" 2>/dev/null || true # its shutdown hook stops the train child it started
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  "$ROOT/deploy/local/kafka.sh" stop || true
  if [ "$KEEP" = 0 ]; then rm -rf "$STREAMGRAD_LOCAL_DIR/kafka/data" "$OUT"/state-*; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$ROOT/deploy/local/kafka.sh" start

produce() { # NAME ARGS...: one producer run, timed, its output in $OUT/produce-NAME.log
  local name="$1" start
  shift
  start=$(date +%s)
  say "producing $name..."
  "$ROOT/streamgrad" produce "$@" --bootstrap-servers "$SERVERS" >"$OUT/produce-$name.log" 2>&1 ||
    die "producing $name failed: $(tail -n 1 "$OUT/produce-$name.log") (see $OUT/produce-$name.log)"
  say "produced $name in $(($(date +%s) - start)) s"
}
if wants logistic jdk; then
  produce logistic synthetic --topic bench.logistic --events "$LOGISTIC_EVENTS" --features 100 --task binary
fi
if wants softmax mlp jdk; then
  "$ROOT/scripts/fetch-mnist.sh" >&2
  produce mnist idx --topic bench.mnist --dir "$ROOT/data/mnist" --split train
fi

MEM_1="$(awk -v s="$SCALE" 'BEGIN { printf "%d", 1000000 * s }')"
MEM_4="$(awk -v s="$SCALE" 'BEGIN { printf "%d", 4000000 * s }')"
MEM_8="$(awk -v s="$SCALE" 'BEGIN { printf "%d", 8000000 * s }')"
if wants memory; then
  for n in "$MEM_1" "$MEM_4" "$MEM_8"; do
    produce "memory-$n" synthetic --topic "bench.mem.$n" --events "$n" --features 100 --task binary
  done
fi

CP="$JOB/target/test-classes:$JOB/target/classes:$(cat "$JOB/target/classpath.txt"):$(cat "$JOB/target/classpath-runtime.txt")"
# The launcher's JVM flags (JIT thresholds, the collector), so that the references run as the
# measured train JVM does.
JVM_OPTIONS="$JOB/src/main/cli/jvm.options"
mapfile -t JVM_FLAGS < <(grep -v '^#' "$JVM_OPTIONS" | grep -v '^[[:space:]]*$')
bench() { # MAIN ARGS...: one benchmark JVM, stopped with this script
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" "${JVM_FLAGS[@]}" -Xmx"${STREAMGRAD_BENCH_HEAP:-2g}" \
    -Dlog4j2.configurationFile="$JOB/src/main/cli/log4j2-cli.properties" \
    -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.streamgrad.schema \
    -cp "$CP" "$@" &
  BENCH_PID=$!
  wait "$BENCH_PID"
  BENCH_PID=""
}
THROUGHPUT="$(echo ",$WORKLOADS," | sed 's/,memory,/,/; s/,jdk,/,/; s/^,//; s/,$//')"
if [ -n "$THROUGHPUT" ]; then
  bench io.streamgrad.bench.ThroughputBench \
    --bootstrap-servers "$SERVERS" --launcher "$ROOT/streamgrad" --out "$OUT" --workloads "$THROUGHPUT" \
    --jvm-options "$JVM_OPTIONS" --repeat "$REPEAT"
  say "report: $OUT/bench.md, $OUT/bench.json; per-run logs and summaries in $OUT"
fi
if wants memory; then
  bench io.streamgrad.bench.MemoryBench \
    --bootstrap-servers "$SERVERS" --launcher "$ROOT/streamgrad" --out "$OUT" \
    --cases "$MEM_1:1,$MEM_8:1,$MEM_1:3,$MEM_8:3,$MEM_4:3:768m"
  say "memory report: $OUT/memory.md, $OUT/memory.json"
fi
if wants jdk; then
  bench io.streamgrad.bench.JdkBench \
    --bootstrap-servers "$SERVERS" --launcher "$ROOT/streamgrad" --out "$OUT" --jdk "$JDK" \
    --workloads logistic,softmax,mlp --rounds "$REPEAT"
  say "JDK report: $OUT/jdk.md, $OUT/jdk.json"
fi
