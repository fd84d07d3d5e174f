package org.screamrouter.sip.client.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.stack.Flow;

/**
 * The simulator's command line. Every fault names the option and what was wrong with it
 * ({@link IllegalArgumentException}); {@code --help} prints {@link #USAGE}.
 */
record SimulatorOptions(Flow server, String discoverInterface, Duration discoverTimeout, int count, String role,
                        String codec, String transport, String bindAddress, int sockets, int expires,
                        Duration keepAlive, String uuidPrefix, int rtpPort, String user, String password,
                        Duration duration, int rate, boolean verbose, String tlsFingerprint) {

    static final String USAGE = """
            screamrouter-sim: acts as N ScreamRouter devices that register with the router, answer its OPTIONS pings,
            send their own keep-alives and unregister on exit (Ctrl-C, SIGTERM or --duration).

              --server ADDR:PORT      the router's SIP address, an IP literal (udp unless --transport tcp or tls)
              --discover              find the router by mDNS (_screamrouter-sip._udp.local.) instead of --server
              --interface ADDR        the local address mDNS browses on (default: the --bind address)
              --discover-timeout S    how long to browse before giving up (default 15)
              --count N               how many devices (default 1)
              --role sink|source      what the devices declare (default sink)
              --codec l16|opus        the audio format in their SDP (default l16: L16/48000/2)
              --transport udp|tcp|tls (default udp; tls needs --server, e.g. 127.0.0.1:5061)
              --tls-fingerprint SHA256  trust only the router certificate of this SHA-256 fingerprint (sip:status
                                      prints it; hex, colons optional); without it, the JDK's CA certificates
              --bind ADDR             local IP literal the devices use (default 127.0.0.1)
              --sockets N             local SIP sockets the devices share (default: one per device up to 50)
              --expires S             requested registration expiry (default 300; refreshed at 85%)
              --keepalive S           own OPTIONS keep-alive interval per device, 0 for none (default 15)
              --uuid-prefix TEXT      device UUIDs are name-based UUIDs of TEXT-<n> (default sim)
              --rtp-port P            first RTP port announced in SDP, device n announces P+2n (default 40000)
              --user U --password P   digest credentials (U may contain {uuid}; default user: the device UUID)
              --duration S            unregister and exit after S seconds (default: run until stopped)
              --rate N                REGISTERs (and unregisters) started per second (default 500)
              --verbose               one line per device state change
            Exit code: 0 when every device was registered at the end, 1 when some were not, 2 for bad options.
            """;

    static SimulatorOptions parse(String... args) {
        Flow server = null;
        boolean discover = false;
        String discoverInterface = null;
        Duration discoverTimeout = Duration.ofSeconds(15);
        int count = 1;
        String role = "sink";
        String codec = "l16";
        String transport = "udp";
        String serverText = null;
        String bind = "127.0.0.1";
        int sockets = -1;
        int expires = 300;
        Duration keepAlive = Duration.ofSeconds(15);
        String prefix = "sim";
        int rtpPort = 40000;
        String user = null;
        String password = null;
        Duration duration = null;
        boolean verbose = false;
        int rate = 500;
        String tlsFingerprint = null;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String option = rest.remove(0);
            switch (option) {
                case "--server" -> serverText = value(option, rest);
                case "--discover" -> discover = true;
                case "--interface" -> discoverInterface = value(option, rest);
                case "--discover-timeout" -> discoverTimeout = Duration.ofSeconds(number(option, rest, 1, 3600));
                case "--count" -> count = number(option, rest, 1, 100_000);
                case "--role" -> role = oneOf(option, value(option, rest), "sink", "source");
                case "--codec" -> codec = oneOf(option, value(option, rest), "l16", "opus");
                case "--transport" -> transport = oneOf(option, value(option, rest), "udp", "tcp", "tls");
                case "--tls-fingerprint" -> tlsFingerprint = fingerprint(option, value(option, rest));
                case "--bind" -> bind = value(option, rest);
                case "--sockets" -> sockets = number(option, rest, 1, 10_000);
                case "--expires" -> expires = number(option, rest, 1, 86_400);
                case "--keepalive" -> keepAlive = Duration.ofSeconds(number(option, rest, 0, 3600));
                case "--uuid-prefix" -> prefix = value(option, rest);
                case "--rtp-port" -> rtpPort = number(option, rest, 1024, 65000);
                case "--user" -> user = value(option, rest);
                case "--password" -> password = value(option, rest);
                case "--duration" -> duration = Duration.ofSeconds(number(option, rest, 1, 10_000_000));
                case "--rate" -> rate = number(option, rest, 1, 1_000_000);
                case "--verbose" -> verbose = true;
                default -> throw new IllegalArgumentException("unknown option " + option + " (--help lists them)");
            }
        }
        NextHop.literal(bind); // an IP literal, or a clear error
        if (serverText != null && discover) throw new IllegalArgumentException("give --server or --discover, not both");
        if (serverText == null && !discover) throw new IllegalArgumentException("give --server ADDR:PORT or --discover");
        if (serverText != null) server = parseServer(serverText, transport);
        if (tlsFingerprint != null && !transport.equals("tls")) throw new IllegalArgumentException("--tls-fingerprint needs --transport tls");
        if (discover && transport.equals("tls")) throw new IllegalArgumentException("--discover finds the udp port; give --server with --transport tls");
        if (user != null && password == null) throw new IllegalArgumentException("--user needs --password");
        if (rtpPort + 2L * (count - 1) > 65534) throw new IllegalArgumentException("--rtp-port " + rtpPort + " leaves no room for " + count + " devices");
        if (sockets < 0) sockets = Math.min(count, 50);
        sockets = Math.min(sockets, count);
        return new SimulatorOptions(server, discover ? (discoverInterface != null ? discoverInterface : bind) : null,
                discoverTimeout, count, role, codec, transport, bind, sockets, expires, keepAlive, prefix, rtpPort, user,
                password, duration, rate, verbose, tlsFingerprint);
    }

    /** A SHA-256 fingerprint: 32 bytes of hex, colons optional. */
    private static String fingerprint(String option, String value) {
        String hex = value.replace(":", "");
        if (!hex.matches("[0-9A-Fa-f]{64}")) {
            throw new IllegalArgumentException(option + " is a SHA-256 fingerprint (64 hex digits, colons optional), got " + value);
        }
        return value;
    }

    static Flow parseServer(String text, String transport) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || text.endsWith("]")) {
            throw new IllegalArgumentException("--server is ADDR:PORT with an IP literal, e.g. 127.0.0.1:5060, got " + text);
        }
        String address = text.substring(0, colon);
        if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server has a bad port: " + text);
        }
        try {
            return NextHop.of(transport, address, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server: " + e.getMessage());
        }
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty() || rest.get(0).startsWith("--")) throw new IllegalArgumentException(option + " needs a value");
        return rest.remove(0);
    }

    private static int number(String option, List<String> rest, int min, int max) {
        String v = value(option, rest);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new IllegalArgumentException(option + " must be " + min + ".." + max + ", got " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got " + v);
        }
    }

    private static String oneOf(String option, String value, String... allowed) {
        String v = value.toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equals(v)) return v;
        throw new IllegalArgumentException(option + " is one of " + String.join(", ", allowed) + ", got " + value);
    }
}
