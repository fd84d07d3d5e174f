#!/usr/bin/env bash
# The parse of the stateless path (issue 15): our strict parser against JAIN-SIP's own on the OPTIONS and REGISTER
# that bench/sipp sends, and the two checks ours adds (a repeated single header, the written SIP version); and the
# answer to the OPTIONS as the stack and the registrar make it (StatelessAnswerBenchmark); with the bytes each
# allocates (JMH's gc profiler). 2 warmup + 5 measurement iterations of 1 s, 1 fork: about 3 minutes.
# Usage: bench/parse-bench.sh [--no-build] [extra JMH options]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "${1:-}" == "--no-build" ]]; then
  shift
else
  mvn -q -B -ntp package -DskipTests -pl bench -am
fi
java -jar bench/target/benchmarks.jar 'org.screamrouter.sip.stack.internal.Stateless(Parse|Answer)Benchmark' \
  -wi 2 -w 1s -i 5 -r 1s -f 1 -prof gc "$@" 2>&1 | grep -E '^Benchmark|^Stateless[A-Za-z]+Benchmark\.[A-Za-z]+ |gc.alloc.rate.norm +'
