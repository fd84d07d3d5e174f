#!/usr/bin/env bash
# Two builds of one bundle side by side at one fixed load, interleaved (before, after, before, after...), for changes
# whose effect is smaller than what the machine's state does to a ladder (bench/vs-kamailio.sh). Each run: a fresh copy
# of the distribution with the bundle's jar replaced, N devices registered at 2,000/s from a cold start (its failed
# calls and retransmissions are printed: the cold path), then S seconds of sipp at RATE/s, with sipp's failed calls,
# retransmissions, p50/p99 response time and the server JVM's CPU time per call (user + system from /proc, over the
# load only).
#
#   bench/ab-builds.sh --bundle registrar --before old.jar --after new.jar [--scenario register-device] [--devices 20000]
#                      [--rate 3000] [--seconds 15] [--rounds 2] [--threads]
#   bench/ab-builds.sh --before-java "-XX:+UseG1GC" --after-java "-XX:+UseZGC" ...   two JVM settings of one build
#   bench/ab-builds.sh --before-assembly DIR --after-assembly DIR ...   two whole distributions (a change of several bundles)
#
# --before-java / --after-java: options added to the server's JVM (EXTRA_JAVA_OPTS) of that side; with them, --bundle
# and the jars may be left out (both sides then run the distribution as built).
# --before-assembly / --after-assembly: the distribution directory each side copies (distribution/target/assembly by
# default); without --bundle, the jars may be left out.
# --warmup W: W seconds of the same load before the measured S, not counted: the JIT has compiled the path, so the p99
# is the steady state's (without it, the first second's compilation is part of the p99).
# --threads: also each thread group's CPU per call over the load (the JVM's threads by name, digits folded: where the
# time of a change went, e.g. the registrar store's writer against the UDP channel threads).
# --scenario: a bench/sipp file (register-device: ScreamRouter devices, re-REGISTER; register: plain re-REGISTER;
# options: OPTIONS from plain devices). The devices are always registered with the matching REGISTER first.
# Loopback only, unusual ports (bench/lib/server.sh); uses the distribution built in distribution/target/assembly.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/bench/lib/server.sh"
bench_need sipp sipsak
bundle=""; before=""; after=""; before_java=""; after_java=""; before_asm=""; after_asm=""; warmup=0
scenario=register-device; n=20000; rate=3000; secs=15; rounds=2; threads=0
while [ $# -gt 0 ]; do
    case "$1" in
        --bundle) bundle=$2; shift ;;
        --before) before=$2; shift ;;
        --after) after=$2; shift ;;
        --before-java) before_java=$2; shift ;;
        --after-java) after_java=$2; shift ;;
        --before-assembly) before_asm=$2; shift ;;
        --after-assembly) after_asm=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --scenario) scenario=$2; shift ;;
        --devices) n=$2; shift ;;
        --rate) rate=$2; shift ;;
        --seconds) secs=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --threads) threads=1 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$bundle$before$after" ] || [ -z "$before_java$after_java$before_asm$after_asm" ]; then
    [ -n "$bundle" ] && [ -f "$before" ] && [ -f "$after" ] || { echo "--bundle NAME --before JAR --after JAR are needed (or --before-java/--after-java, or --before-assembly/--after-assembly)" >&2; exit 2; }
fi
for a in "$before_asm" "$after_asm"; do
    [ -z "$a" ] || [ -d "$a/system" ] || { echo "$a is not a distribution directory (no system/)" >&2; exit 2; }
done
export SIP_HEAP_MAX=${SIP_HEAP_MAX:-1500m}
port=${SIP_PORT:-27660}
seeding=register.xml; [ "$scenario" = register-device ] && seeding=register-device.xml
stat() { awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } END { print $c }' "$1"; }

