#!/usr/bin/env bash
# Longer fuzzing than the build runs (issue 13): the jqwik properties of the request path (stack: mutated RFC 4475 /
# RFC 5118 messages over UDP and TCP), the registrar's handler (mutated device REGISTERs), the Scream packet reader
# (audio) and the SDP parser (sdp), with many more tries.
# Prints each property's tries and the time taken; a failure prints jqwik's shrunk sample and seed to reproduce it.
# Only loopback traffic. Usage: [TRIES=n] bench/fuzz.sh      (default 20000 tries per property, about 10 minutes)
set -euo pipefail
checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$checkout"
tries="${TRIES:-20000}"
mvn -q -B -ntp install -DskipTests -pl bundles/stack,bundles/audio,bundles/sdp,bundles/registrar -am
start=$(date +%s)
mvn -B -ntp -pl bundles/stack,bundles/audio,bundles/sdp,bundles/registrar surefire:test \
  -Dtest='RequestPathFuzzTest,ScreamPacketPropertiesTest,NoUncheckedExceptionPropertiesTest,RegisterFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Djqwik.tries.default="$tries" -Djqwik.reporting.onlyFailures=false 2>&1 \
  | grep -E 'tries = |checks = |Tests run:|FAIL|seed = |sample' || true
echo "fuzzing took $(( $(date +%s) - start )) s with jqwik.tries.default=$tries (properties with a fixed tries count in their annotation keep it)"
