#!/usr/bin/env bash
# Installs what the tests need (Debian packages, Maven dependencies), builds everything and runs every
# test: unit tests, Pax Exam in Felix and in Karaf, and the real-peer tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Debian packages the build and the real-peer tests use; installed only when missing.
packages=(maven sipsak sip-tester iproute2 avahi-daemon avahi-utils dbus baresip tshark kamailio)
missing=()
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

mvn -B -ntp install "$@"
