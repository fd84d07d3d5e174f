package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.screamrouter.sip.itests.support.Baresip;
import org.screamrouter.sip.itests.support.CallPeer;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Tools;

/**
 * baresip, a real user agent, calls a sink of the distribution with a plain RTP offer (G.711): the call is established
 * ({@code CALL_ESTABLISHED}), baresip receives the sink's RTP ({@code CALL_RTPESTAB}), and its hang-up ends the call
 * on the server ({@code CALL_CLOSED}, nothing left in {@code sip:calls}). baresip is driven through its
 * {@code ctrl_tcp} module (netstring JSON commands and events) on 127.0.0.1.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CallsPeersIT {
    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() throws IOException {
        Path dir = Path.of(System.getProperty("itest.target"), "calls-peers-it");
        Files.createDirectories(dir);
        Path yaml = dir.resolve("config.yaml");
        Files.writeString(yaml, "sinks:\n- name: kitchen\n  ip: 127.0.0.1\n  port: 4010\n  enabled: true\nsources: []\n",
                StandardCharsets.UTF_8);
        return KarafRun.options(
                editConfigurationFilePut("etc/org.screamrouter.sip.config.cfg", "path", yaml.toString()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "sinks", "kitchen:" + Ports.free()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "input.address", "127.0.0.1"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.name", "org.screamrouter"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.screamrouter.level", "INFO"));
    }

    /** baresip's ctrl_tcp: netstrings ({@code <length>:<json>,}) both ways. */
    private static final class Control implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final List<String> events = new ArrayList<>();

        Control(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void command(String command, String params) throws IOException {
            String json = "{\"command\":\"" + command + "\",\"params\":\"" + params + "\",\"token\":\"t1\"}";
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            out.write((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write(',');
            out.flush();
        }

        /** Reads messages until one contains {@code text}; every message read is kept. */
        String await(String text, Duration within) throws IOException {
            for (String e : events) if (e.contains(text)) return e;
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                String message;
                try {
                    message = next();
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
                if (message == null) break;
                events.add(message);
                if (message.contains(text)) return message;
            }
            return null;
        }

        private String next() throws IOException {
            int length = 0;
            int c;
            while ((c = in.read()) != ':') {
                if (c < 0) return null;
                if (c >= '0' && c <= '9') length = length * 10 + (c - '0');
            }
            byte[] body = in.readNBytes(length);
            in.read(); // ','
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Until a test-side INVITE is answered 200 (then hung up): the calls service, the bridge and the sink are up. */
    private static void awaitCallsService(int server) throws Exception {
        try (CallPeer peer = CallPeer.udp(server); java.net.DatagramSocket media = CallPeer.mediaSocket()) {
            CallPeer.Dialog d = Await.until("the calls service answers", Duration.ofSeconds(60), () -> {
                CallPeer.Dialog attempt = peer.dialog("kitchen");
                peer.send(attempt.invite(CallPeer.rtpOffer(media.getLocalPort(), "0", "0 PCMU/8000")));
                CallPeer.Message answer = peer.finalResponse(attempt.callId, "INVITE", Duration.ofSeconds(5));
                if (answer == null) return null;
                attempt.toTag = answer.tag("to");
                peer.send(attempt.ack(answer.status() == 200));
                return answer.status() == 200 ? attempt : null;
            }, a -> a != null);
            peer.send(d.bye());
            assertNotNull("200 to the probe's BYE", peer.response(d.callId, "BYE", 200, Duration.ofSeconds(5)));
        }
    }

    @Test
    public void baresipCallsASinkReceivesRtpAndHangsUp() throws Exception {
        String baresip = Tools.require("baresip", "baresip");
        int server = KarafRun.sipPort();
        int listen = Ports.free();
        int control = Ports.free();
        Path dir = Files.createTempDirectory("baresip-call");
        Baresip.config(dir, listen, "rtp_ports " + (30000 + listen % 10000) + "-" + (30100 + listen % 10000), "ctrl_tcp_listen 127.0.0.1:" + control, "module ctrl_tcp.so", "module menu.so", "module_app account.so");
        // an account without registration: it only places the call
        Files.writeString(dir.resolve("accounts"), "<sip:caller@127.0.0.1>;regint=0\n");
        KarafShell shell = new KarafShell(sessionFactory);
        Process process = new ProcessBuilder(baresip, "-f", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("baresip.log").toFile()).start();
        try {
            try (Control ctrl = Await.until("baresip's ctrl_tcp on " + control, Duration.ofSeconds(20), () -> new Control(control), c -> c != null)) {
                awaitCallsService(server);
                ctrl.command("dial", "sip:kitchen@127.0.0.1:" + server);
                assertNotNull("CALL_ESTABLISHED; events: " + ctrl.events, ctrl.await("CALL_ESTABLISHED", Duration.ofSeconds(15)));
                assertNotNull("CALL_RTPESTAB (RTP from the sink received); events: " + ctrl.events,
                        ctrl.await("CALL_RTPESTAB", Duration.ofSeconds(10)));
                String table = Await.until("the call in sip:calls", Duration.ofSeconds(5), () -> shell.run("sip:calls"),
                        t -> t.contains("kitchen") && t.contains("CONFIRMED"));
                assertTrue(table, table.contains("RTP"));
                ctrl.command("hangup", "");
                assertNotNull("CALL_CLOSED; events: " + ctrl.events, ctrl.await("CALL_CLOSED", Duration.ofSeconds(10)));
                Await.until("no call left in sip:calls (events: " + ctrl.events + ")", Duration.ofSeconds(10), () -> shell.run("sip:calls"),
                        t -> !t.contains("kitchen"));
            }
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nbaresip log:\n" + Files.readString(dir.resolve("baresip.log")), e);
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Baresip.delete(dir);
        }
    }

    /**
     * baresip over TLS (issue 14): its account is {@code ;transport=tls} to the server's TLS port and it trusts the
     * server's generated self-signed certificate as its CA file ({@code sip_cafile}), as a user following docs/tls.md
     * would. It registers (the binding's transport is tls, the flow is the TLS connection), calls a sink over the same
     * connection, receives the sink's RTP and hangs up.
     */
    @Test
    public void baresipRegistersAndCallsASinkOverTls() throws Exception {
        String baresip = Tools.require("baresip", "baresip");
        int tls = KarafRun.tlsPort();
        int listen = Ports.free();
        int control = Ports.free();
        Path cert = Path.of(System.getProperty("karaf.etc"), "sip-tls.crt");
        KarafShell shell = new KarafShell(sessionFactory);
        Await.until("the TLS listening point in sip:status", Duration.ofSeconds(30), () -> shell.run("sip:status"),
                t -> t.contains("tls") && t.contains(Integer.toString(tls)));
        assertTrue("the generated certificate " + cert, Files.isRegularFile(cert));
        String user = java.util.UUID.randomUUID().toString();
        Path dir = Files.createTempDirectory("baresip-tls");
        Baresip.config(dir, listen, "sip_cafile " + cert, "rtp_ports " + (31000 + listen % 10000) + "-" + (31100 + listen % 10000),
                "ctrl_tcp_listen 127.0.0.1:" + control, "module ctrl_tcp.so", "module menu.so", "module_app account.so");
        Files.writeString(dir.resolve("accounts"), "<sip:" + user + "@127.0.0.1:" + tls + ";transport=tls>;regint=300\n");
        Process process = new ProcessBuilder(baresip, "-f", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("baresip.log").toFile()).start();
        try {
            try (Control ctrl = Await.until("baresip's ctrl_tcp on " + control, Duration.ofSeconds(20), () -> new Control(control), c -> c != null)) {
                String row = Await.until(user + " online in sip:devices", Duration.ofSeconds(30), () -> shell.deviceRow(user),
                        r -> r != null && "yes".equals(KarafShell.online(r)));
                System.out.println("baresip over TLS: " + row.replaceAll("\\s+", " "));
                assertTrue(row, row.contains("tls"));
                awaitCallsService(KarafRun.sipPort());
                // baresip 1.0's dial takes no sips: URI (it makes it sip:sips:...): the call is sip: with transport=tls
                ctrl.command("dial", "sip:kitchen@127.0.0.1:" + tls + ";transport=tls");
                assertNotNull("CALL_ESTABLISHED; events: " + ctrl.events, ctrl.await("CALL_ESTABLISHED", Duration.ofSeconds(15)));
                assertNotNull("CALL_RTPESTAB; events: " + ctrl.events, ctrl.await("CALL_RTPESTAB", Duration.ofSeconds(10)));
                ctrl.command("hangup", "");
                assertNotNull("CALL_CLOSED; events: " + ctrl.events, ctrl.await("CALL_CLOSED", Duration.ofSeconds(10)));
                Await.until("no call left in sip:calls", Duration.ofSeconds(10), () -> shell.run("sip:calls"), t -> !t.contains("kitchen"));
            }
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nbaresip log:\n" + Files.readString(dir.resolve("baresip.log")), e);
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Baresip.delete(dir);
        }
    }
}
