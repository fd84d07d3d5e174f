#!/usr/bin/env bash
# Runs ScreamRouter SIP in the foreground with the Karaf shell on this terminal, building it first when
# the build is missing or older than the sources.
#
# Optional environment, applied to etc/org.screamrouter.sip.stack.cfg and .mdns.cfg before the start:
#   SIP_BIND=127.0.0.1  SIP_UDP_PORT=25060  SIP_TCP_PORT=25060  SIP_WS_PORT=25088  SIP_TLS_PORT=25061  SIP_WSS_PORT=25089
#   MDNS_INTERFACES=127.0.0.1   (where the router is announced; default: every LAN interface)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
assembly="$top/distribution/target/assembly"

need_build() {
    [ -x "$assembly/bin/karaf" ] || return 0
    [ -n "$(find "$top/pom.xml" "$top/bundles" "$top/features" "$top/distribution/pom.xml" "$top/distribution/src" \
        -newer "$assembly/bin/karaf" -type f -not -path '*/target/*' -print -quit)" ]
}

# installs Debian packages that are missing (as root, or through sudo)
install_packages() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing $*..."
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

command -v java >/dev/null || install_packages openjdk-17-jdk-headless
if need_build; then
    command -v mvn >/dev/null || install_packages maven
    echo "Building ScreamRouter SIP (mvn install -DskipTests)..."
    (cd "$top" && mvn -B -q -ntp install -DskipTests -pl distribution -am)
fi

cfg="$assembly/etc/org.screamrouter.sip.stack.cfg"
set_key() { [ -n "${2:-}" ] && sed -i "s|^#\? *$1 *=.*|$1 = $2|" "$cfg"; return 0; }
set_key bind.address "${SIP_BIND:-}"
set_key udp.port "${SIP_UDP_PORT:-}"
set_key tcp.port "${SIP_TCP_PORT:-}"
set_key ws.port "${SIP_WS_PORT:-}"
set_key tls.port "${SIP_TLS_PORT:-}"
set_key wss.port "${SIP_WSS_PORT:-}"
cfg="$assembly/etc/org.screamrouter.sip.mdns.cfg"
set_key interfaces "${MDNS_INTERFACES:-}"

exec "$assembly/bin/karaf" "$@"
