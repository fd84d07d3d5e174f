package org.screamrouter.sip.client.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.screamrouter.sip.client.Content;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.NextHop;
import org.screamrouter.sip.client.RegistrationState;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.standalone.SipClients;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.standalone.StackSettings;

/**
 * N ScreamRouter devices on a few local SIP sockets: each registers {@code sip:<uuid>@<server>} with its SDP
 * through a managed registration (refreshed at 85% of the granted expiry), answers the router's OPTIONS pings
 * (the stack's 200 to OPTIONS), sends its own OPTIONS keep-alives, and unregisters when closed. It prints a
 * progress line per second while devices are still registering and one line per state change with --verbose.
 */
public final class DeviceSimulator implements AutoCloseable {
    private final SimulatorOptions options;
    private final Flow server;
    private final PrintStream out;
    private final List<StandaloneSipClient> clients = new ArrayList<>();
    private final Map<String, ManagedRegistration> registrations = new ConcurrentHashMap<>();
    private final Map<String, RegistrationState.Phase> phases = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulator-keepalive");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean closed = new AtomicBoolean();

    DeviceSimulator(SimulatorOptions options, Flow server, PrintStream out) {
        this.options = options;
        this.server = server;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.print(SimulatorOptions.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        SimulatorOptions options;
        try {
            options = SimulatorOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("screamrouter-sim: " + e.getMessage());
            return 2;
        }
        Flow server = options.server();
        if (server == null) {
            out.println("browsing " + Discovery.SERVICE_TYPE + " on " + options.discoverInterface() + " ...");
            try {
                server = Discovery.find(options.discoverInterface(), options.transport(), options.discoverTimeout()).orElse(null);
            } catch (Exception e) {
                err.println("screamrouter-sim: mDNS browsing on " + options.discoverInterface() + " failed: " + e);
                return 1;
            }
            if (server == null) {
                err.println("screamrouter-sim: no router announced on " + options.discoverInterface() + " within "
                        + options.discoverTimeout().toSeconds() + " s");
                return 1;
            }
            out.println("found the router at " + server);
        }
        DeviceSimulator simulator = new DeviceSimulator(options, server, out);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            simulator.close();
        }, "simulator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            simulator.start();
            long deadline = options.duration() == null ? Long.MAX_VALUE : System.nanoTime() + options.duration().toNanos();
            int lastReported = -1;
            while (System.nanoTime() < deadline && !stop.await(1, TimeUnit.SECONDS)) {
                int registered = simulator.registered();
                if (registered != lastReported) {
                    out.println("registered " + registered + "/" + options.count());
                    lastReported = registered;
                }
            }
            int registered = simulator.registered();
            if (stop.getCount() == 0) return registered == options.count() ? 0 : 1; // the hook closes it
            Runtime.getRuntime().removeShutdownHook(hook);
            simulator.close();
            return registered == options.count() ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("screamrouter-sim: " + e.getMessage());
            simulator.close();
            return 1;
        }
    }

    /** Opens the sockets and starts every device's registration; returns at once. */
    void start() {
        int udp = options.transport().equals("udp") ? 0 : -1;
        int tcp = options.transport().equals("tcp") ? 0 : -1;
        StackSettings.Tls tls = !options.transport().equals("tls") ? null
                : options.tlsFingerprint() != null ? StackSettings.Tls.pinned(options.tlsFingerprint())
                : new StackSettings.Tls(0, null, null, null, null);
        for (int i = 0; i < options.sockets(); i++) {
            clients.add(SipClients.standalone(new StackSettings(options.bindAddress(), udp, tcp, "ScreamRouter-Sim/1.0", tls)));
        }
        out.println("simulating " + options.count() + " " + options.role() + "s against " + server + " from "
                + options.sockets() + " socket(s) on " + options.bindAddress());
        for (int i = 0; i < options.count(); i++) {
            int index = i;
            timer.schedule(() -> startDevice(index), pace(i), TimeUnit.MILLISECONDS);
        }
    }

    /** When the i-th REGISTER (or unregister) starts, at --rate per second. */
    private long pace(int i) {
        return i * 1000L / options.rate();
    }

    private void startDevice(int i) {
        if (closed.get()) return;
        DeviceProfile device = DeviceProfile.of(options, i);
        StandaloneSipClient client = clients.get(i % clients.size());
        ListeningPoint local = client.stack().listeningPoint(options.transport());
        String host = NextHop.literal(options.bindAddress()) instanceof java.net.Inet6Address
                ? "[" + options.bindAddress() + "]" : options.bindAddress();
        String contact = "<sip:" + device.uuid() + "@" + host + ":" + local.port() + ";transport=" + options.transport() + ">";
        String aor = "sip:" + device.uuid() + "@" + SipClient.uriHost(server).replaceFirst(":\\d+$", "");
        Credentials credentials = options.password() == null ? null
                : Credentials.password(options.user() == null ? device.uuid() : options.user().replace("{uuid}", device.uuid()),
                options.password());
        ManagedRegistration registration = client.manage(server, aor, contact, options.expires(), credentials,
                Content.sdp(device.sdp()));
        registrations.put(device.uuid(), registration);
        registration.onChange(state -> {
            RegistrationState.Phase before = phases.put(device.uuid(), state.phase());
            if (options.verbose() && before != state.phase()) {
                out.println(device.uuid() + " " + state.phase()
                        + (state.lastReply() != null && state.phase() == RegistrationState.Phase.FAILED ? " " + state.lastReply() : "")
                        + (state.failure() != null && state.lastReply() == null ? " " + state.failure() : ""));
            }
        });
        if (!options.keepAlive().isZero()) {
            long period = options.keepAlive().toMillis();
            timer.scheduleAtFixedRate(() -> keepAlive(client, device), period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void keepAlive(SipClient client, DeviceProfile device) {
        if (phases.get(device.uuid()) != RegistrationState.Phase.REGISTERED) return;
        String host = SipClient.uriHost(server);
        client.options(server, "sip:" + host, "sip:" + device.uuid() + "@" + host.replaceFirst(":\\d+$", ""),
                Duration.ofSeconds(5));
    }

    /** Devices whose registration is granted now. */
    int registered() {
        return (int) phases.values().stream().filter(p -> p == RegistrationState.Phase.REGISTERED
                || p == RegistrationState.Phase.REFRESHING).count();
    }

    /**
     * Unregisters every device at --rate per second, waits up to 30 s for the last answers, and frees the
     * sockets.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        timer.shutdownNow();
        List<CompletableFuture<SipReply>> pending = new ArrayList<>();
        long start = System.nanoTime();
        int i = 0;
        for (ManagedRegistration r : registrations.values()) {
            long wait = pace(i++) - (System.nanoTime() - start) / 1_000_000;
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            pending.add(r.unregister().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // counted below
        }
        long ok = pending.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join() != null && f.join().isSuccess()).count();
        if (ok == pending.size()) {
            out.println("unregistered " + ok + " device(s)");
        } else {
            String example = pending.stream().filter(f -> !(f.isDone() && !f.isCompletedExceptionally() && f.join() != null && f.join().isSuccess()))
                    .findFirst().map(f -> !f.isDone() ? "no answer within 30 s"
                            : f.isCompletedExceptionally() ? f.handle((v, e) -> String.valueOf(e)).join() : String.valueOf(f.join()))
                    .orElse("");
            out.println("unregistered " + ok + " of " + pending.size() + " device(s); first failure: " + example);
        }
        // JAIN-SIP sleeps about a second while a stack stops: close them side by side
        List<Thread> closing = new ArrayList<>();
        for (StandaloneSipClient c : clients) {
            Thread t = new Thread(c::close, "simulator-close");
            t.start();
            closing.add(t);
        }
        for (Thread t : closing) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
