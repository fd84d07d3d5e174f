#!/usr/bin/env bash
# CPU of the audio bridge per WebRTC listener, with 1, 10 and 50 listeners on one sink (test tone, Opus 48 kHz stereo,
# 10 ms frames, 512 kbit/s cap). The bridge and the browser stand-ins (libwebrtc peers, one process) run in a network
# namespace of their own with a veth pair (libwebrtc does not use loopback; no real interface is touched); the bridge
# process measures its own CPU time over the window (default 20 s), so the browsers' CPU is not counted.
# Needs root (ip netns). Usage: [SECONDS_PER_RUN=20] [COUNTS="1 10 50"] bench/audio-bench.sh [--no-build]
set -euo pipefail
checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$checkout"
if [[ "${1:-}" != "--no-build" ]]; then
  mvn -q -B -ntp install -DskipTests -pl bench -am
fi
seconds="${SECONDS_PER_RUN:-20}"
counts="${COUNTS:-1 10 50}"
wrapper="$checkout/bundles/audio/src/test/netns/bin/java"
results=()
for n in $counts; do
  line=$(JAVA_HOME="" "$wrapper" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp bench/target/benchmarks.jar \
    org.screamrouter.sip.bench.audio.AudioBench browsers "$n" "$seconds" 2> "bench/target/audio-bench-$n.log" | grep '^RESULT' || true)
  if [[ -z "$line" ]]; then
    echo "run with $n listeners failed, see bench/target/audio-bench-$n.log" >&2
    exit 1
  fi
  results+=("$line")
done
echo
echo "Audio bridge CPU per WebRTC listener ($seconds s windows, $(nproc) cores, % of one core)"
printf '%-10s %-10s %-16s %-16s %-22s\n' listeners connected "bridge CPU %" "per listener %" "Opus pkt/s per listener"
for r in "${results[@]}"; do
  n=$(echo "$r" | sed -n 's/.*listeners=\([0-9]*\).*/\1/p')
  c=$(echo "$r" | sed -n 's/.*connected=\([0-9]*\).*/\1/p')
  cpu=$(echo "$r" | sed -n 's/.*cpu_percent_of_one_core=\([0-9.]*\).*/\1/p')
  per=$(echo "$r" | sed -n 's/.* per_listener=\([0-9.]*\).*/\1/p')
  pkt=$(echo "$r" | sed -n 's/.*opus_packets_per_s_per_listener=\([0-9.]*\).*/\1/p')
  printf '%-10s %-10s %-16s %-16s %-22s\n' "$n" "$c" "$cpu" "$per" "$pkt"
done
