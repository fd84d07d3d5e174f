package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.screamrouter.sip.itests.Await;

/**
 * Runs a browser test with the distribution's SIP stack and HTTP server listening on a {@link VethNamespace}'s host-side
 * address (re-bound live with {@code config:property-set}, back to 127.0.0.1 afterwards) and a 440 Hz {@link ScreamTone}
 * sent into a sink's Scream port: libwebrtc, the server's and Chromium's, ignores loopback, so a browser that receives
 * WebRTC audio runs inside the namespace. Needs root.
 */
public final class ServerOnVeth {
    /** What runs while the server listens on the namespace's host side. */
    public interface Body {
        void run(VethNamespace ns, KarafShell shell) throws Exception;
    }

    private ServerOnVeth() {
    }

    /**
     * Makes the namespace {@code <name>-<random>}, starts the tone into {@code screamPort}, re-binds the server, waits
     * until {@code readyPath} answers 200 on the new address, runs {@code body}, and undoes all of it.
     */
    public static void run(SessionFactory sessions, String name, int screamPort, String readyPath, Body body) throws Exception {
        KarafShell shell = new KarafShell(sessions);
        try (VethNamespace ns = VethNamespace.create(name); ScreamTone tone = new ScreamTone(screamPort)) {
            String serverIp = ns.serverIp();
            try {
                shell.run("config:property-set -p org.screamrouter.sip.stack bind.address " + serverIp);
                shell.run("config:property-set -p org.apache.felix.http org.apache.felix.http.host " + serverIp);
                Await.until("the stack on " + serverIp, Duration.ofSeconds(30), () -> shell.run("sip:status"), s -> s.contains(serverIp));
                Await.until("HTTP on " + serverIp, Duration.ofSeconds(30), () -> get(baseUrl(ns) + readyPath), c -> c == 200);
                body.run(ns, shell);
            } finally {
                shell.run("config:property-set -p org.screamrouter.sip.stack bind.address 127.0.0.1");
                shell.run("config:property-set -p org.apache.felix.http org.apache.felix.http.host 127.0.0.1");
            }
        }
    }

    /** {@code http://<host side>:<itest.http.port>}. */
    public static String baseUrl(VethNamespace ns) {
        return "http://" + ns.serverIp() + ":" + Integer.getInteger("itest.http.port");
    }

    /** The status of a GET, -1 when it cannot be sent. */
    public static int get(String url) {
        try {
            return HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
