#!/usr/bin/env bash
# Registrar throughput against the Karaf distribution, with sipp over UDP on loopback: the highest rate
# of new REGISTERs, then of re-REGISTERs of 100k existing devices, with zero failed calls.
#
#   bench/registrar-bench.sh [--no-build] [--devices N] [--rates "5000 10000 ..."]
#
# The server runs from a copy of the distribution in bench/target/server, on unusual ports, with mDNS
# on loopback. Keep-alive pings are set to once an hour: sipp does not answer OPTIONS, and pinging 100k
# devices every 10 s would measure the pinger, not the registrar (the ping rate is devices/interval).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=1; devices=100000; rates="2000 5000 10000 15000 20000 25000 30000 35000 40000"
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --devices) devices=$2; shift ;;
        --rates) rates=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
. "$top/bench/lib/server.sh"
bench_need sipp sipsak
[ $build = 1 ] && mvn -B -q -ntp install -DskipTests -pl distribution -am

# the heap bin/setenv documents for 100,000 devices (its default, 512m, is sized for the registrar's 10,000)
export SIP_HEAP_MAX=${SIP_HEAP_MAX:-1500m}
port=${SIP_PORT:-27060}
work="$top/bench/target/registrar"
server="$work/server"
rm -rf "$work"; mkdir -p "$work"
cp -r distribution/target/assembly "$server"
cfg="$server/etc/org.screamrouter.sip.stack.cfg"
sed -i "s/^udp.port = .*/udp.port = $port/; s/^tcp.port = .*/tcp.port = $port/; s/^ws.port = .*/ws.port = $((port + 28))/; s/^tls.port = .*/tls.port = $((port + 1))/; s/^wss.port = .*/wss.port = $((port + 29))/" "$cfg"
# sipp is one source address standing for many devices: the per-source caps and the rate limit are lifted
printf 'keepalive.interval = 3600\noffline.timeout = 7200\nmax.bindings = %d\nmax.bindings.per.source = %d\nmax.devices = %d\nmax.devices.per.source = %d\n' \
    $((devices * 3)) $((devices * 3)) $((devices * 2)) $((devices * 2)) > "$server/etc/org.screamrouter.sip.registrar.cfg"
printf '\nrate.per.source = 0\n' >> "$cfg"
sed -i 's/^#\? *interfaces *=.*/interfaces = 127.0.0.1/' "$server/etc/org.screamrouter.sip.mdns.cfg"
sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $((port + 30))/" "$server/etc/org.apache.felix.http.cfg" "$server/etc/custom.properties"

"$server/bin/karaf" server > "$work/karaf.out" 2>&1 &
karaf=$!
# bin/karaf runs java as a child: stop the container itself, then make sure nothing of it is left
trap '"$server/bin/stop" >/dev/null 2>&1 || true; wait $karaf 2>/dev/null || true; pkill -f "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    sipsak -s "sip:127.0.0.1:$port" -D 1 >/dev/null 2>&1 && break
    sleep 0.2
done

users() { # $1 = first device, $2 = count
    { echo SEQUENTIAL; seq "$1" $(($1 + $2 - 1)) | awk '{ printf "dev%07d;\n", $1 }'; } > "$work/users.csv"
}
run() { # $1 = rate, $2 = calls; exit status 0 when every call passed
    sipp "127.0.0.1:$port" -sf bench/sipp/register.xml -inf "$work/users.csv" -i 127.0.0.1 -p $((port + 1)) \
        -m "$2" -r "$1" -rp 1000 -buff_size 4194304 -nostdin -timeout 120s -trace_stat -stf "$work/stat.csv" \
        >/dev/null 2>&1
}

echo "== new REGISTERs (each call a device never seen) =="
best_new=0; next=1
for rate in $rates; do
    calls=$((rate * 10))
    users $next $calls; next=$((next + calls))
    if run "$rate" "$calls"; then best_new=$rate; echo "  $rate/s: all $calls passed"; else echo "  $rate/s: failures"; break; fi
done

echo "== re-REGISTERs of $devices existing devices =="
users 1 "$devices"
run 5000 "$devices" || echo "  (seeding $devices devices at 5000/s had failures)"
best_re=0
for rate in $rates; do
    calls=$((rate * 10 < devices ? rate * 10 : devices))
    users 1 "$calls"
    if run "$rate" "$calls"; then best_re=$rate; echo "  $rate/s: all $calls passed"; else echo "  $rate/s: failures"; break; fi
done

echo
echo "highest new REGISTER rate with zero failed calls: $best_new/s"
echo "highest re-REGISTER rate (of $devices devices) with zero failed calls: $best_re/s"
