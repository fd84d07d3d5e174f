#!/usr/bin/env bash
# config.yaml under many devices (issue 15): N devices added as the registrar's events add them (batches of 1,000
# changes, one coalesced write each), one merge of all N with a file edited by hand, and one write of the whole file
# (serialize + atomic write). Prints time per device change, merge time, write time and file size per N.
# Runs in one JVM, one phase after the other, on the real file system (a temp directory); -Xmx2g.
# Usage: bench/config-bench.sh [--no-build] [--batch N] [sizes, default: 1k 10k 100k]
# Extra Maven flags (offline, another local repository) go in MVN_FLAGS, e.g. MVN_FLAGS="-o -Dmaven.repo.local=..."
set -euo pipefail
checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$checkout"
if [[ "${1:-}" == "--no-build" ]]; then
  shift
else
  mvn -q -B -ntp ${MVN_FLAGS:-} package -DskipTests -pl bench -am
fi
echo "config.yaml bench, $(nproc) cores, $(java -version 2>&1 | head -1)"
java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp bench/target/benchmarks.jar \
  org.screamrouter.sip.config.internal.ConfigYamlBench "$@"
