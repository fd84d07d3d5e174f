#!/usr/bin/env bash
# Starts the real MdnsPublisher outside OSGi (bundles/mdns test class PeerDemoPublisher) as the server side of
# mdns-avahi.sh, until the Karaf distribution takes its place. Run by mdns-avahi.sh inside the server's network
# namespace with MDNS_ADDRESS (the veth address) and WORKDIR set; the UDP port is read from $WORKDIR/port, and
# writing another port there is a live re-bind. Needs: mvn -f bundles/mdns/pom.xml test-compile.
set -euo pipefail
: "${MDNS_ADDRESS:?the veth address to announce on}" "${WORKDIR:?a scratch directory}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
M2=${M2_REPO:-$HOME/.m2/repository}
jar() { # groupId-path artifact version
  local f="$M2/$1/$2/$3/$2-$3.jar"
  [ -f "$f" ] || { echo "missing $f (build the modules first)" >&2; exit 1; }
  printf '%s' "$f"
}
MDNS="$ROOT/bundles/mdns/target"
[ -d "$MDNS/test-classes" ] || { echo "run: mvn -f bundles/mdns/pom.xml test-compile" >&2; exit 1; }
API="$ROOT/bundles/api/target/classes"   # MdnsPublication, ListeningPoint
[ -d "$API" ] || API=$(jar org/screamrouter/sip org.screamrouter.sip.api 0.1.0-SNAPSHOT)
SUPPORT="$ROOT/test-support/target/classes"   # Configs (configuration annotations made from a map)
[ -d "$SUPPORT" ] || SUPPORT=$(jar org/screamrouter/sip org.screamrouter.sip.test-support 0.1.0-SNAPSHOT)
CP="$MDNS/classes:$MDNS/test-classes:$API:$SUPPORT"
CP="$CP:$(jar org/slf4j slf4j-api 2.0.17):$(jar org/slf4j slf4j-simple 2.0.17)"
CP="$CP:$(jar org/osgi osgi.core 8.0.0)"
[ -f "$WORKDIR/port" ] || echo "${SIP_PORT:-25060}" > "$WORKDIR/port"
mkdir -p "$WORKDIR/data"
exec java -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
  -cp "$CP" org.screamrouter.sip.mdns.internal.PeerDemoPublisher "$MDNS_ADDRESS" "$WORKDIR/port" "$WORKDIR/data"
