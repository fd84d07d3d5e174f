#!/usr/bin/env bash
# Start time (issue 15): from `bin/karaf server` to the first 200 OK to an OPTIONS (polled every 50 ms) and to the end
# of Karaf's boot provisioning (the features service's "Done." in karaf.log, which comes once per deployment: a boot
# that refreshes deploys twice), for one or more builds of the distribution, interleaved, with the median of each.
# Each round starts a fresh copy (cold: the first start after unpacking, every bundle installed then), stops it and
# starts it again (warm: the bundles from Felix's cache, as every later start).
#
#   bench/start-bench.sh [--rounds 5] [ASSEMBLY ...]      (default: distribution/target/assembly)
#
# Loopback only, unusual ports (bench/lib/server.sh): SIP_PORT, default 27700.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib/server.sh"
bench_need sipsak
rounds=5
assemblies=()
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) assemblies+=("$(cd "$1" && pwd)") ;;
    esac
    shift
done
[ ${#assemblies[@]} -gt 0 ] || assemblies=("$top/distribution/target/assembly")
port=${SIP_PORT:-27700}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

one_start() { # $1 = assembly; prints "first-200-ms done-ms deployments warm-first-200-ms"
    ( BENCH_ASSEMBLY=$1 bench_server "$top/bench/target/start-bench" "$port"
    local t0 done_ms=""; t0=$(now_ms)
    bench_start
    local first; first=$(first_200 "$port" "$t0" "$bench_karaf")
    for _ in $(seq 1 1200); do
        if grep -q "FeaturesServiceImpl .*| Done\.$" "$server/data/log/karaf.log" 2>/dev/null; then done_ms=$(( $(now_ms) - t0 )); break; fi
        sleep 0.05
    done
    sleep 2 # a second deployment would start within this
    local deployments; deployments=$(grep -c "FeaturesServiceImpl .*| Adding features:" "$server/data/log/karaf.log")
    "$server/bin/stop" >/dev/null 2>&1; wait "$bench_karaf" 2>/dev/null || true
    t0=$(now_ms)
    bench_start
    local warm; warm=$(first_200 "$port" "$t0" "$bench_karaf")
    echo "$first ${done_ms:-?} $deployments $warm" )
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds"
for r in $(seq 1 "$rounds"); do
    for i in "${!assemblies[@]}"; do
        line=$(one_start "${assemblies[$i]}")
        echo "$i $line" >> "$results"
        echo "round $r ${assemblies[$i]}: first 200 OK ${line%% *} ms, boot provisioning done $(echo "$line" | cut -d' ' -f2) ms, deployments $(echo "$line" | cut -d' ' -f3); warm start: first 200 OK $(echo "$line" | cut -d' ' -f4) ms"
    done
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for i in "${!assemblies[@]}"; do
    echo "median ${assemblies[$i]}: first 200 OK $(awk -v i="$i" '$1 == i { print $2 }' "$results" | median) ms, boot provisioning done $(awk -v i="$i" '$1 == i { print $3 }' "$results" | median) ms; warm start: first 200 OK $(awk -v i="$i" '$1 == i { print $5 }' "$results" | median) ms"
done
