#!/usr/bin/env bash
# A Kafka broker process (KRaft, broker and controller in one) from Maven Central jars.
#   deploy/local/kafka.sh start    # localhost:9092, storage formatted once under $WORK/kafka
#   deploy/local/kafka.sh stop     # stops the broker this script started (by its PID file)
#   deploy/local/kafka.sh status
# Environment: STREAMGRAD_LOCAL_DIR (work directory, default deploy/local/work),
# STREAMGRAD_KAFKA_PORT (9092), STREAMGRAD_KAFKA_CONTROLLER_PORT (9093), STREAMGRAD_KAFKA_HEAP (512m).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DATA="$WORK/kafka/data"
PROPS="$WORK/kafka/server.properties"
LOG="$WORK/log/kafka.log"
STARTED=0

write_properties() {
  mkdir -p "$DATA"
  cat >"$PROPS" <<PROPS
# Written by deploy/local/kafka.sh: a single-node KRaft broker for development.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://localhost:$KAFKA_PORT,CONTROLLER://localhost:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://localhost:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA
num.partitions=1
# One node: internal topics and transactions with one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# Model snapshots are large records (the job's producers send up to 64 MiB).
message.max.bytes=67108864
replica.fetch.max.bytes=67108864
PROPS
}

start() {
  if pid="$(pid_of kafka)"; then
    die "a broker started from $WORK already runs (pid $pid); stop it first: deploy/local/kafka.sh stop"
  fi
  require_free_port "$KAFKA_PORT" "Kafka" STREAMGRAD_KAFKA_PORT
  require_free_port "$KAFKA_CONTROLLER_PORT" "Kafka controller" STREAMGRAD_KAFKA_CONTROLLER_PORT
  local cp started
  cp="$(classpath kafka)"
  write_properties
  local jvm=("$JAVA" "-Xmx${STREAMGRAD_KAFKA_HEAP:-512m}" "-Dlog4j2.configurationFile=$LOCAL/conf/log4j2.properties"
    "-Dlog.file=$LOG" -cp "$cp")
  if [ ! -f "$DATA/meta.properties" ]; then
    local id
    id="$("${jvm[@]}" kafka.tools.StorageTool random-uuid)"
    "${jvm[@]}" kafka.tools.StorageTool format -t "$id" -c "$PROPS" >"$WORK/log/kafka-format.log" 2>&1 ||
      die "formatting $DATA failed: $(cause_in "$WORK/log/kafka-format.log") (see $WORK/log/kafka-format.log)"
  fi
  : >"$LOG"
  started=$(date +%s.%N)
  launch kafka "$WORK/log/kafka.out" "${jvm[@]}" kafka.Kafka "$PROPS"
  # Any failure from here on (a die, Ctrl-C) stops the broker this start started.
  trap '[ "$STARTED" = 1 ] || terminate kafka 5' EXIT
  for ((i = 0; i < 600; i++)); do
    if ! pid_of kafka >/dev/null; then
      rm -f "$WORK/pid/kafka.pid"
      die "the broker exited while starting: $(cause_in "$LOG" "$WORK/log/kafka.out") (see $LOG)"
    fi
    if grep -q "Kafka Server started" "$LOG" 2>/dev/null && port_in_use "$KAFKA_PORT"; then
      STARTED=1
      say "broker ready at localhost:$KAFKA_PORT (pid $(pid_of kafka), $(printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)") s); log $LOG"
      return 0
    fi
    sleep 0.1
  done
  die "the broker did not start within 60 s (see $LOG)"
}

case "${1:-}" in
  start) start ;;
  stop) terminate kafka 30 ;;
  status)
    if pid="$(pid_of kafka)"; then echo "kafka: pid $pid, localhost:$KAFKA_PORT"; else echo "kafka: not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
