#!/usr/bin/env bash
# The registrar paths side by side with Kamailio (issue 15), in one run on this machine, sipp over loopback UDP.
#
#   bench/vs-kamailio.sh [--no-build] [--devices N] [--seconds S] [--rates "1000 2000 ..."] [--quick]
#                        [--paths "re options new"] [--no-kamailio] [--plain-only]
#
# Per server and path, the "clean rate" is the highest rate of the ladder at which sipp, sending for S seconds
# (10 by default), saw no failed call and no retransmission; the ladder stops at the first rate that is not clean.
# The ladder goes to 80,000/s: Kamailio passed 40,000/s, the earlier top, and then 60,000/s on OPTIONS.
# Then, at half that rate, the median and p99 response time of S seconds of calls. Before each run the server gets 2 s
# and must answer an OPTIONS, so the backlog of an overloaded step does not count against the next. Paths:
#   re-REGISTER  refreshes of the N devices (100,000 by default) registered first
#   OPTIONS      to the server, from those devices
#   new REGISTER each call a device never seen before
# Ours runs the full server (persistence, events, config.yaml, presence, mDNS on loopback; keep-alive pings once an
# hour, as sipp answers none), first with plain REGISTERs (the same messages Kamailio gets), then restarted empty
# with ScreamRouter devices: REGISTERs carrying the device SDP with role and UUID (bench/sipp/register-device.xml),
# so config.yaml and presence have an entry per device. Kamailio 5.6 (Debian package) runs 4 UDP workers with
# in-memory usrloc and answers OPTIONS itself; it gets only the plain paths (it does nothing with an SDP body), and
# the device rows are compared with its plain rows.
# Also printed: start to first 200 OK (OPTIONS) from a cold start, memory per binding after the N devices (ours:
# Java heap after a full GC, jcmd, 35 s after the last REGISTER, when its transactions are gone; Kamailio: shared memory in use, kamcmd core.shmmem), and each one's RSS.
#
# --quick: 2,000 devices, 3 s per rate, a short ladder (a check that the script works, not a measurement).
# --memory-only [device|plain]: only ours with ScreamRouter devices (or plain REGISTERs), only the heap per device after
# the first REGISTER and after a re-REGISTER of each (no Kamailio, no ladders), then the largest classes of the heap
# (jcmd GC.class_histogram after GC.run; the whole histograms before the devices and after are kept in
# bench/target/vs-kamailio/histogram-before.txt and histogram.txt).
# --paths: the ladders to run (re, options, new; all by default); --no-kamailio: ours only; --plain-only: without the
# ScreamRouter-device round. With BENCH_ASSEMBLY=<an assembly folder> ours runs that build (before/after comparisons).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. "$top/bench/lib/server.sh"
build=1; devices=100000; seconds=10; memory_only=0; memory_kind=device; paths="re options new"; with_kamailio=1; with_devices=1
rates="1000 2000 3000 5000 7500 10000 12500 15000 17500 20000 25000 30000 35000 40000 45000 50000 55000 60000 70000 80000"
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --devices) devices=$2; shift ;;
        --seconds) seconds=$2; shift ;;
        --rates) rates=$2; shift ;;
        --quick) devices=2000; seconds=3; rates="500 1000 2000" ;;
        --memory-only) memory_only=1; case "${2:-}" in device|plain) memory_kind=$2; shift ;; esac ;;
        --paths) paths=$2; shift ;;
        --no-kamailio) with_kamailio=0 ;;
        --plain-only) with_devices=0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
bench_need sipp sipsak kamailio kamcmd jcmd python3
[ $build = 1 ] && mvn -B -q -ntp install -DskipTests -pl distribution -am

# the heap bin/setenv documents for 100,000 devices (its default, 512m, is sized for the registrar's 10,000)
export SIP_HEAP_MAX=${SIP_HEAP_MAX:-1500m}
port=${SIP_PORT:-27360}          # ours: udp/tcp port, tls +2, ssh +50, ws +28, wss +29
kport=$((port + 10))             # Kamailio
sipp_port=$((port + 11))         # sipp's own
work="$top/bench/target/vs-kamailio"
rm -rf "$work"; mkdir -p "$work"
kam="$work/kamailio"; mkdir -p "$kam"
kamailio_pid=""

