package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.ConfigYaml;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;

/**
 * Keep-alive with a short interval (2 s) and offline timeout (5 s): a device that answers the server's OPTIONS
 * stays online; one that stops answering goes offline within the timeout ({@code sip:devices} says {@code no},
 * config.yaml {@code enabled: false} with its details kept) and comes back on its next REGISTER. Both devices name
 * {@code gw1.example.net} in their Contact: the pings still reach their sockets, the flow their REGISTER came on.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarKeepAliveIT {
    private static final int INTERVAL = 2;
    private static final int TIMEOUT = 5;

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        return KarafRun.options(
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "keepalive.interval", Integer.toString(INTERVAL)),
                editConfigurationFilePut(KarafRun.REGISTRAR_CFG, "offline.timeout", Integer.toString(TIMEOUT)));
    }

    private SipResponse register(DeviceAgent device, String uuid, int rtpPort) throws Exception {
        int server = KarafRun.sipPort();
        String text = new Register(uuid, server, device.port()).expires(600)
                .contact("<sip:" + uuid + "@gw1.example.net:5060;transport=udp>")
                .sdp(Register.sinkSdp(uuid, rtpPort)).toString();
        return Await.until("200 to the REGISTER of " + uuid, Duration.ofSeconds(30),
                // an unanswered REGISTER is sent again unchanged: a retransmission of the same transaction (a new
                // branch with the same Call-ID and CSeq would rightly be refused as out of order)
                () -> device.exchange(text, server, Duration.ofMillis(500)),
                r -> r != null && r.status() == 200);
    }

    @Test
    public void aSilentDeviceGoesOfflineWithinTheTimeoutAndComesBackOnItsNextRegister() throws Exception {
        KarafShell shell = new KarafShell(sessionFactory);
        Path config = ConfigYaml.inKarafData();
        String alive = UUID.randomUUID().toString();
        String silent = UUID.randomUUID().toString();
        try (DeviceAgent a = new DeviceAgent(); DeviceAgent s = new DeviceAgent()) {
            register(a, alive, 40020);
            register(s, silent, 40022);
            Instant registered = Instant.now();

            // pings arrive at each device's own socket, from the server's port, though the Contact names gw1.example.net
            for (DeviceAgent d : List.of(a, s)) {
                DeviceAgent.Datagram ping = d.awaitPing(registered, Duration.ofSeconds(INTERVAL * 3L));
                assertNotNull("no OPTIONS ping reached 127.0.0.1:" + d.port() + " within " + INTERVAL * 3 + " s", ping);
                assertEquals("ping from the server's SIP port", KarafRun.sipPort(), ping.from().getPort());
                assertTrue(ping.text(), ping.text().startsWith("OPTIONS sip:"));
            }
            String yaml = Await.until("both sinks in config.yaml", Duration.ofSeconds(10), () -> ConfigYaml.read(config),
                    y -> ConfigYaml.byUuid(y, "sinks", silent).isPresent() && ConfigYaml.byUuid(y, "sinks", alive).isPresent());
            Map<String, String> sinkBefore = ConfigYaml.byUuid(yaml, "sinks", silent).orElseThrow();
            assertEquals("true", sinkBefore.get("enabled"));

            Instant quiet = Instant.now();
            s.answerPings(false);
            String row = Await.until(silent + " offline in sip:devices", Duration.ofSeconds(TIMEOUT + 2L * INTERVAL + 4),
                    () -> shell.deviceRow(silent), r -> "no".equals(KarafShell.online(r)));
            long offlineAfter = Duration.between(quiet, Instant.now()).toMillis();
            System.out.println("silent device offline " + offlineAfter + " ms after it stopped answering (timeout " + TIMEOUT
                    + " s, interval " + INTERVAL + " s); pings it got meanwhile: "
                    + s.pings().stream().filter(p -> p.at().isAfter(quiet)).count());
            assertTrue("offline only after " + offlineAfter + " ms", offlineAfter <= (TIMEOUT + INTERVAL + 2) * 1000L);
            assertTrue(row, row.contains("sip:" + silent + "@gw1.example.net"));

            Map<String, String> disabled = Await.until("enabled: false for " + silent + " in config.yaml", Duration.ofSeconds(10),
                    () -> ConfigYaml.byUuid(ConfigYaml.read(config), "sinks", silent).orElse(null), e -> e != null && "false".equals(e.get("enabled")));
            for (String key : List.of("name", "ip", "port", "config_id", "protocol", "sample_rate", "channels")) {
                assertEquals("offline keeps " + key, sinkBefore.get(key), disabled.get(key));
            }

            // the device that answers stayed online all along and is still being pinged
            assertEquals("yes", KarafShell.online(shell.deviceRow(alive)));
            assertNotNull("the answering device is still pinged", a.awaitPing(Instant.now(), Duration.ofSeconds(INTERVAL * 3L)));
            assertEquals("true", ConfigYaml.byUuid(ConfigYaml.read(config), "sinks", alive).orElseThrow().get("enabled"));
            for (DeviceAgent d : List.of(a, s)) {
                for (DeviceAgent.Datagram g : d.received()) {
                    assertEquals("only the server talks to the device", KarafRun.sipPort(), g.from().getPort());
                }
            }

            // back on its next REGISTER
            s.answerPings(true);
            Instant back = Instant.now();
            register(s, silent, 40022);
            Await.until(silent + " online again", Duration.ofSeconds(5), () -> shell.deviceRow(silent), r -> "yes".equals(KarafShell.online(r)));
            Await.until("enabled: true again in config.yaml", Duration.ofSeconds(10),
                    () -> ConfigYaml.byUuid(ConfigYaml.read(config), "sinks", silent).orElse(null), e -> e != null && "true".equals(e.get("enabled")));
            System.out.println("online again and enabled in config.yaml " + Duration.between(back, Instant.now()).toMillis() + " ms after its REGISTER");
        }
    }
}
