#!/usr/bin/env bash
# Real-peer test of the mDNS publisher: Avahi, an independent mDNS/DNS-SD implementation, must find the router's
# _screamrouter-sip._udp service with the live SIP port and the router UUID, follow a live port change, and see the
# goodbye when the server stops.
#
# Topology (everything is created here and removed on exit; the root namespace gets no interface, no route, no mount):
#
#   netns srsip-mdns-srv-PID                       netns srsip-mdns-peer-PID
#   +--------------------------------+   veth      +-----------------------------------------------+
#   | SERVER_CMD (the router)        |-------------| private dbus-daemon + avahi-daemon            |
#   | srmPIDs 198.18.77.1/24, lo     |             | (tmpfs over /run via unshare -m)              |
#   | mDNS interfaces = MDNS_ADDRESS |             | srmPIDp 198.18.77.2/24, avahi-browse -rp      |
#   +--------------------------------+             +-----------------------------------------------+
#
# Both ends sit in namespaces of their own, so the server sees no real interface at all: whatever its configuration
# says, nothing can be announced on the host's network. SERVER_CMD runs (bash -c, in its own process group) inside the
# server namespace with these variables set:
#   MDNS_ADDRESS    the server end's address; set the mDNS `interfaces` configuration to it
#   MDNS_INTERFACE  the server end's interface name
#   WORKDIR         a scratch directory removed on exit (logs are printed on failure)
#   SIP_PORT        the UDP port the server is expected to listen on first (EXPECT_PORT)
# For the Karaf distribution, SERVER_CMD is mdns-karaf-server.sh (unpacks the tarball, writes interfaces=$MDNS_ADDRESS
# into etc/org.screamrouter.sip.mdns.cfg and bind.address/udp.port into etc/org.screamrouter.sip.stack.cfg, runs
# bin/karaf server) and CHANGE_CMD is `mdns-karaf-server.sh set-udp-port PORT` (Karaf's fileinstall applies the new
# cfg live); its header has the command line, and itests/.../peers/AvahiFindsDistributionIT.java runs it from failsafe.
#
# Environment (all optional):
#   SERVER_CMD          default: itests/peers/mdns-demo-publisher.sh (the real MdnsPublisher outside OSGi)
#   EXPECT_PORT         the SRV port to expect first (default 25060)
#   CHANGE_CMD          run in the server namespace after the first discovery to change the port
#                       (default for the demo publisher: write EXPECT_PORT_AFTER to $WORKDIR/port)
#   EXPECT_PORT_AFTER   the SRV port to expect after CHANGE_CMD (default 25062; empty = skip the port change)
#   EXPECT_ROUTER_UUID  the router_uuid to expect, or EXPECT_ROUTER_UUID_FILE a file holding it (read after discovery;
#                       default for the demo publisher: $WORKDIR/data/router-uuid)
#   SERVICE_TYPE        default _screamrouter-sip._udp
#   DISCOVERY_TIMEOUT   seconds to wait for each discovery (default 60)
#   CHECK_GOODBYE       1 (default): stop the server with SIGTERM and require Avahi to see the service removed
#   MDNS_NET            first three octets of the veth addresses (default 198.18.77)
#   KEEP_WORKDIR        1: keep the scratch directory
#   TMPDIR              where the scratch directory is made (default /tmp)
#
# Needs root (ip netns, unshare). Installs avahi-daemon avahi-utils dbus iproute2 when missing.
# Exit 0 = every check passed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ID=$$
NS_SRV=srsip-mdns-srv-$ID
NS_PEER=srsip-mdns-peer-$ID
IF_SRV=srm${ID}s
IF_PEER=srm${ID}p
NET=${MDNS_NET:-198.18.77}
ADDR_SRV=$NET.1
ADDR_PEER=$NET.2
SERVICE_TYPE=${SERVICE_TYPE:-_screamrouter-sip._udp}
TIMEOUT=${DISCOVERY_TIMEOUT:-60}
EXPECT_PORT=${EXPECT_PORT:-25060}
EXPECT_PORT_AFTER=${EXPECT_PORT_AFTER-25062}
CHECK_GOODBYE=${CHECK_GOODBYE:-1}
DEMO=0
if [ -z "${SERVER_CMD:-}" ]; then
  DEMO=1
  SERVER_CMD="$HERE/mdns-demo-publisher.sh"
  CHANGE_CMD=${CHANGE_CMD:-'echo "$EXPECT_PORT_AFTER" > "$WORKDIR/port"'}
  EXPECT_ROUTER_UUID_FILE=${EXPECT_ROUTER_UUID_FILE:-'$WORKDIR/data/router-uuid'}
fi
CHANGE_CMD=${CHANGE_CMD:-}
WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/srsip-mdns.XXXXXX")
SERVER_PGID=
PEER_PGID=
FAILED=1