cleanup() {
    [ -n "$kamailio_pid" ] && { kill "$kamailio_pid" 2>/dev/null || true; wait "$kamailio_pid" 2>/dev/null || true; }
    if [ -n "${server:-}" ]; then
        "$server/bin/stop" >/dev/null 2>&1 || true
        wait "${bench_karaf:-}" 2>/dev/null || true
        pkill -f "$server" 2>/dev/null || true
    fi
}
trap cleanup EXIT


# injection files: plain users dev0000001..., and device UUIDs (random but fixed by the seed) with their first 8 chars
users_file() { # $1 = file, $2 = first, $3 = count
    { echo SEQUENTIAL; seq "$2" $(($2 + $3 - 1)) | awk '{ printf "dev%07d;\n", $1 }'; } > "$1"
}

stat() { # $1 = sipp stat file, $2 = column: its value in the last line
    awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i } END { print c ? $c : "?" }' "$1"
}
# before a run: the server has worked off what the previous run left (an overloaded step leaves a backlog that would
# count against the next one) when it answers an OPTIONS again, after at least 2 s of quiet
settle() { # $1 = port
    sleep 2
    for _ in $(seq 1 60); do sipsak -s "sip:127.0.0.1:$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
}
# one sipp run: $1 = target port, $2 = scenario, $3 = injection file, $4 = rate, $5 = calls, $6 = name.
# Prints "<successful> <failed> <retransmissions>"; per-call response times in $work/$6/*_rtt.csv
sipp_run() { # $1 port, $2 scenario, $3 injection file, $4 rate, $5 calls, $6 label; sipp ends after 3 times the calls' time + 30 s
    local dir="$work/$6"; rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && sipp "127.0.0.1:$1" -sf "$top/bench/sipp/$2" -inf "$3" -i 127.0.0.1 -p "$sipp_port" \
        -m "$5" -r "$4" -rp 1000 -buff_size 8388608 -nostdin -timeout $(($5 * 3 / $4 + 30))s \
        -trace_stat -stf "$dir/stat.csv" -trace_rtt -rtt_freq 1 >/dev/null 2>&1) || true
    echo "$(stat "$dir/stat.csv" 'SuccessfulCall(C)') $(stat "$dir/stat.csv" 'FailedCall(C)') $(stat "$dir/stat.csv" 'Retransmissions(C)')"
}
# median and p99 of the response times (ms) of the run named $1
latency() {
    cat "$work/$1"/*_rtt.csv 2>/dev/null | awk -F';' 'NR > 0 && $2 ~ /^[0-9.]+$/ { print $2 }' | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- -"; exit } m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.999)]; printf "%.2f %.2f\n", m, p }'
}

# CPU time (user + system, ms) a server has used so far: ours ($1 = a label starting with "ours") its JVM, Kamailio
# ("kamailio...") its main process and the children it forked (workers, timer, ctl); "-" else. Per call, it is a figure
# that a loaded machine disturbs less than the clean rate (issue 15's before/after runs), and one that compares the two
# servers' work for the same messages.
cpu_ms() {
    local pids=""
    case $1 in
        ours*) pids=$(java_pid) ;;
        kamailio*) [ -n "$kamailio_pid" ] && pids="$kamailio_pid $(pgrep -P "$kamailio_pid" | tr '\n' ' ')" ;;
    esac
    [ -n "${pids// /}" ] || { echo -; return; }
    local p; for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done \
        | awk -v hz="$(getconf CLK_TCK)" '{ t += $14 + $15 } END { print int(t * 1000 / hz) }'
}
per_call() { # $1 = cpu ms before, $2 = after, $3 = calls: microseconds of CPU per call
    awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (a != "-" && n > 0) printf "%.0f", (b - a) * 1000 / n; else print "-" }'
}

# the ladder for one server and path: $1 = label, $2 = port, $3 = scenario, $4 = injection file of existing devices
# or "new:<kind>" for devices never seen (kind plain or device). Sets clean, and prints a line per rate.
declare -A result
next_new=10000000
ladder() {
    local label=$1 target=$2 scenario=$3 inject=$4 best=0 rate calls out ok fail re file cpu0
    for rate in $rates; do
        calls=$((rate * seconds))
        if [[ $inject == new:* ]]; then
            file="$work/new-$label-$rate.csv"
            if [ "${inject#new:}" = plain ]; then users_file "$file" $next_new "$calls"; else devices_file "$file" $next_new "$calls"; fi
            next_new=$((next_new + calls))
        else
            file=$inject
        fi
        settle "$target"
        cpu0=$(cpu_ms "$label")
        read -r ok fail re <<< "$(sipp_run "$target" "$scenario" "$file" "$rate" "$calls" "$label-$rate")"
        printf '  %-28s %6d/s: %7s ok %6s failed %7s retransmissions, CPU %s us/call\n' "$label" "$rate" "$ok" "$fail" "$re" \
            "$(per_call "$cpu0" "$(cpu_ms "$label")" "$ok")" >&2
        [[ $inject == new:* ]] && rm -f "$file"
        if [ "$fail" = 0 ] && [ "$re" = 0 ] && [ "$ok" = "$calls" ]; then best=$rate; else break; fi
    done
    result[$label.clean]=$best
    local half=$((best / 2)); [ $half -lt 100 ] && half=100
    calls=$((half * seconds))
    if [[ $inject == new:* ]]; then
        file="$work/new-$label-half.csv"
        if [ "${inject#new:}" = plain ]; then users_file "$file" $next_new "$calls"; else devices_file "$file" $next_new "$calls"; fi
        next_new=$((next_new + calls))
    fi
    settle "$target"
    cpu0=$(cpu_ms "$label")
    read -r ok fail re <<< "$(sipp_run "$target" "$scenario" "$file" "$half" "$calls" "$label-half")"
    result[$label.cpu]=$(per_call "$cpu0" "$(cpu_ms "$label")" "$ok")
    read -r result[$label.p50] result[$label.p99] <<< "$(latency "$label-half")"
    result[$label.half]=$half
    printf '  %-28s clean %d/s; at %d/s: median %s ms, p99 %s ms (%s failed, %s retransmissions), CPU %s us/call\n' "$label" "$best" "$half" \
        "${result[$label.p50]}" "${result[$label.p99]}" "$fail" "$re" "${result[$label.cpu]}" >&2
}

seeded=0
seed() { # $1 = port, $2 = scenario, $3 = injection file, $4 = label: registers every device at 2,000/s; sets seeded
    local ok fail re
    read -r ok fail re <<< "$(sipp_run "$1" "$2" "$3" 2000 "$devices" "seed-$4")"
    seeded=${ok:-0}
    echo "  seeded $4: $ok registered, $fail failed, $re retransmissions" >&2
    # the memory per device divides by the devices registered; fewer than asked would also leave the re-REGISTER
    # ladder registering some devices anew
    [ "$seeded" -eq "$devices" ] || echo "  WARNING: $seeded of $devices devices registered" >&2
}
per_device() { # $1 = bytes: per device registered by the last seeding
    [ "$seeded" -gt 0 ] && echo $(( $1 / seeded )) || echo -
}

# ---- ours ----
java_pid() { pgrep -f "karaf.base=$server" | head -1; }
heap_kb() { # used heap after a full GC, in KB
    local pid; pid=$(java_pid)
    jcmd "$pid" GC.run >/dev/null
    jcmd "$pid" GC.heap_info | awk '/garbage-first heap|def new generation|heap/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { gsub(/K,?/, "", $(i + 1)); print $(i + 1); exit } }'
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
ours_start() { # $1 = label
    bench_server "$work/ours-$1" "$port"
    printf 'keepalive.interval = 3600\noffline.timeout = 7200\nmax.bindings = %d\nmax.bindings.per.source = %d\nmax.devices = %d\nmax.devices.per.source = %d\n' \
        $((devices * 40)) $((devices * 40)) $((devices * 40)) $((devices * 40)) > "$server/etc/org.screamrouter.sip.registrar.cfg"
    # the devices' config.yaml lives in the work folder
    sed -i "s|^path = .*|path = $work/ours-$1/config.yaml|" "$server/etc/org.screamrouter.sip.config.cfg"
    local t0; t0=$(now_ms)
    bench_start
    trap cleanup EXIT
    result[ours-$1.start]=$(first_200 "$port" "$t0" "$bench_karaf")
    echo "  ours ($1): first 200 OK ${result[ours-$1.start]} ms after bin/karaf server" >&2
}
ours_stop() {
    "$server/bin/stop" >/dev/null 2>&1 || true
    wait "$bench_karaf" 2>/dev/null || true
    pkill -f "$server" 2>/dev/null || true
}
ours_memory() { # $1 = label, $2 = heap before the devices (KB)
    local after; after=$(heap_kb)
    result[ours-$1.heap]=$after
    result[ours-$1.perbinding]=$(per_device $(( (after - $2) * 1024 )))
    result[ours-$1.rss]=$(rss_kb "$(java_pid)")
    echo "  ours ($1): heap after full GC $2 KB -> $after KB, ${result[ours-$1.perbinding]} bytes per device; RSS ${result[ours-$1.rss]} KB" >&2
}
ours_round() { # $1 = label (plain or device), $2 = scenario, $3 = injection file of the N devices, $4 = new kind
    ours_start "$1"
    sleep 2  # let the boot's last work settle before the heap is read
    local before; before=$(heap_kb)
    seed "$port" "$2" "$3" "ours-$1"
    # JAIN-SIP keeps each server transaction, with its request and response, for Timer J (64*T1 = 32 s) after it ends:
    # read the heap once the seeding's transactions are gone, or they count as memory per binding
    sleep 35
    ours_memory "$1" "$before"
    wants re && ladder "ours-$1.re" "$port" "$2" "$3"
    wants options && ladder "ours-$1.options" "$port" options.xml "$3"
    wants new && ladder "ours-$1.new" "$port" "$2" "new:$4"
    ours_stop
}

# ---- Kamailio ----
kamailio_start() {
    cat > "$kam/kamailio.cfg" <<EOF
#!KAMAILIO
debug=1
log_stderror=yes
children=4
disable_tcp=yes
dns=no
rev_dns=no
auto_aliases=no
listen=udp:127.0.0.1:$kport
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "ctl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("ctl", "binrpc", "unix:$kam/ctl")
modparam("usrloc", "db_mode", 0)
request_route {
    if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
    if (is_method("REGISTER")) { save("location"); exit; }
    sl_send_reply("405", "Method Not Allowed");
}
EOF
    local t0; t0=$(now_ms)
    kamailio -f "$kam/kamailio.cfg" -DD -E -Y "$kam" -P "$kam/pid" -m 2048 -M 16 > "$kam/log" 2>&1 &
    kamailio_pid=$!
    result[kamailio.start]=$(first_200 "$kport" "$t0" "$kamailio_pid")
    echo "  Kamailio: first 200 OK ${result[kamailio.start]} ms after start" >&2
}
kamailio_shm_kb() { kamcmd -s "unix:$kam/ctl" core.shmmem | awk '/real_used/ { print int($2 / 1024) }'; }
kamailio_rss_kb() { local t=0 p; for p in $(pgrep -P "$kamailio_pid") "$kamailio_pid"; do t=$((t + $(rss_kb "$p"))); done; echo $t; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); $(kamailio -v | head -1)"
echo "$devices devices, $seconds s per rate, rates: $rates"
users_file "$work/plain.csv" 1 "$devices"
devices_file "$work/devices.csv" 42 "$devices"

if [ $memory_only = 1 ]; then
    if [ $memory_kind = plain ]; then kind_name="plain REGISTER"; scenario=register.xml; inject="$work/plain.csv"
    else kind_name="ScreamRouter devices: REGISTER with the device SDP"; scenario=register-device.xml; inject="$work/devices.csv"; fi
    echo "== ours ($kind_name), heap only" >&2
    ours_start "$memory_kind"
    # on a loaded machine the start is still busy seconds after the first 200 OK: the heap before the devices is read
    # once two readings 5 s apart agree within 2 MB (at most a minute)
    before=$(heap_kb)
    for _ in $(seq 1 12); do
        sleep 5; again=$(heap_kb)
        [ $(( again > before ? again - before : before - again )) -lt 2048 ] && { before=$again; break; }
        before=$again
    done
    jcmd "$(java_pid)" GC.class_histogram > "$work/histogram-before.txt"
    seed "$port" "$scenario" "$inject" "ours-$memory_kind"
    sleep 35  # the seeding's transactions (Timer J, 32 s) gone, as in ours_round
    ours_memory "$memory_kind" "$before"
    first=${result[ours-$memory_kind.perbinding]}
    # the steady state: every device refreshed once (a REGISTER parses its strings anew; what is kept of them counts)
    seed "$port" "$scenario" "$inject" "ours-$memory_kind-refresh"
    sleep 35
    ours_memory "$memory_kind" "$before"
    echo "| memory per device ($kind_name, $devices) | $first B heap after the first REGISTER, ${result[ours-$memory_kind.perbinding]} B after a re-REGISTER of each |"
    echo "largest classes after GC.run:"
    jcmd "$(java_pid)" GC.class_histogram > "$work/histogram.txt"
    sed -n '1,25p' "$work/histogram.txt"
    ours_stop
    exit 0
fi
wants() { [[ " $paths " == *" $1 "* ]]; }
[ $with_kamailio = 1 ] && {
echo "== Kamailio (plain REGISTER)" >&2
kamailio_start
kbefore=$(kamailio_shm_kb)
seed "$kport" register.xml "$work/plain.csv" kamailio
result[kamailio.perbinding]=$(per_device $(( ($(kamailio_shm_kb) - kbefore) * 1024 )))
result[kamailio.rss]=$(kamailio_rss_kb)
echo "  Kamailio: shared memory $kbefore KB -> $(kamailio_shm_kb) KB, ${result[kamailio.perbinding]} bytes per binding; RSS (all processes, shm counted in each) ${result[kamailio.rss]} KB" >&2
wants re && ladder "kamailio.re" "$kport" register.xml "$work/plain.csv"
wants options && ladder "kamailio.options" "$kport" options.xml "$work/plain.csv"
wants new && ladder "kamailio.new" "$kport" register.xml new:plain
kill "$kamailio_pid"; wait "$kamailio_pid" 2>/dev/null || true; kamailio_pid=""
}

echo "== ours (plain REGISTER)" >&2
ours_round plain register.xml "$work/plain.csv" plain
[ $with_devices = 1 ] && {
echo "== ours (ScreamRouter devices: REGISTER with the device SDP)" >&2
ours_round device register-device.xml "$work/devices.csv" device
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
echo
echo "| path | Kamailio clean/s | ours clean/s | ratio | ours p50 / p99 ms at half rate | Kamailio p50 / p99 ms | CPU us per call at half rate, ours / Kamailio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for p in $paths; do
    name=$(case $p in re) echo "re-REGISTER ($devices devices)" ;; options) echo "OPTIONS" ;; new) echo "new REGISTER" ;; esac)
    echo "| $name | ${result[kamailio.$p.clean]:-} | ${result[ours-plain.$p.clean]:-} | $(ratio "${result[ours-plain.$p.clean]:-}" "${result[kamailio.$p.clean]:-}") | ${result[ours-plain.$p.p50]:-} / ${result[ours-plain.$p.p99]:-} | ${result[kamailio.$p.p50]:-} / ${result[kamailio.$p.p99]:-} | ${result[ours-plain.$p.cpu]:-} / ${result[kamailio.$p.cpu]:-} |"
done
for p in $paths; do
    [ $with_devices = 1 ] || break
    name=$(case $p in re) echo "re-REGISTER, ScreamRouter devices" ;; options) echo "OPTIONS, ScreamRouter devices" ;; new) echo "new REGISTER, ScreamRouter device" ;; esac)
    echo "| $name (vs Kamailio plain) | ${result[kamailio.$p.clean]:-} | ${result[ours-device.$p.clean]:-} | $(ratio "${result[ours-device.$p.clean]:-}" "${result[kamailio.$p.clean]:-}") | ${result[ours-device.$p.p50]:-} / ${result[ours-device.$p.p99]:-} | | ${result[ours-device.$p.cpu]:-} / (plain) ${result[kamailio.$p.cpu]:-} |"
done
echo
echo "| | Kamailio | ours, plain | ours, ScreamRouter devices |"
echo "|---|---:|---:|---:|"
echo "| start to first 200 OK | ${result[kamailio.start]:-} ms | ${result[ours-plain.start]:-} ms | ${result[ours-device.start]:-} ms |"
echo "| memory per binding ($devices) | ${result[kamailio.perbinding]:-} B shm | ${result[ours-plain.perbinding]:-} B heap | ${result[ours-device.perbinding]:-} B heap |"
echo "| RSS after $devices | ${result[kamailio.rss]:-} KB (sum of processes) | ${result[ours-plain.rss]:-} KB | ${result[ours-device.rss]:-} KB |"
