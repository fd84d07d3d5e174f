package org.screamrouter.sip.whep.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.Configs;

/**
 * The WHEP servlet's origin check ({@code cors.allowed.origins}, the shared {@code OriginPolicy}) on a real Jetty (Felix
 * HTTP's) on loopback, over real HTTP. Only OPTIONS and POST requests that the check decides before the audio engine is
 * asked anything: the engine is not there.
 */
class WhepServletOriginTest {
    private Server server;
    private WhepServlet servlet;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private int start(Map<String, Object> settings) throws Exception {
        servlet = new WhepServlet();
        servlet.modified(config(settings));
        server = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), WhepServlet.PREFIX + "/*");
        server.setHandler(context);
        server.start();
        return ((org.eclipse.jetty.server.ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.stop();
    }

    private HttpResponse<String> send(int port, String method, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + WhepServlet.PREFIX + "/kitchen"))
                .timeout(Duration.ofSeconds(5)).method(method, HttpRequest.BodyPublishers.ofString(""));
        if (origin != null) b.header("Origin", origin);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void byDefaultTheListenPageOfThisMachineAndClientsWithoutOriginPassAndOtherPagesGet403() throws Exception {
        int port = start(Map.of());
        // the listen page is served by the same server: a same-origin fetch sends the server's own origin
        HttpResponse<String> own = send(port, "OPTIONS", "http://127.0.0.1:" + port);
        assertThat(own.statusCode()).isEqualTo(204);
        assertThat(send(port, "OPTIONS", null).statusCode()).as("not a browser").isEqualTo(204);
        HttpResponse<String> evil = send(port, "OPTIONS", "http://evil.example");
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.body()).contains("http://evil.example").contains("cors.allowed.origins: self");
        assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        // refused before the engine is asked: a POST offer from that page gets the same 403, not 415 or 404
        assertThat(send(port, "POST", "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(send(port, "OPTIONS", "null").statusCode()).as("an opaque origin").isEqualTo(403);
    }

    @Test
    void aListedOriginGetsTheCorsHeadersAndAnotherPortOfItDoesNot() throws Exception {
        int port = start(Map.of("cors_allowed_origins", "self, https://ui.example.lan:8443"));
        HttpResponse<String> listed = send(port, "OPTIONS", "https://ui.example.lan:8443");
        assertThat(listed.statusCode()).isEqualTo(204);
        assertThat(listed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://ui.example.lan:8443");
        assertThat(listed.headers().firstValue("Access-Control-Expose-Headers")).contains("Location");
        assertThat(send(port, "OPTIONS", "https://ui.example.lan:8444").statusCode()).isEqualTo(403);
        // the setting changes live
        servlet.modified(config(Map.of("cors_allowed_origins", "*")));
        assertThat(send(port, "OPTIONS", "http://evil.example").statusCode()).isEqualTo(204);
    }

    private static WhepConfig config(Map<String, Object> values) {
        return Configs.of(WhepConfig.class, values);
    }
}
