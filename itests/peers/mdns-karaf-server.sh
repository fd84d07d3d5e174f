#!/usr/bin/env bash
# The Karaf distribution as the server side of mdns-avahi.sh (its SERVER_CMD), and the live port change (its
# CHANGE_CMD). Runs inside the server's network namespace, where the only interfaces are lo and the veth.
#
#   start (default)      unpacks DISTRIBUTION into KARAF_DIR (unless bin/karaf is already there), writes
#                        etc/org.screamrouter.sip.mdns.cfg   interfaces = $MDNS_ADDRESS (the veth, never a real interface)
#                        etc/org.screamrouter.sip.stack.cfg  bind.address = $MDNS_ADDRESS, udp.port = $SIP_PORT,
#                                                            tcp.port = $TCP_PORT, ws.port = $WS_PORT
#                        etc/org.ops4j.pax.url.mvn.cfg       offline, no remote repositories (features come from system/)
#                        and execs `bin/karaf server` in the foreground (java replaces bin/karaf: SIGTERM reaches it,
#                        Karaf stops its bundles and the mDNS publisher sends its goodbyes).
#   set-udp-port PORT    rewrites udp.port in KARAF_DIR/etc/org.screamrouter.sip.stack.cfg (atomically, through a
#                        temporary name that fileinstall ignores); Karaf's fileinstall applies it within about a second
#                        and the stack re-binds live.
#
# Environment: MDNS_ADDRESS, SIP_PORT (set by mdns-avahi.sh), KARAF_DIR (default $WORKDIR/karaf), DISTRIBUTION (default
# distribution/target/screamrouter-sip-distribution-*.tar.gz), TCP_PORT (default SIP_PORT+1), WS_PORT (SIP_PORT+28), TLS_PORT (SIP_PORT+2), WSS_PORT (SIP_PORT+29).
#
# By hand, as root, from the repository root:
#   SERVER_CMD=itests/peers/mdns-karaf-server.sh EXPECT_PORT=25160 EXPECT_PORT_AFTER=25162 \
#   CHANGE_CMD='itests/peers/mdns-karaf-server.sh set-udp-port $EXPECT_PORT_AFTER' \
#   EXPECT_ROUTER_UUID_FILE='$WORKDIR/karaf/data/router-uuid' itests/peers/mdns-avahi.sh
# (itests/src/test/java/.../peers/AvahiFindsDistributionIT.java does the same from failsafe.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KARAF_DIR=${KARAF_DIR:-${WORKDIR:?KARAF_DIR or WORKDIR}/karaf}
STACK_CFG=$KARAF_DIR/etc/org.screamrouter.sip.stack.cfg

# set_key FILE KEY VALUE: drops every active KEY line (with its backslash continuations) and appends KEY = VALUE;
# written to a name outside fileinstall's filter and moved into place, so Karaf never reads half a file
set_key() {
  local file=$1 key=$2 value=$3 tmp
  tmp="$(dirname "$file")/.$(basename "$file").tmp"
  awk -v k="$key" '
    cont { cont = /\\[[:space:]]*$/; next }
    { line = $0; sub(/^[[:space:]]+/, "", line) }
    index(line, k) == 1 && substr(line, length(k) + 1) ~ /^[[:space:]]*[=:]/ { cont = /\\[[:space:]]*$/; next }
    { print }' "$file" > "$tmp"
  printf '%s = %s\n' "$key" "$value" >> "$tmp"
  mv -f "$tmp" "$file"
}

case "${1:-start}" in
  set-udp-port)
    port=${2:?set-udp-port PORT}
    [ -f "$STACK_CFG" ] || { echo "no $STACK_CFG" >&2; exit 1; }
    set_key "$STACK_CFG" udp.port "$port"
    echo "udp.port = $port written to $STACK_CFG"
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 [start | set-udp-port PORT]" >&2; exit 2 ;;
esac

: "${MDNS_ADDRESS:?the veth address of the server namespace}" "${SIP_PORT:?the first UDP port}"
TCP_PORT=${TCP_PORT:-$((SIP_PORT + 1))}
WS_PORT=${WS_PORT:-$((SIP_PORT + 28))}
TLS_PORT=${TLS_PORT:-$((SIP_PORT + 2))}
WSS_PORT=${WSS_PORT:-$((SIP_PORT + 29))}

if [ ! -x "$KARAF_DIR/bin/karaf" ]; then
  if [ -z "${DISTRIBUTION:-}" ]; then
    DISTRIBUTION=$(ls "$ROOT"/distribution/target/screamrouter-sip-distribution-*.tar.gz 2>/dev/null | head -n 1)
  fi
  [ -f "${DISTRIBUTION:-}" ] || { echo "no distribution tarball (build it: mvn -o install -DskipTests)" >&2; exit 1; }
  mkdir -p "$KARAF_DIR"
  tar -xzf "$DISTRIBUTION" -C "$KARAF_DIR" --strip-components=1
  echo "unpacked $DISTRIBUTION into $KARAF_DIR"
fi

MDNS_CFG=$KARAF_DIR/etc/org.screamrouter.sip.mdns.cfg
set_key "$MDNS_CFG" interfaces "$MDNS_ADDRESS"
set_key "$STACK_CFG" bind.address "$MDNS_ADDRESS"
set_key "$STACK_CFG" udp.port "$SIP_PORT"
set_key "$STACK_CFG" tcp.port "$TCP_PORT"
set_key "$STACK_CFG" ws.port "$WS_PORT"
set_key "$STACK_CFG" tls.port "$TLS_PORT"
set_key "$STACK_CFG" wss.port "$WSS_PORT"
MVN_CFG=$KARAF_DIR/etc/org.ops4j.pax.url.mvn.cfg
set_key "$MVN_CFG" org.ops4j.pax.url.mvn.repositories ""
set_key "$MVN_CFG" org.ops4j.pax.url.mvn.offline true
echo "mDNS interfaces = $MDNS_ADDRESS; stack on $MDNS_ADDRESS udp $SIP_PORT tcp $TCP_PORT ws $WS_PORT"
echo "interfaces in this namespace: $(ip -o -4 addr show | awk '{ printf "%s %s; ", $2, $4 }')"

export KARAF_EXEC=exec
exec "$KARAF_DIR/bin/karaf" server
