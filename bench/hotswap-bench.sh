#!/usr/bin/env bash
# Hot swap under load (issue 16): sipp re-REGISTERs DEVICES devices over UDP at RATE/s against the Karaf
# distribution while `bundle:update` runs on one bundle of the server at a time. Per bundle it prints the calls sipp
# counted as failed (an answer other than 200, or none within sipp's timeout), its retransmissions, the longest
# answer (from the per-call response times), and whether every device still has its binding afterwards.
#
#   bench/hotswap-bench.sh [--no-build] [--refresh] [--devices N] [--rate R] [--seconds S] [--work DIR] [--check]
#                          [--bundles "registrar presence ..."] [--scenario register|options]
#
# --scenario options: the load is the seeded devices' OPTIONS keep-alives (bench/sipp/options.xml, the requests the
# stack answers without a parse, docs/architecture.md "Plain keep-alives answered from their bytes") instead of their
# re-REGISTERs; the seeding is REGISTER either way. It prints how many the stack answered that way (its counter
# "plain"); with --check, none is a fault.
#
# Each bundle gets its own sipp run of S seconds (default 20); the update starts at a quarter of it. --check makes the
# exit status 1 when a bundle is missing, a call failed or a binding was lost (itests' HotSwapUnderLoadIT uses it). A bundle's name is the last part of its
# symbolic name (org.screamrouter.sip.<name>). The server runs from a copy of the distribution in
# bench/target/hotswap/server on unusual loopback ports (bench/lib/server.sh).
#
# An implementation bundle exports nothing: a plain `bundle:update` is the whole operation. An API or library bundle
# (api, audio.api, sdp, http, jainsip, webrtc) is always updated with `bundle:update --refresh <id>`, which refreshes
# every bundle wired to it too (without the refresh its importers keep the old revision: nothing changes);
# --refresh does that for every bundle of the list (docs/architecture.md, "API bundles"). The op column tells which.
# Maven runs with MVN_FLAGS (e.g. MVN_FLAGS="-o -Dmaven.repo.local=/path") when the script builds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/bench/lib/server.sh"
build=1; devices=5000; rate=1000; refresh=0; seconds=20; check=0; work_dir="$top/bench/target/hotswap"; scenario=register
bundles="stack registrar auth presence config mdns calls audio client shell whep whep.relay web sdp api audio.api"
# exporters of packages: their update is only used once they and their importers are refreshed
libraries=" api audio.api sdp http jainsip webrtc standalone "
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --refresh) refresh=1 ;;
        --devices) devices=$2; shift ;;
        --rate) rate=$2; shift ;;
        --bundles) bundles=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        --work) work_dir=$2; shift ;;
        --check) check=1 ;;
        --scenario) scenario=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case $scenario in register|options) ;; *) echo "--scenario register or options, not $scenario" >&2; exit 2 ;; esac
bench_need sipp sipsak
[ $build = 1 ] && mvn -B -q -ntp ${MVN_FLAGS:-} install -DskipTests -pl distribution -am

port=${SIP_PORT:-27260}
bench_server "$work_dir" "$port"
work=$bench_work
printf 'keepalive.interval = 3600\noffline.timeout = 7200\nmax.bindings.per.source = %d\nmax.devices.per.source = %d\n' \
    $((devices * 3)) $((devices * 3)) > "$server/etc/org.screamrouter.sip.registrar.cfg"
bench_start
bench_wait_sip
bench_wait_boot

{ echo SEQUENTIAL; seq 1 "$devices" | awk '{ printf "hot%07d;\n", $1 }'; } > "$work/users.csv"
sipp_run() { # $1 = calls, $2 = name, $3 = scenario; per-call response times in $work/<name>_*_rtt.csv
    (cd "$work" && sipp "127.0.0.1:$port" -sf "$top/bench/sipp/$3.xml" -inf "$work/users.csv" -i 127.0.0.1 \
        -p $((port + 1)) -m "$1" -r "$rate" -rp 1000 -buff_size 4194304 -nostdin -timeout 60s \
        -trace_stat -stf "$work/$2-stat.csv" -trace_rtt -rtt_freq 1 -trace_err -error_file "$work/$2-errors.log" >/dev/null 2>&1) || true
}
stat() { # $1 = stat file, $2 = column name: its value in the last line
    awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } END { print $c }' "$1"
}
bindings() { bench_shell "sip:status" | awk '/^Registrar: / { print $2 }'; }

echo "seeding $devices devices at $rate/s"
sipp_run "$devices" seed register
echo "bindings after seeding: $(bindings)"

faults=0
listing=$(bench_shell "bundle:list -s -t 0") # bundle ids stay the same across updates and refreshes
printf '%-10s %-15s %8s %8s %10s %12s %10s\n' bundle op calls failed retrans "longest ms" bindings
for name in $bundles; do
    id=$(awk -v bsn="org.screamrouter.sip.$name" '$NF == bsn && !found { print $1; found = 1 }' <<< "$listing")
    if [ -z "$id" ]; then echo "$name: no bundle org.screamrouter.sip.$name" >&2; faults=$((faults + 1)); continue; fi
    rm -f "$work"/*_rtt.csv
    sipp_run $((rate * seconds)) "$name" "$scenario" &
    load=$!
    sleep "$(awk -v s="$seconds" 'BEGIN { print s / 4 }')"
    op=update
    if [ $refresh = 1 ] || [[ $libraries == *" $name "* ]]; then op=update+refresh; fi
    if [ $op = update ]; then
        bench_shell "bundle:update $id" > "$work/$name-update.out"
    else
        bench_shell "bundle:update --refresh $id" > "$work/$name-update.out"
    fi
    wait $load
    # the rtt file: one line per call, date;time;response time in ms;rtd name
    longest=$(awk -F';' 'FNR > 1 && $2 + 0 > max { max = $2 + 0 } END { printf "%.0f", max }' "$work"/*_rtt.csv 2>/dev/null || echo "?")
    failed=$(stat "$work/$name-stat.csv" 'FailedCall(C)'); now=$(bindings)
    printf '%-10s %-15s %8s %8s %10s %12s %10s\n' "$name" "$op" "$(stat "$work/$name-stat.csv" TotalCallCreated)" \
        "$failed" "$(stat "$work/$name-stat.csv" 'Retransmissions(C)')" "$longest" "$now"
    if [ "$failed" != 0 ] || [ "$now" != "$devices" ]; then faults=$((faults + 1)); fi
done
if [ "$scenario" = options ]; then
    # the keep-alives must have taken the plain path, or this measured the usual one (the counter starts again with
    # each stack revision: it counts those since the stack's last update)
    plain=$(bench_shell "sip:status" | awk '$1 == "plain" { print $NF }')
    echo "keep-alives answered without a parse since the stack's last update: ${plain:-0}"
    if [ "${plain:-0}" = 0 ]; then faults=$((faults + 1)); fi
fi
echo "bundles with a failed call, a lost binding or no bundle at all: $faults"
[ $check = 0 ] || [ $faults = 0 ]