one_run() { # $1 = label, $2 = jar (none: the build as it is), $3 = JVM options, $4 = distribution directory (none: the build)
    ( [ -z "$4" ] || export BENCH_ASSEMBLY="$4"
    bench_server "$top/bench/target/ab-builds" "$port"; work=$bench_work
    [ -z "$2" ] || cp "$2" "$server/system/org/screamrouter/sip/org.screamrouter.sip.$bundle/0.1.0-SNAPSHOT/org.screamrouter.sip.$bundle-0.1.0-SNAPSHOT.jar"
    export EXTRA_JAVA_OPTS="$3"
    printf 'keepalive.interval = 3600\noffline.timeout = 7200\nmax.bindings = %d\nmax.bindings.per.source = %d\nmax.devices = %d\nmax.devices.per.source = %d\n' \
        $((n * 40)) $((n * 40)) $((n * 40)) $((n * 40)) > "$server/etc/org.screamrouter.sip.registrar.cfg"
    sed -i "s|^path = .*|path = $work/config.yaml|" "$server/etc/org.screamrouter.sip.config.cfg"
    bench_start; bench_wait_sip
    devices_file "$work/devices.csv" 42 "$n"
    run() { # $1 = scenario file, $2 = calls, $3 = rate, $4 = name
        (cd "$work" && sipp "127.0.0.1:$port" -sf "$top/bench/sipp/$1" -inf "$work/devices.csv" -i 127.0.0.1 -p $((port + 1)) \
            -m "$2" -r "$3" -rp 1000 -buff_size 4194304 -nostdin -timeout 120s -trace_stat -stf "$work/$4-stat.csv" \
            -trace_rtt -rtt_freq 1 >/dev/null 2>&1) || true
    }
    run "$seeding" "$n" 2000 seed
    sleep 3
    [ "$warmup" = 0 ] || run "$scenario.xml" $((rate * warmup)) "$rate" warmup
    rm -f "$work"/*_rtt.csv
    pid=$(ps -eo pid,comm,args | awk -v s="$server" '$2 == "java" && index($0, s) { print $1; exit }')
    cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
    # per thread: "name ticks" (the name is the field in parentheses, which may hold spaces; digits folded)
    per_thread() { for f in /proc/"$pid"/task/*/stat; do cat "$f" 2>/dev/null; echo; done \
        | sed -n 's/^[0-9]* (\(.*\)) [A-Z] \(.*\)$/\1|\2/p' | awk -F'|' '{ split($2, a, " "); n = $1; gsub(/[0-9]+/, "#", n); gsub(/ /, "_", n); t[n] += a[11] + a[12] } END { for (n in t) print n, t[n] }'; }
    [ "$threads" = 1 ] && per_thread > "$work/threads-0.txt"
    c0=$(cpu)
    run "$scenario.xml" $((rate * secs)) "$rate" load
    c1=$(cpu)
    [ "$threads" = 1 ] && per_thread > "$work/threads-1.txt"
    tick=$(getconf CLK_TCK)
    pct=$(awk -F';' 'FNR > 1 { print $2 + 0 }' "$work"/*_rtt.csv | sort -n | awk '{ a[NR] = $1 } END { printf "p50 %s ms, p99 %s ms", a[int(NR * 0.5)], a[int(NR * 0.99)] }')
    printf '%-7s cold seeding %d at 2000/s: %s failed, %s retransmissions | %s at %d/s: %s failed, %s retransmissions, %s, CPU %d us/call | load %s\n' \
        "$1" "$n" "$(stat "$work/seed-stat.csv" 'FailedCall(C)')" "$(stat "$work/seed-stat.csv" 'Retransmissions(C)')" "$scenario" "$rate" \
        "$(stat "$work/load-stat.csv" 'FailedCall(C)')" "$(stat "$work/load-stat.csv" 'Retransmissions(C)')" "$pct" \
        $(( (c1 - c0) * 1000000 / tick / (rate * secs) )) "$(cut -d' ' -f1 /proc/loadavg)"
    if [ "$threads" = 1 ]; then # each group's CPU per call, the largest first (a thread that ended meanwhile is not counted)
        awk -v tick="$tick" -v calls=$((rate * secs)) 'NR == FNR { t0[$1] = $2; next } { d = ($2 - t0[$1]) * 1000000 / tick / calls; if (d >= 1) printf "          %-28s %4d us/call\n", $1, d }' \
            "$work/threads-0.txt" "$work/threads-1.txt" | sort -k2 -nr
    fi )
}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); bundle ${bundle:-(none)}, $scenario, $n devices, $rate/s for $secs s"
[ -z "$before_java$after_java" ] || echo "JVM options: before '$before_java', after '$after_java'"
[ -z "$before_asm$after_asm" ] || echo "distributions: before ${before_asm:-the build}, after ${after_asm:-the build}"
[ "$warmup" = 0 ] || echo "each measured load follows $warmup s of the same load, not counted"
for _ in $(seq 1 "$rounds"); do
    one_run before "$before" "$before_java" "$before_asm"
    one_run after "$after" "$after_java" "$after_asm"
done
