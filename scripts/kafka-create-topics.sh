#!/usr/bin/env bash
# Creates the observatory's topics on a real Kafka cluster with the settings docs/kafka.md
# recommends: replication factor 3, min.insync.replicas=2 (with the producers' acks=all a record
# is acknowledged once two replicas have it, and one broker may be lost), 14 days of retention
# (longer than any aggregator outage we plan for: it commits only what it stored), and enough
# partitions for consumer groups to spread. Uses Kafka's own TopicCommand from the jars of
# scripts/install-kafka.sh; existing topics are left as they are (--if-not-exists).
#
# Usage: scripts/kafka-create-topics.sh BOOTSTRAP [--command-config CLIENT.properties]
#   EO_KAFKA_PARTITIONS (12), EO_KAFKA_REPLICATION (3), EO_KAFKA_MIN_ISR (2),
#   EO_KAFKA_RETENTION_MS (1209600000) change the defaults; EO_KAFKA_VERSION the jars.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 BOOTSTRAP [--command-config FILE]" >&2
  exit 2
fi
bootstrap=$1
shift
version=${EO_KAFKA_VERSION:-$(grep -v '^ *\(#\|$\)' "$here/kafka/versions.txt" | head -n 1)}
libs=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}/kafka/$version/libs
if [ ! -d "$libs" ]; then
  echo "kafka-create-topics: no jars in $libs (run scripts/install-kafka.sh $version)" >&2
  exit 2
fi
for topic in observations.v1 honeypot.events.v1 findings.v1 targets.discovered.v1; do
  java -Xmx256m -cp "$libs/*" -Dlog4j.configuration=file:/dev/null \
    -Dlog4j2.configurationFile=/dev/null org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$bootstrap" "$@" --create --if-not-exists --topic "$topic" \
    --partitions "${EO_KAFKA_PARTITIONS:-12}" --replication-factor "${EO_KAFKA_REPLICATION:-3}" \
    --config min.insync.replicas="${EO_KAFKA_MIN_ISR:-2}" \
    --config retention.ms="${EO_KAFKA_RETENTION_MS:-1209600000}" 2> >(grep -v '^SLF4J\|^log4j' >&2)
done
