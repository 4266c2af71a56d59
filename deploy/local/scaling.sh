#!/usr/bin/env bash
# How the training rate of many models changes with parallelism, on the local cluster of cluster.sh:
#   deploy/local/scaling.sh [MODELS] [EVENTS_PER_MODEL] [PARALLELISMS]
#   deploy/local/scaling.sh 1000 128 "1 2 4"      # the defaults
# Produces MODELS × EVENTS_PER_MODEL synthetic binary events (10 features, 4 partitions, one teacher
# per model key) to a new topic scaling-TIME.events of the broker of kafka.sh, then runs the same bounded
# job (logistic regression, SGD, batch 16, event-time windows of 1 min) once per parallelism, one
# after the other, and prints a table: the JobManager's runtime of each job (start to end, so task
# deployment is included), events per second, and the ratio to the first parallelism's rate.
# Needs: kafka.sh start, cluster.sh start (2 TaskManagers × 2 slots give parallelism up to 4), and
# the job jar (./mvnw package or any ./streamgrad command builds it).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODELS="${1:-1000}"
PER_MODEL="${2:-128}"
PARALLELISMS="${3:-1 2 4}"
[[ "$MODELS" =~ ^[1-9][0-9]*$ ]] || die "MODELS must be a positive number, got '$MODELS'"
[[ "$PER_MODEL" =~ ^[1-9][0-9]*$ ]] || die "EVENTS_PER_MODEL must be a positive number, got '$PER_MODEL'"
EVENTS=$((MODELS * PER_MODEL))
BOOTSTRAP="localhost:$KAFKA_PORT"
TOPIC="scaling-$(date +%Y%m%d-%H%M%S).events"

port_in_use "$KAFKA_PORT" ||
  die "no Kafka broker on $BOOTSTRAP; start one with deploy/local/kafka.sh start"
curl -sf --max-time 5 "$REST_URL/overview" >/dev/null ||
  die "no Flink cluster answers at $REST_URL; start one with deploy/local/cluster.sh start 2"
JAR="$(ls "$ROOT"/flink-job/target/streamgrad-flink-job-*-job.jar 2>/dev/null | head -n 1 || true)"
[ -n "$JAR" ] || die "no job jar in flink-job/target; build it with ./mvnw -DskipTests package"

run_id="$(date +%Y%m%d-%H%M%S)"
say "producing $EVENTS events for $MODELS models to $TOPIC..."
"$ROOT/streamgrad" produce synthetic --bootstrap-servers "$BOOTSTRAP" --topic "$TOPIC" \
  --models "$MODELS" --model-key m --events "$EVENTS" --features 10 --partitions 4 \
  --seed 7 >&2

# json_field NAME: the first "NAME":value of the JSON on stdin (the job's own, before its vertices').
json_field() {
  grep -o "\"$1\":\"\\?[A-Za-z0-9_-]*" | head -n 1 | sed 's/.*:"\?//'
}

printf '%-12s %12s %12s %10s\n' parallelism runtime_s events_per_s ratio
first_rate=""
for p in $PARALLELISMS; do
  name="scaling-$run_id-p$p"
  out="$("$LOCAL/flink" run -d "$JAR" --bootstrap-servers "$BOOTSTRAP" --events-topic "$TOPIC" \
    --metrics-topic "$name.metrics" --snapshots-topic "$name.snapshots" \
    --dead-letter-topic "$name.dead" --group-id "$name" --parallelism "$p" --bounded \
    --model logistic --features 10 --optimizer sgd --learning-rate 0.05 --batch-size 16 \
    --window event-time:1m --checkpoint-interval-ms 10000 --snapshot-every 100000)"
  id="$(echo "$out" | grep -o 'JobID [0-9a-f]\{32\}' | head -n 1 | cut -d' ' -f2)"
  [ -n "$id" ] || die "no job id in the client's output: $out"
  while :; do
    doc="$(curl -sf --max-time 10 "$REST_URL/jobs/$id")" || die "the JobManager at $REST_URL stopped answering"
    state="$(echo "$doc" | json_field state)"
    case "$state" in
      FINISHED) break ;;
      FAILED | CANCELED) die "job $id (parallelism $p) ended $state; see $REST_URL/#/job/completed/$id/exceptions" ;;
    esac
    sleep 1
  done
  ms="$(echo "$doc" | json_field duration)"
  rate="$(echo "scale=1; $EVENTS * 1000 / $ms" | bc)"
  [ -n "$first_rate" ] || first_rate="$rate"
  printf '%-12s %12s %12s %10s\n' "$p" "$(echo "scale=1; $ms / 1000" | bc)" "$rate" \
    "$(printf '%.2f' "$(echo "scale=4; $rate / $first_rate" | bc)")"
done
