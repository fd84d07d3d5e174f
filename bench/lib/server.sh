# Shared by the bench scripts (source it): a copy of the distribution on unusual loopback ports, started in the
# background and stopped, with everything it started, when the calling script exits.
#
#   bench_server WORK PORT   copies distribution/target/assembly (or $BENCH_ASSEMBLY: another build, for a before/after
#                            comparison) to WORK/server; SIP udp/tcp on PORT, tls PORT+2,
#                            ws PORT+28, wss PORT+29, http PORT+30, https PORT+31, ssh PORT+50; mDNS on loopback only; no per-source rate limit
#                            (sipp is one address standing for many devices)
#   bench_start              starts it (bin/karaf server) and arranges the stop on exit
#   bench_shell "CMD"        runs a Karaf shell command in it over ssh (a throw-away admin user of this copy only)
#   bench_wait_sip           waits until it answers an OPTIONS
#   bench_wait_boot          waits until Karaf's boot provisioning has finished (before a bundle:update)
#   first_200 PORT T0 PID    waits for a 200 to OPTIONS (polled every 50 ms); prints the ms since T0 (now_ms)
#   devices_file F SEED N    a sipp injection file of N ScreamRouter devices (UUID; its first 8 characters), the same for a seed
#   bench_need TOOL...       exits at once, naming the missing tools and the Debian packages that bring them
bench_need() {
    local missing=() packages=() tool package
    for tool in "$@"; do
        command -v "$tool" >/dev/null && continue
        case $tool in
            sipp) package=sip-tester ;; kamcmd) package=kamailio ;; jcmd) package=openjdk-17-jdk-headless ;;
            perf) package=linux-perf ;; *) package=$tool ;;
        esac
        missing+=("$tool"); packages+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "${missing[*]} not found: apt-get install -y ${packages[*]}" >&2; exit 1
}

bench_server() {
    bench_work=$1; bench_port=$2; server="$bench_work/server"
    rm -rf "$bench_work"; mkdir -p "$bench_work"
    cp -r "${BENCH_ASSEMBLY:-$top/distribution/target/assembly}" "$server"
    local cfg="$server/etc/org.screamrouter.sip.stack.cfg"
    sed -i "s/^bind.address = .*/bind.address = 127.0.0.1/; s/^udp.port = .*/udp.port = $bench_port/; s/^tcp.port = .*/tcp.port = $bench_port/; s/^ws.port = .*/ws.port = $((bench_port + 28))/; s/^tls.port = .*/tls.port = $((bench_port + 2))/; s/^wss.port = .*/wss.port = $((bench_port + 29))/" "$cfg"
    printf '\nrate.per.source = 0\n' >> "$cfg"
    sed -i 's/^#\? *interfaces *=.*/interfaces = 127.0.0.1/' "$server/etc/org.screamrouter.sip.mdns.cfg"
    # the HTTP server (WHEP, listen page) on an unusual port too, in its cfg and in the framework default that holds
    # until the cfg is read (etc/custom.properties): never 8181, which a test run or the user's server may hold
    sed -i "s/^org.osgi.service.http.port *=.*/org.osgi.service.http.port = $((bench_port + 30))/" \
        "$server/etc/org.apache.felix.http.cfg" "$server/etc/custom.properties"
    sed -i "s/^https.port *=.*/https.port = $((bench_port + 31))/" "$server/etc/org.screamrouter.sip.web.cfg"
    sed -i "s/^sshPort *=.*/sshPort = $((bench_port + 50))/; s/^sshHost *=.*/sshHost = 127.0.0.1/" "$server/etc/org.apache.karaf.shell.cfg"
    grep -q '^sshPort' "$server/etc/org.apache.karaf.shell.cfg" || printf '\nsshPort = %d\nsshHost = 127.0.0.1\n' $((bench_port + 50)) >> "$server/etc/org.apache.karaf.shell.cfg"
    bench_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '\nbench = %s,_g_:benchgroup\n_g_\\:benchgroup = group,admin,manager,viewer,systembundles,ssh\n' "$bench_password" >> "$server/etc/users.properties"
}

bench_start() {
    "$server/bin/karaf" server > "$bench_work/karaf.out" 2>&1 &
    bench_karaf=$!
    # bin/karaf runs java as a child: stop the container itself, then make sure nothing of it is left
    trap '"$server/bin/stop" >/dev/null 2>&1 || true; wait $bench_karaf 2>/dev/null || true; pkill -f "$server" 2>/dev/null || true' EXIT
}

bench_shell() {
    # batch mode (the command on stdin): with the command as an argument this client prints only "Closed"
    HOME="$bench_work" "$server/bin/client" -h 127.0.0.1 -a $((bench_port + 50)) -u bench -p "$bench_password" -r 30 -d 1 -b <<< "$1" 2>&1 \
        | sed '/JAVA_HOME not set/d'
}

bench_wait_sip() {
    for _ in $(seq 1 600); do
        sipsak -s "sip:127.0.0.1:$bench_port" -D 1 >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "the server did not answer OPTIONS on $bench_port" >&2; return 1
}

bench_wait_boot() {
    # Karaf's boot provisioning (featuresBoot) runs on its own thread after the stack answers; while it deploys, Felix
    # can refuse a bundle:update of a bundle it resolves (docs/architecture.md, "Boot")
    for _ in $(seq 1 60); do
        bench_shell "service:list org.apache.karaf.features.BootFinished" | grep -q BootFinished && return 0
        sleep 1
    done
    echo "Karaf's boot provisioning did not finish" >&2; return 1
}

now_ms() { date +%s%3N; }
# waits for a 200 to OPTIONS on $1, polling every 50 ms; prints the milliseconds since $2 (epoch ms)
first_200() { # $3 = the server's pid: no use waiting once it has ended
    for _ in $(seq 1 1200); do
        kill -0 "$3" 2>/dev/null || { echo "the server on port $1 ended; see its log in ${bench_work:-its folder}" >&2; return 1; }
        if sipsak -s "sip:127.0.0.1:$1" >/dev/null 2>&1; then echo $(( $(now_ms) - $2 )); return 0; fi
        sleep 0.05
    done
    echo "no 200 OK from port $1 within 60 s" >&2; return 1
}

devices_file() { # $1 = file, $2 = seed, $3 = count
    python3 - "$1" "$2" "$3" <<'EOF'
import random, sys, uuid
path, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
with open(path, "w") as f:
    f.write("SEQUENTIAL\n")
    for _ in range(count):
        u = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        f.write(f"{u};{u[:8]};\n")
EOF
}
