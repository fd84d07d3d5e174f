#!/usr/bin/env bash
# Installs what the tests need (Debian packages, Maven dependencies), builds everything and runs every
# test: unit tests, Pax Exam in Felix and in Karaf, and the real-peer tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Debian packages the build and the real-peer tests use; installed only when missing.
packages=(maven sipsak sip-tester iproute2 avahi-daemon avahi-utils dbus baresip tshark
    # KamailioClientIT: a third-party registrar for the client API
    kamailio
    # the config bundle checks its config.yaml with PyYAML the way ScreamRouter loads it
    python3-yaml
    # the native WebRTC library of the audio bridge (webrtc-java) links these
    libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libudev1 libdbus-1-3
    # CallsBrowserIT: headless Chromium driven from node (playwright-core), JsSIP bundled by esbuild
    chromium nodejs)
missing=()
# Debian's nodejs comes without npm (NodeSource's includes it): ask for the npm package only when there is none
command -v npm >/dev/null 2>&1 || packages+=(npm)
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    # no package may start a service while installing: a system avahi-daemon would announce on the real
    # network; the tests start their own daemons inside network namespaces
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod +x "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
    [ -z "$policy" ] || $SUDO rm -f "$policy"
fi

# the browser side of CallsBrowserIT (playwright-core, jssip, esbuild), pinned by its package-lock.json
(cd itests/browser && npm ci --no-audit --no-fund)

# What the run leaves behind is checked at the end: every process it started must have ended (each test ends its
# own, pass or fail), no port it bound may still be bound, no network namespace it made may be left. Processes are
# recognised by a marker in their environment or by a command line naming this checkout.
marker="SCREAMROUTER_SIP_TEST_RUN=$$-$(date +%s%N)"
export "${marker%%=*}=${marker#*=}"
list_pids() { ls /proc | grep -E '^[0-9]+$' | sort -n; }
pids_before=" $(list_pids | tr '\n' ' ') "
listen_before=$(ss -Htuln 2>/dev/null | awk '{print $1, $5}' | sort -u)
netns_before=$(ip netns list 2>/dev/null | awk '{print $1}' | sort)

status=0
mvn -B -ntp install "$@" || status=$?
unset "${marker%%=*}"

left=()
for pid in $(list_pids); do
    [[ "$pids_before" == *" $pid "* || $pid == "$$" ]] && continue
    cmd=$({ tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null) || continue   # gone meanwhile: not left
    if grep -qzxF -- "$marker" "/proc/$pid/environ" 2>/dev/null || [[ "$cmd" == *"$top/"* ]]; then
        left+=("$pid")
        echo "LEFT RUNNING after the tests: pid $pid: ${cmd:0:300}" >&2
    fi
done
# a port is the run's when a process of the run holds it, or when it is one of the server's default ports
# (5060, 5061, 8088, 8089, 8122, 8181) that was free before: tests must never leave those taken
bound=()
while read -r netid local owner; do
    [ -n "$local" ] || continue
    grep -qxF "$netid $local" <<< "$listen_before" && continue
    pid=$(grep -o 'pid=[0-9]*' <<< "$owner" | head -1 | cut -d= -f2)
    if { [ -n "$pid" ] && [[ " ${left[*]} " == *" $pid "* ]]; } || [[ "$local" =~ :(5060|5061|8088|8089|8122|8181)$ ]]; then
        bound+=("$netid $local ${owner:-(no process)}")
    fi
done < <(ss -Htulnp 2>/dev/null | awk '{print $1, $5, $7}')
for b in "${bound[@]}"; do echo "STILL BOUND after the tests: $b" >&2; done
new_netns=$(comm -13 <(echo "$netns_before") <(ip netns list 2>/dev/null | awk '{print $1}' | sort))
[ -z "$new_netns" ] || echo "NETWORK NAMESPACES LEFT after the tests: $new_netns" >&2
# a fork failsafe timed out or killed left a thread dump: its test classes and what each thread was doing
for dump in itests/target/failsafe-reports/*.dump; do
    [ -s "$dump" ] || continue
    echo "Failsafe dumped a fork's threads ($dump): the fork ran out of time or did not exit; its main thread:" >&2
    awk '/^"main"/ { on = 1 } on && /^$/ { exit } on' "$dump" | head -40 >&2
done
if [ -s itests/target/reaped-processes.txt ]; then
    echo "Processes a test class left and ProcessReaper ended (the test must end them itself):" >&2
    cat itests/target/reaped-processes.txt >&2
fi
if [ ${#left[@]} -gt 0 ] || [ ${#bound[@]} -gt 0 ] || [ -n "$new_netns" ]; then
    # clean up so nothing outlives this run either, then fail
    [ ${#left[@]} -eq 0 ] || { kill -TERM "${left[@]}" 2>/dev/null; sleep 5; kill -KILL "${left[@]}" 2>/dev/null; } || true
    for ns in $new_netns; do ip netns del "$ns" 2>/dev/null || true; done
    echo "FAILED: the test run left processes, ports or network namespaces behind (see above)" >&2
    [ "$status" -ne 0 ] || status=1
fi
exit "$status"
