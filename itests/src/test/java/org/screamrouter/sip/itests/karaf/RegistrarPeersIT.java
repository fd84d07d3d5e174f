package org.screamrouter.sip.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.screamrouter.sip.itests.SipResponse;
import org.screamrouter.sip.itests.support.Baresip;
import org.screamrouter.sip.itests.support.ConfigYaml;
import org.screamrouter.sip.itests.support.DeviceAgent;
import org.screamrouter.sip.itests.support.KarafRun;
import org.screamrouter.sip.itests.support.KarafShell;
import org.screamrouter.sip.itests.support.Register;
import org.screamrouter.sip.itests.support.Tools;

/**
 * Real peers register with the Karaf distribution: sipsak and baresip (a real UA) show in {@code sip:devices}; a
 * device that declares a role in the SDP of its REGISTER becomes a sink entry of ScreamRouter's config.yaml, and
 * a device without a role (sipsak, baresip: no ScreamRouter SDP) becomes a sink entry too.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistrarPeersIT {
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @Inject
    private SessionFactory sessionFactory;

    @Configuration
    public Option[] config() {
        return KarafRun.options();
    }

    private KarafShell shell() {
        return new KarafShell(sessionFactory);
    }

    private void awaitStack() throws Exception {
        try (DeviceAgent probe = new DeviceAgent()) {
            Await.until("the registrar answers on udp " + KarafRun.sipPort(), SETTLE,
                    () -> probe.exchange(new Register("probe-" + UUID.randomUUID(), KarafRun.sipPort(), probe.port()).expires(60).toString(),
                            KarafRun.sipPort(), Duration.ofMillis(500)),
                    r -> r != null && r.status() == 200);
        }
    }

    @Test
    public void sipsakRegistersAndAppearsInSipDevicesAndConfigYaml() throws Exception {
        String sipsak = Tools.require("sipsak", "sipsak");
        awaitStack();
        String uuid = UUID.randomUUID().toString();
        int port = KarafRun.sipPort();
        List<String> command = List.of(sipsak, "-U", "-C", "sip:" + uuid + "@127.0.0.1:5999", "-s", "sip:" + uuid + "@127.0.0.1:" + port,
                "-x", "300", "-i");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("sipsak did not finish within 20 s: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("sipsak exit code (0 = 2xx) for " + command + ":\n" + output, 0, process.exitValue());

        String row = Await.until(uuid + " in sip:devices", Duration.ofSeconds(10), () -> shell().deviceRow(uuid), r -> r != null);
        assertTrue(row, row.contains("sip:" + uuid + "@127.0.0.1:5999"));
        assertEquals(row, "yes", KarafShell.online(row));
        // no role declared (a=x-screamrouter-role): registered, but not written to config.yaml (issue 12 item 6)
        assertNoEntryInConfigYaml(uuid);
    }

    /** A device without a declared role gets no entry: after the write window (500 ms) and more, none is there. */
    private static void assertNoEntryInConfigYaml(String uuid) throws Exception {
        Thread.sleep(2000); // an absence: give a (wrong) write the time to happen
        Path file = ConfigYaml.inKarafData();
        for (String section : new String[] {"sinks", "sources"}) {
            assertTrue(uuid + " has no " + section + " entry", ConfigYaml.configId(file, section, uuid).isEmpty());
            assertTrue(uuid + " is not named in " + section, ConfigYaml.entries(ConfigYaml.read(file), section).stream()
                    .noneMatch(e -> e.getOrDefault("name", "").endsWith(uuid.substring(0, 8))));
        }
    }

    @Test
    public void baresipRegistersAndAppearsInSipDevicesAndConfigYaml() throws Exception {
        String baresip = Tools.require("baresip", "baresip");
        awaitStack();
        String uuid = UUID.randomUUID().toString();
        int server = KarafRun.sipPort();
        int listen = Ports.free();
        Path dir = Files.createTempDirectory("baresip");
        Baresip.config(dir, listen, "module_tmp account.so");
        Files.writeString(dir.resolve("accounts"), "<sip:" + uuid + "@127.0.0.1:" + server + ";transport=udp>;regint=300\n");
        Process process = new ProcessBuilder(baresip, "-f", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("baresip.log").toFile()).start();
        try {
            String row = Await.until("baresip " + uuid + " online in sip:devices", SETTLE, () -> shell().deviceRow(uuid),
                    r -> r != null && "yes".equals(KarafShell.online(r)));
            System.out.println("baresip: " + row.replaceAll("\\s+", " "));
            // baresip adds a suffix of its own to the user part of its Contact (sip:<user>-0x...@host:port)
            assertTrue(row, row.contains("sip:" + uuid) && row.contains("@127.0.0.1:" + listen));
            assertTrue(row, row.contains("udp"));
            assertTrue("baresip is still running", process.isAlive());
            assertNoEntryInConfigYaml(uuid); // baresip declares no role
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nbaresip log:\n" + Files.readString(dir.resolve("baresip.log")), e);
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Baresip.delete(dir);
        }
    }

    @Test
    public void aSinkDeclaredInTheRegisterSdpBecomesAConfigYamlEntry() throws Exception {
        awaitStack();
        String uuid = UUID.randomUUID().toString();
        int server = KarafRun.sipPort();
        try (DeviceAgent device = new DeviceAgent()) {
            String register = new Register(uuid, server, device.port()).expires(600).sdp(Register.sinkSdp(uuid, 40010)).toString();
            SipResponse ok = device.exchange(register, server, Duration.ofSeconds(3));
            assertNotNull("no answer to the REGISTER with SDP", ok);
            assertEquals(ok.toString(), 200, ok.status());

            Path file = ConfigYaml.inKarafData();
            Map<String, String> entry = Await.until("sink " + uuid + " in " + file, Duration.ofSeconds(10),
                    () -> ConfigYaml.byUuid(ConfigYaml.read(file), "sinks", uuid).orElse(null), e -> e != null);
            System.out.println("config.yaml entry: " + entry);
            assertEquals(entry.toString(), "sink_" + uuid.substring(0, 8), entry.get("name"));
            assertEquals(entry.toString(), "127.0.0.1", entry.get("ip"));
            assertEquals(entry.toString(), "40010", entry.get("port"));
            assertEquals(entry.toString(), "rtp", entry.get("protocol"));
            assertEquals(entry.toString(), "stereo", entry.get("channel_layout"));
            assertTrue(entry.toString(), entry.get("config_id").matches("[0-9a-f-]{36}"));
            assertNull("no key pydantic would drop: " + entry, entry.get("protocol_type"));
            assertEquals(entry.toString(), "true", entry.get("enabled"));
            assertEquals(entry.toString(), "48000", entry.get("sample_rate"));
            assertEquals(entry.toString(), "2", entry.get("channels"));
            assertEquals(entry.toString(), "16", entry.get("bit_depth"));
            assertTrue("the device is not in sources too", ConfigYaml.byUuid(ConfigYaml.read(file), "sources", uuid).isEmpty());

            String row = shell().deviceRow(uuid);
            assertNotNull("not in sip:devices", row);
            assertTrue(row, row.contains("sink"));
        }
    }
}
