#!/usr/bin/env bash
# Installs what the tests need (Debian packages, Maven dependencies), builds everything and runs every
# test: unit tests, Pax Exam in Felix and in Karaf, and the real-peer tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Debian packages the build and the real-peer tests use; installed only when missing.
packages=(maven sipsak sip-tester iproute2 avahi-daemon avahi-utils dbus baresip tshark)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mvn -B -ntp install "$@"
