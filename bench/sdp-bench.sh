#!/usr/bin/env bash
# Builds the benchmarks jar and compares parse+write of our SDP library with jain-sip-ri's SDP parser
# on chrome-audio-only.sdp and chromium120-audio-video-offer.sdp from <checkout>/../shared/corpus/sdp.
# Short enough for a 2-core machine: 3 warmup + 5 measurement iterations of 1 s, 1 fork (about 2 min).
# Usage: bench/sdp-bench.sh [--no-build] [extra JMH options]
set -euo pipefail

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$(cd "$checkout/.." && pwd)/shared/corpus/sdp"
if [[ ! -d "$corpus" ]]; then
  echo "SDP corpus not found at $corpus" >&2
  exit 1
fi

cd "$checkout"
if [[ "${1:-}" == "--no-build" ]]; then
  shift
else
  mvn -q -B -ntp package -DskipTests -pl bench -am
fi

csv="$checkout/bench/target/sdp-bench.csv"
java -jar bench/target/benchmarks.jar 'org.screamrouter.sip.bench.sdp.SdpParseWriteBenchmark' \
  -wi 3 -w 1s -i 5 -r 1s -f 1 -prof gc -jvmArgs "-Dsdp.corpus=$corpus" -rf csv -rff "$csv" "$@"

echo
echo "== SDP parse+write: ScreamRouter vs jain-sip-ri (higher ops/s is better) =="
tr -d '"' < "$csv" | awk -F, '
  NR == 1 { next }
  {
    name = $1; sub(/^.*SdpParseWriteBenchmark\./, "", name);   # method or method:metric
    file = $NF;
    if (name ~ /:gc\.alloc\.rate\.norm$/) { sub(/:.*/, "", name); alloc[name, file] = $5 }
    else if (name !~ /:/) { score[name, file] = $5; files[file] = 1 }
  }
  END {
    for (f in files) {
      printf "%s\n", f;
      printf "  %-24s %14s %14s\n", "benchmark", "ops/s", "B/op";
      n = split("screamRouterParseWrite jainSipParseWrite screamRouterParse jainSipParse", names, " ");
      for (i = 1; i <= n; i++) {
        b = names[i];
        printf "  %-24s %14.0f %14.0f\n", b, score[b, f], alloc[b, f];
      }
      if (score["jainSipParseWrite", f] > 0) {
        printf "  ratio parse+write: %.1fx   ratio parse: %.1fx\n", score["screamRouterParseWrite", f] / score["jainSipParseWrite", f], score["screamRouterParse", f] / score["jainSipParse", f];
      }
    }
  }'
