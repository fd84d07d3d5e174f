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

mvn -B -ntp install "$@"
