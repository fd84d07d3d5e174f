#!/usr/bin/env bash
# Builds the benchmarks jar and compares parse+write of our SDP library with jain-sip-ri's SDP parser
# on chrome-audio-only.sdp and chromium120-audio-video-offer.sdp from the repository's corpus/sdp.
#
# The machine is shared (2 cores, other builds come and go), so a ratio of two JMH results taken a
# minute apart measures the load as much as the parsers. Each comparison is therefore made of pairs
# measured back to back (one JMH run holding just the two benchmarks of the pair, for one file), repeated
# in ROUNDS rounds; the report gives every round's ratio and their median. Each benchmark: 2 warmup + 3
# measurement iterations of 1 s, 1 fork; with the default 3 rounds about 3 minutes in all.
# Usage: [ROUNDS=n] bench/sdp-bench.sh [--no-build] [extra JMH options]
set -euo pipefail

checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="$checkout/corpus/sdp"
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

rounds="${ROUNDS:-3}"
files=(chrome-audio-only.sdp chromium120-audio-video-offer.sdp)
pairs=('(screamRouterParseWrite|jainSipParseWrite)$' '(screamRouterParse|jainSipParse)$')
out="$checkout/bench/target/sdp-bench"
rm -rf "$out" && mkdir -p "$out"
all="$checkout/bench/target/sdp-bench.csv"   # every round's rows, the round number in the last column

for ((r = 1; r <= rounds; r++)); do
  for f in "${files[@]}"; do
    for p in "${pairs[@]}"; do
      csv="$out/round$r-$f-$([[ $p == *Write* ]] && echo pw || echo p).csv"
      java -jar bench/target/benchmarks.jar "org.screamrouter.sip.bench.sdp.SdpParseWriteBenchmark.$p" \
        -p file="$f" -wi 2 -w 1s -i 3 -r 1s -f 1 -prof gc -jvmArgs "-Dsdp.corpus=$corpus" \
        -rf csv -rff "$csv" "$@" > "$csv.log"
      echo "round $r/$rounds $f $([[ $p == *Write* ]] && echo parse+write || echo parse): done"
    done
  done
done
{
  head -1 "$(ls "$out"/*.csv | head -1)" | sed 's/$/,"Round"/'
  for c in "$out"/round*.csv; do
    r="${c##*/round}"; r="${r%%-*}"
    tail -n +2 "$c" | sed "s/\$/,$r/"
  done
} > "$all"

echo
echo "== SDP parse+write: ScreamRouter vs jain-sip-ri (higher ops/s is better; pairs measured back to back) =="
tr -d '"' < "$all" | awk -F, '
  NR == 1 { next }
  {
    name = $1; sub(/^.*SdpParseWriteBenchmark\./, "", name);   # method or method:metric
    file = $(NF - 1); round = $NF;
    if (name ~ /:gc\.alloc\.rate\.norm$/) { sub(/:.*/, "", name); alloc[name, file] = $5 }
    else if (name !~ /:/) { score[name, file, round] = $5; files[file] = 1; if (round > rounds) rounds = round }
  }
  function median(a, n,    i, j, t) {   # sorts a[1..n] in place
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2;
  }
  END {
    for (f in files) {
      printf "%s\n", f;
      printf "  %-6s %14s %14s %7s %14s %14s %7s\n", "round", "ours p+w/s", "jain p+w/s", "ratio", "ours parse/s", "jain parse/s", "ratio";
      for (r = 1; r <= rounds; r++) {
        pw[r] = score["screamRouterParseWrite", f, r] / score["jainSipParseWrite", f, r];
        p[r] = score["screamRouterParse", f, r] / score["jainSipParse", f, r];
        printf "  %-6d %14.0f %14.0f %6.1fx %14.0f %14.0f %6.1fx\n", r,
          score["screamRouterParseWrite", f, r], score["jainSipParseWrite", f, r], pw[r],
          score["screamRouterParse", f, r], score["jainSipParse", f, r], p[r];
      }
      printf "  median ratio parse+write: %.1fx   median ratio parse: %.1fx\n", median(pw, rounds), median(p, rounds);
      printf "  allocation B/op (last round): ours parse+write %.0f, parse %.0f; jain-sip-ri parse+write %.0f, parse %.0f\n",
        alloc["screamRouterParseWrite", f], alloc["screamRouterParse", f], alloc["jainSipParseWrite", f], alloc["jainSipParse", f];
    }
  }'
