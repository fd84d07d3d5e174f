#!/usr/bin/env bash
# What a request naming something that does not exist costs the server with many devices registered: the lookups of
# a Request-URI's user part must not grow with the devices (issue 15).
#
#   bench/lookup-bench.sh [--no-build] [--request subscribe|invite] [--kind plain|device] [--devices N] [--rate R]
#                         [--seconds S]
#
#   subscribe  SUBSCRIBE to a user no device has (bench/sipp/subscribe-unknown.xml; presence looks the user part up as
#              a device UUID, then as the user part of a device's address-of-record): 404
#   invite     INVITE to a sink that does not exist (bench/sipp/invite-unknown.xml; calls look it up in config.yaml's
#              sinks by name, uuid and config_id, then among the registrar's devices): 404
#
# Starts the distribution (or $BENCH_ASSEMBLY, another build) on loopback, registers N devices with sipp at 2,000/s
# (plain REGISTERs, bench/sipp/register.xml, or ScreamRouter devices, register-device.xml, each with its config.yaml
# entry), then sends R requests a second for S seconds from one address (anyone may send them while auth.mode = none,
# the default), and prints how many were answered 404 and the server's CPU per request (its JVM's user + system time
# over the run, less what it used in as long a time without them).
# The default rate is the stack's default limit per source address (rate.per.source = 100): what one address may send.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/bench/lib/server.sh"
build=1; devices=100000; rate=100; seconds=10; request=subscribe; kind=plain
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --request) request=$2; shift ;;
        --kind) kind=$2; shift ;;
        --devices) devices=$2; shift ;;
        --rate) rate=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
bench_need sipp sipsak
[ $build = 1 ] && mvn -B -q -ntp install -DskipTests -pl distribution -am
export SIP_HEAP_MAX=${SIP_HEAP_MAX:-1500m}
port=${SIP_PORT:-27560}
sipp_port=$((port + 11))
work="$top/bench/target/lookup-bench"
bench_server "$work" "$port"
printf 'keepalive.interval = 3600\noffline.timeout = 7200\nmax.bindings = %d\nmax.bindings.per.source = %d\nmax.devices = %d\nmax.devices.per.source = %d\n' \
    $((devices * 2)) $((devices * 2)) $((devices * 2)) $((devices * 2)) > "$server/etc/org.screamrouter.sip.registrar.cfg"
sed -i "s|^path = .*|path = $work/config.yaml|" "$server/etc/org.screamrouter.sip.config.cfg"
bench_start
bench_wait_sip
pid=$(pgrep -f "karaf.base=$server" | head -1)
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$pid/stat"; }
stat() { # $1 = sipp stat file, $2 = column: its value in the last line
    awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } END { print c ? $c : "?" }' "$1"
}
case $kind in
    plain) { echo SEQUENTIAL; seq 1 "$devices" | awk '{ printf "dev%07d;\n", $1 }'; } > "$work/devices.csv"; register=register.xml ;;
    device) devices_file "$work/devices.csv" 42 "$devices"; register=register-device.xml ;;
    *) echo "--kind plain or device" >&2; exit 2 ;;
esac
case $request in subscribe|invite) ;; *) echo "--request subscribe or invite" >&2; exit 2 ;; esac
(cd "$work" && sipp "127.0.0.1:$port" -sf "$top/bench/sipp/$register" -inf devices.csv -i 127.0.0.1 -p "$sipp_port" \
    -m "$devices" -r 2000 -rp 1000 -buff_size 8388608 -nostdin -timeout $((devices / 2000 * 3 + 30))s \
    -trace_stat -stf "$work/register.csv" >/dev/null 2>&1) || true
echo "registered: $(stat "$work/register.csv" 'SuccessfulCall(C)') of $devices $kind devices"
sleep 5
# the server's own background work (timers, the store's writer) over as long a quiet time, taken off the figure
idle0=$(cpu_ms); sleep "$seconds"; idle=$(( $(cpu_ms) - idle0 ))
calls=$((rate * seconds))
cpu0=$(cpu_ms)
(cd "$work" && sipp "127.0.0.1:$port" -sf "$top/bench/sipp/$request-unknown.xml" -i 127.0.0.1 -p "$sipp_port" \
    -m "$calls" -r "$rate" -rp 1000 -nostdin -timeout $((seconds * 3 + 30))s \
    -trace_stat -stf "$work/requests.csv" >/dev/null 2>&1) || true
cpu1=$(cpu_ms)
ok=$(stat "$work/requests.csv" 'SuccessfulCall(C)')
echo "${request^^} to unknown names, $rate/s for $seconds s, $devices $kind devices: $ok of $calls answered 404," \
    "$(stat "$work/requests.csv" 'FailedCall(C)') failed, $(stat "$work/requests.csv" 'Retransmissions(C)') retransmissions;" \
    "server CPU $((cpu1 - cpu0)) ms in all, $idle ms in $seconds s without them:" \
    "$(( (cpu1 - cpu0 - idle) * 1000 / (ok > 0 ? ok : 1) )) us per ${request^^}"
