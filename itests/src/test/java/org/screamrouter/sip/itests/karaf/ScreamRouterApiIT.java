package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.screamrouter.sip.itests.Await;
import org.screamrouter.sip.itests.Ports;
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.ConfigYaml;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;

/**
 * {@code screamrouter.url} set: a device that registers with a role reaches the running ScreamRouter as a
 * {@code POST /sinks}, and config.yaml is left alone. ScreamRouter's API is stood in for by a minimal HTTP server in
 * the test (the real ScreamRouter cannot run here: its C++ audio engine is not built, and pydantic v2 and FastAPI are
 * not available); it answers {@code GET /sinks} with the sinks it was given and {@code POST /sinks} with
 * {@code true}, as ScreamRouter does. It is a plain socket server: the test runs inside Karaf, where
 * {@code com.sun.net.httpserver} is not exported. Its port is chosen when the container is configured.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScreamRouterApiIT {
    private static final String CONFIG_CFG = "etc/org.screamrouter.sip.config.cfg";

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        String port = Integer.toString(Ports.free());
        return KarafRun.options(
                editConfigurationFilePut(CONFIG_CFG, "screamrouter.url", "http://127.0.0.1:" + port),
                editConfigurationFilePut(CONFIG_CFG, "screamrouter.probe.interval.ms", "500"),
                editConfigurationFilePut(CONFIG_CFG, "screamrouter.backoff.ms", "100"),
                systemProperty("itest.screamrouter.port").value(port));
    }

    /** One request: method, path, body. */
    record Request(String method, String path, String body) {}

    /** ScreamRouter's sink routes, just enough: GET /sinks lists what was POSTed, POST /sinks answers true. */
    static final class MiniScreamRouter implements AutoCloseable {
        final List<Request> requests = new CopyOnWriteArrayList<>();
        final List<String> sinks = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final Thread thread;

        MiniScreamRouter(int port) throws IOException {
            server = new ServerSocket(port, 16, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "mini-screamrouter");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(5000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    String[] line = in.readLine().split(" ");
                    int length = 0;
                    for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                        if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(h.substring(15).trim());
                        }
                    }
                    char[] body = new char[length];
                    for (int n = 0; n < length; ) {
                        int r = in.read(body, n, length - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    Request req = new Request(line[0], line[1], new String(body));
                    requests.add(req);
                    String answer;
                    int status = 200;
                    if (req.method().equals("GET") && (req.path().equals("/sinks") || req.path().equals("/sources"))) {
                        answer = req.path().equals("/sinks") ? "[" + String.join(",", sinks) + "]" : "[]";
                    } else if (req.method().equals("POST") && req.path().equals("/sinks")) {
                        sinks.add(req.body());
                        answer = "true";
                    } else {
                        status = 404;
                        answer = "{\"detail\":\"Not Found\"}";
                    }
                    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    if (!server.isClosed()) {
                        System.err.println("mini ScreamRouter: " + e);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    public void aDeviceWithARoleIsPostedToScreamRouterAndNotWrittenToTheFile() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        Path config = ConfigYaml.inKarafData();
        String uuid = UUID.randomUUID().toString();
        int port = Integer.getInteger("itest.screamrouter.port");
        try (MiniScreamRouter screamRouter = new MiniScreamRouter(port); DeviceAgent device = new DeviceAgent()) {
            int server = KarafRun.sipPort();
            String register = new Register(uuid, server, device.port()).expires(600).sdp(Register.sinkSdp(uuid, 40030)).toString();
            Await.until("200 to the REGISTER", Duration.ofSeconds(30), () -> device.exchange(register, server, Duration.ofMillis(500)),
                    (SipResponse r) -> r != null && r.status() == 200);

            Request post = Await.until("POST /sinks for " + uuid, Duration.ofSeconds(30),
                    () -> screamRouter.requests.stream().filter(r -> r.method().equals("POST")).findFirst().orElse(null), r -> r != null);
            System.out.println("ScreamRouter got: " + post);
            assertEquals("/sinks", post.path());
            assertTrue(post.body(), post.body().contains("\"name\":\"sink_" + uuid.substring(0, 8) + "\""));
            assertTrue(post.body(), post.body().contains("\"port\":40030"));
            assertTrue(post.body(), post.body().contains("\"enabled\":true"));
            String configId = ConfigYaml.configId(config, "sinks", uuid).orElseThrow();
            assertTrue(post.body(), post.body().contains("\"config_id\":\"" + configId + "\""));

            // the API took the change: config.yaml is left to ScreamRouter
            String yaml = Files.exists(config) ? Files.readString(config) : "";
            assertFalse(yaml, yaml.contains(configId));
            String status = Await.until("sip:config shows the push", Duration.ofSeconds(10), () -> shell.run("sip:config"),
                    s -> s.matches("(?s).*API pushes +[1-9][0-9]* accepted.*"));
            assertTrue(status, status.contains("http://127.0.0.1:" + port + " up"));
        }
    }
}
