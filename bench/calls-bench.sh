#!/usr/bin/env bash
# INVITE-to-200 OK time of calls to a sink against the Karaf distribution, with sipp over UDP on loopback:
# median and p99 over N calls (100 by default) for plain RTP offers and for WebRTC offers (the audio
# engine's answer, ICE gathering included). Each call is INVITE, 200, ACK, 200 ms, BYE.
#
#   bench/calls-bench.sh [--no-build] [--calls N] [--rate R]
#
# The server runs from a copy of the distribution in bench/target/calls/server, on unusual ports, mDNS on
# loopback, with one sink "kitchen" in its config.yaml whose Scream input listens on 127.0.0.1.
# (CPU per WebRTC listener is measured by the audio bridge's benchmark.)
# sipp answers the trickle-ICE INFOs the server sends after the ACK with 200 (-aa).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=1; calls=100; rate=10
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --calls) calls=$2; shift ;;
        --rate) rate=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
. "$top/bench/lib/server.sh"
bench_need sipp
[ $build = 1 ] && mvn -B -q -ntp install -DskipTests -pl distribution -am

port=${SIP_PORT:-27160}
work="$top/bench/target/calls"
server="$work/server"
rm -rf "$work"; mkdir -p "$work"
cp -r distribution/target/assembly "$server"
cfg="$server/etc/org.screamrouter.sip.stack.cfg"
sed -i "s/^udp.port = .*/udp.port = $port/; s/^tcp.port = .*/tcp.port = $port/; s/^ws.port = .*/ws.port = $((port + 28))/; s/^tls.port = .*/tls.port = $((port + 1))/; s/^wss.port = .*/wss.port = $((port + 29))/" "$cfg"
sed -i 's/^#\? *interfaces *=.*/interfaces = 127.0.0.1/' "$server/etc/org.screamrouter.sip.mdns.cfg"
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $((port + 30))/" "$server/etc/org.apache.felix.http.cfg" "$server/etc/custom.properties"
# sipp is one source address standing for many callers: the per-source caps and the rate limit are lifted
printf '\nrate.per.source = 0\n' >> "$cfg"
printf '\nmax.calls.per.source = 100000\n' >> "$server/etc/org.screamrouter.sip.calls.cfg"
printf 'sinks:\n- name: kitchen\n  ip: 127.0.0.1\n  port: 4010\n  enabled: true\nsources: []\n' > "$work/config.yaml"
sed -i "s|^path = .*|path = $work/config.yaml|" "$server/etc/org.screamrouter.sip.config.cfg"
audio="$server/etc/org.screamrouter.sip.audio.cfg"
touch "$audio"; sed -i '/^sinks *=/d; /^input[._]address *=/d' "$audio"
printf 'sinks = kitchen:%d\ninput.address = 127.0.0.1\n' $((port + 40)) >> "$audio"

"$server/bin/karaf" server > "$work/karaf.out" 2>&1 &
karaf=$!
trap '"$server/bin/stop" >/dev/null 2>&1 || true; wait $karaf 2>/dev/null || true; pkill -f "$server" 2>/dev/null || true' EXIT

run() { # $1 = scenario, $2 = calls; writes the per-call response times to $work/<scenario>_*_rtt.csv
    (cd "$work" && sipp "127.0.0.1:$port" -sf "$top/bench/sipp/$1.xml" -s kitchen -i 127.0.0.1 -p $((port + 1)) \
        -mp $((port + 100)) -aa -m "$2" -r "$rate" -rp 1000 -nostdin -timeout 300s -trace_rtt -rtt_freq 1 \
        -trace_stat -stf "$work/$1-stat.csv" >/dev/null 2>&1)
}

# the server is up when a call to the sink is answered
for _ in $(seq 1 300); do
    run invite-rtp 1 && break
    sleep 0.5
done
rm -f "$work"/*_rtt.csv

report() { # $1 = scenario
    local f
    f=$(ls "$work"/"$1"_*_rtt.csv)
    # Date_ms;response_time_ms;rtd_no
    tail -n +2 "$f" | cut -d';' -f2 | sort -n > "$work/$1.sorted"
    local n
    n=$(wc -l < "$work/$1.sorted")
    awk -v n="$n" -v name="$1" '{ v[NR] = $1 } END {
        if (n == 0) { printf "%-12s no answered call\n", name; exit }
        m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        p = v[int(0.99 * n + 0.999999)]
        printf "%-12s %4d calls  INVITE-to-200 median %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", name, n, m, p, v[n] }' "$work/$1.sorted"
}

for kind in rtp webrtc; do
    # warm-up (class loading, JIT, the engine's first peer connection), not counted
    run "invite-$kind" 10 || true
    rm -f "$work"/invite-"$kind"_*_rtt.csv
    if ! run "invite-$kind" "$calls"; then echo "invite-$kind: some calls failed (see $work/invite-$kind-stat.csv)"; fi
done
echo
echo "calls to a sink, $calls calls per kind at $rate/s, sipp over UDP on loopback:"
report invite-rtp
report invite-webrtc
