#!/usr/bin/env bash
# Installs the Apache Kafka broker (kafka_2.13, its admin tools and a logging backend) as jars from
# Maven Central into ${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}/kafka/<version>/libs, with
# `mvn dependency:copy-dependencies` on scripts/kafka/pom.xml. The releases are the lines of
# scripts/kafka/versions.txt (docs/kafka.md says why those); arguments override them.
# Idempotent: a cache made from the same pom, release and Java is kept (and Maven's own ~/.m2
# cache serves a reinstall); the kafka_real tests (tests/support/kafka/) run from it.
#
# Usage: scripts/install-kafka.sh [VERSION...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pom="$here/kafka/pom.xml"
cache=${EO_CACHE_DIR:-$HOME/.cache/electrum-observatory}/kafka
if [ $# -eq 0 ]; then
  mapfile -t versions < <(grep -v '^ *\(#\|$\)' "$here/kafka/versions.txt")
  exec "$0" "${versions[@]}"
fi
if [ $# -gt 1 ]; then
  for version in "$@"; do "$0" "$version"; done
  exit 0
fi
version=$1
dest="$cache/$version"

for tool in java mvn; do
  if ! command -v "$tool" >/dev/null; then
    echo "install-kafka: $tool not found (openjdk-17-jre-headless and maven in scripts/debian-packages.txt)" >&2
    exit 2
  fi
done
case "$version" in
  3.*) profile=log4j1 ;;  # slf4j 1.7 -> reload4j
  4.*) profile=log4j2 ;;  # slf4j 2 -> log4j 2
  *) echo "install-kafka: version '$version' is not a 3.x or 4.x release" >&2; exit 2 ;;
esac
java_id=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p')
stamp="kafka_2.13 $version $profile | java $java_id | $(sha256sum "$pom" | cut -c1-16)"

mkdir -p "$cache"
exec 9>"$cache/.lock"  # one installer at a time per cache
flock 9

if [ -f "$dest/.eo-installed" ] && [ "$(cat "$dest/.eo-installed")" = "$stamp" ] &&
  compgen -G "$dest/libs/kafka_2.13-$version.jar" >/dev/null; then
  echo "kafka $version: present in $dest"
  exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
log="$cache/install-$version.log"
start=$SECONDS
if mvn -B -q -f "$pom" -P "$profile" -Dkafka.version="$version" \
  dependency:copy-dependencies -DoutputDirectory="$dest/libs" -DincludeScope=runtime >"$log" 2>&1 &&
  [ -f "$dest/libs/kafka_2.13-$version.jar" ]; then
  echo "$stamp" >"$dest/.eo-installed"
  echo "kafka $version: installed in $dest ($(ls "$dest/libs" | wc -l) jars, $((SECONDS - start)) s)"
else
  echo "kafka $version: FAILED, see $log" >&2
  tail -n 20 "$log" >&2
  rm -rf "$dest"
  exit 1
fi