log() { printf '[mdns-avahi %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
die() { log "FAIL: $*"; exit 1; }
now() { printf '%s' "$EPOCHREALTIME"; }

stop_group() { # pgid: TERM, then KILL what is left after a grace period
  local pgid=$1 i
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  stop_group "$SERVER_PGID"
  stop_group "$PEER_PGID"
  ip netns del "$NS_SRV" 2>/dev/null   # deleting a namespace deletes its end of the veth, and so the pair
  ip netns del "$NS_PEER" 2>/dev/null
  if [ "$FAILED" = 1 ]; then
    for f in server.log peer.log browse.log resolve.log; do
      [ -s "$WORKDIR/$f" ] && { echo "----- $f (last 40 lines)"; tail -n 40 "$WORKDIR/$f"; }
    done
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then log "kept $WORKDIR"; else rm -rf "$WORKDIR"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "needs root (ip netns, unshare)"
missing=()
for tool in avahi-daemon:avahi-daemon avahi-browse:avahi-utils dbus-daemon:dbus ip:iproute2 unshare:util-linux; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  # the package would start the system's avahi-daemon, which announces this machine on its real interfaces: a
  # policy-rc.d that answers 101 (action forbidden) keeps invoke-rc.d and deb-systemd-invoke from starting anything
  POLICY=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    POLICY=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# written by mdns-avahi.sh during apt-get install, removed after it\nexit 101\n' > "$POLICY"
    chmod 755 "$POLICY"
  fi
  rc=0
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || rc=$?
  [ -z "$POLICY" ] || rm -f "$POLICY"
  [ "$rc" = 0 ] || die "apt-get install ${missing[*]} failed ($rc)"
fi

# --- namespaces and the veth pair, created directly inside them -------------------------------------------------
ip netns add "$NS_SRV"
ip netns add "$NS_PEER"
ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_PEER" netns "$NS_PEER"
for side in "$NS_SRV $IF_SRV $ADDR_SRV" "$NS_PEER $IF_PEER $ADDR_PEER"; do
  set -- $side
  ip -n "$1" link set lo up
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" link set "$2" up multicast on
  ip -n "$1" route add 224.0.0.0/4 dev "$2"   # mDNS group 224.0.0.251 goes out on the veth
done
log "veth $IF_SRV $ADDR_SRV (netns $NS_SRV) <-> $IF_PEER $ADDR_PEER (netns $NS_PEER)"

# --- the peer: private dbus + avahi in a mount namespace of their own ---------------------------------------------
cat > "$WORKDIR/avahi-daemon.conf" <<EOF
[server]
host-name=srsip-peer-$ID
use-ipv4=yes
use-ipv6=no
allow-interfaces=$IF_PEER
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
disable-publishing=yes
EOF
cat > "$WORKDIR/peer.sh" <<EOF
set -e
# tmpfs over /run in this mount namespace only: the host's /run/dbus and /run/avahi-daemon are never touched
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus /run/avahi-daemon
dbus-daemon --system --nofork --nopidfile &
for i in \$(seq 1 100); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.1; done
avahi-daemon -f "$WORKDIR/avahi-daemon.conf" --no-drop-root --no-chroot --no-rlimits &
for i in \$(seq 1 100); do avahi-daemon --check 2>/dev/null && break; sleep 0.1; done
sleep 1   # the daemon registers its dbus name after its pid file; avahi-browse -t right after start misses
echo \$\$ > "$WORKDIR/peer.pid"   # fresh resolutions run in this process's namespaces (peer_resolve)
touch "$WORKDIR/peer.ready"
# each line stamped with its arrival time (epoch seconds), so a timing does not include this script's polling
avahi-browse -rp "$SERVICE_TYPE" | while IFS= read -r line; do printf '%s;%s\n' "\$EPOCHREALTIME" "\$line"; done
EOF
setsid ip netns exec "$NS_PEER" unshare -m --propagation private bash "$WORKDIR/peer.sh" \
  > "$WORKDIR/browse.log" 2> "$WORKDIR/peer.log" &
PEER_PGID=$!
for i in $(seq 1 150); do [ -e "$WORKDIR/peer.ready" ] && break; sleep 0.1; done
[ -e "$WORKDIR/peer.ready" ] || die "avahi did not start in $NS_PEER"
PEER_PID=$(cat "$WORKDIR/peer.pid")
log "avahi-daemon and avahi-browse -rp $SERVICE_TYPE running in $NS_PEER"

# --- the server -------------------------------------------------------------------------------------------------
export MDNS_ADDRESS=$ADDR_SRV MDNS_INTERFACE=$IF_SRV WORKDIR SIP_PORT=$EXPECT_PORT EXPECT_PORT_AFTER
T_START=$(now)
setsid ip netns exec "$NS_SRV" bash -c "$SERVER_CMD" > "$WORKDIR/server.log" 2>&1 &
SERVER_PGID=$!
log "server started in $NS_SRV: $SERVER_CMD (MDNS_ADDRESS=$ADDR_SRV)"

# waits for an avahi-browse line: kind (= resolved, - removed), port ('' = any); prints the line, which starts with
# its arrival time (epoch seconds) and a ';'
await_line() {
  local kind=$1 port=$2 from=$3 deadline=$(( $(date +%s) + TIMEOUT )) line
  while [ "$(date +%s)" -le "$deadline" ]; do
    line=$(tail -n +"$from" "$WORKDIR/browse.log" | awk -F';' -v k="$kind" -v p="$port" -v a="$ADDR_SRV" \
      '$2 == k && $4 == "IPv4" && (k == "-" || ($9 == a && (p == "" || $10 == p))) { print; exit }')
    [ -n "$line" ] && { printf '%s\n' "$line"; return 0; }
    # while the server should run; after the goodbye check stopped it (SERVER_PGID empty) only the line counts
    [ -z "$SERVER_PGID" ] || kill -0 "$SERVER_PGID" 2>/dev/null || die "the server exited"
    sleep 0.1
  done
  return 1
}
# one fresh resolution by the peer's avahi-daemon (avahi-browse -rpc: a new browser and resolver, answered from
# avahi's cache, which the server's announcements keep current); lines stamped with their arrival time
peer_resolve() {
  nsenter -t "$PEER_PID" -m -n avahi-browse -rpc "$SERVICE_TYPE" 2>/dev/null |
    while IFS= read -r line; do printf '%s;%s\n' "$EPOCHREALTIME" "$line"; done
}
# polls fresh resolutions until one names port (a long-running avahi-browse -r reports an instance once: it does not
# print a record changed in place); prints the line, which starts with its arrival time
await_resolved() {
  local port=$1 deadline=$(( $(date +%s) + TIMEOUT )) line
  while [ "$(date +%s)" -le "$deadline" ]; do
    line=$(peer_resolve | tee -a "$WORKDIR/resolve.log" | awk -F';' -v p="$port" -v a="$ADDR_SRV" \
      '$2 == "=" && $4 == "IPv4" && $9 == a && $10 == p { print; exit }')
    [ -n "$line" ] && { printf '%s\n' "$line"; return 0; }
    kill -0 "$SERVER_PGID" 2>/dev/null || die "the server exited"
    sleep 0.05
  done
  return 1
}
arrived() { # start line: seconds from start (epoch) to the line's arrival
  awk -v a="$1" -v b="${2%%;*}" 'BEGIN { printf "%.2f", b - a }'
}
clock() { # line: the line's arrival as HH:MM:SS.mmm (local time, as in Karaf's log)
  local t=${1%%;*}
  printf '%s.%s' "$(date -d "@${t%.*}" +%H:%M:%S)" "$(printf '%s' "${t#*.}" | cut -c1-3)"
}
txt_value() { # line key
  printf '%s\n' "$1" | grep -o "\"$2=[^\"]*\"" | head -n 1 | sed -e "s/^\"$2=//" -e 's/"$//'
}

LINE=$(await_line '=' "$EXPECT_PORT" 1) || die "no $SERVICE_TYPE on $ADDR_SRV port $EXPECT_PORT within ${TIMEOUT}s"
FIRST=$(arrived "$T_START" "$LINE")
log "resolved by avahi after ${FIRST}s (at $(clock "$LINE")): ${LINE#*;}"
UUID=$(txt_value "$LINE" router_uuid)
[ -n "$UUID" ] || die "no router_uuid in the TXT record"
if [ -n "${EXPECT_ROUTER_UUID_FILE:-}" ]; then
  EXPECT_ROUTER_UUID=$(tr -d '[:space:]' < "$(eval printf '%s' "$EXPECT_ROUTER_UUID_FILE")")
fi
if [ -n "${EXPECT_ROUTER_UUID:-}" ] && [ "$UUID" != "$EXPECT_ROUTER_UUID" ]; then
  die "router_uuid $UUID, expected $EXPECT_ROUTER_UUID"
fi
[ "$(txt_value "$LINE" srv_version)" = 2.0 ] || die "srv_version is not 2.0"
log "port $EXPECT_PORT and router_uuid $UUID as expected (srv_version 2.0, transport $(txt_value "$LINE" transport))"

if [ -n "$EXPECT_PORT_AFTER" ] && [ -n "$CHANGE_CMD" ]; then
  T_CHANGE=$(now)
  ip netns exec "$NS_SRV" bash -c "$CHANGE_CMD"
  log "port change: $CHANGE_CMD"
  LINE=$(await_resolved "$EXPECT_PORT_AFTER") || die "port $EXPECT_PORT_AFTER not seen within ${TIMEOUT}s"
  log "new port resolved by avahi after $(arrived "$T_CHANGE" "$LINE")s (at $(clock "$LINE")): ${LINE#*;}"
  [ "$(txt_value "$LINE" router_uuid)" = "$UUID" ] || die "router_uuid changed with the port"
fi

if [ "$CHECK_GOODBYE" = 1 ]; then
  FROM=$(( $(wc -l < "$WORKDIR/browse.log") + 1 ))
  T_STOP=$(now)
  stop_group "$SERVER_PGID"
  SERVER_PGID=
  LINE=$(await_line '-' '' "$FROM") || die "avahi did not see the service withdrawn within ${TIMEOUT}s of SIGTERM"
  log "withdrawal seen by avahi $(arrived "$T_STOP" "$LINE")s after SIGTERM (at $(clock "$LINE")): ${LINE#*;}"
fi

FAILED=0
log "PASS: time to first discovery ${FIRST}s"
