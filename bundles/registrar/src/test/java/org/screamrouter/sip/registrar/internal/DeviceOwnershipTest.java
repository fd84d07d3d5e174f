package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sip.message.Response;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * Issue 13, items 2 and 6 (docs/security.md, "Registrar: device ownership and signs of life"): a device UUID
 * belongs to the address-of-record that first registered it and, with authentication off, to the IP address of its
 * binding; a REGISTER from anyone else that names it, refreshes or removes its binding gets 403 and changes nothing.
 * Only the device's own flow keeps it online.
 */
class DeviceOwnershipTest extends StartedRegistrar {
    private static final String VICTIM = "5f7c1a2e-0000-4000-8000-00000000000a";
    private static final String VICTIM_IP = "127.0.0.10";
    private static final int VICTIM_PORT = 40000;
    private static final String ATTACKER_IP = "127.0.0.66";
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.10\r\ns=-\r\nc=IN IP4 127.0.0.10\r\nt=0 0\r\n"
            + "a=x-screamrouter-role:sink\r\na=x-screamrouter-uuid:" + VICTIM + "\r\n"
            + "m=audio 4010 RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\na=recvonly\r\n";

    private int cseq;

    /** A REGISTER To {@code to}, From {@code from}, with a fresh Call-ID and branch each time. */
    private String register(String to, String from, String contact, int expires, String body) {
        int n = ++cseq;
        StringBuilder sb = new StringBuilder("REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKo" + n + "\n"
                + "Max-Forwards: 70\nTo: <" + to + ">\nFrom: <" + from + ">;tag=t" + n + "\n"
                + "Call-ID: own-" + n + "\nCSeq: 1 REGISTER\nContact: " + contact + "\nExpires: " + expires + "\n");
        if (body != null) {
            return sb.append("Content-Type: application/sdp\nContent-Length: ").append(body.length()).append("\n\n").append(body).toString();
        }
        return sb.append("Content-Length: 0\n\n").toString();
    }

    private Response send(String raw, String ip, int port) throws Exception {
        FakeExchange exchange = new FakeExchange(raw.replace("\r\n", "\n"), ip, port);
        registrar.handle(exchange);
        assertThat(exchange.responses).hasSize(1);
        return exchange.last();
    }

    /** The victim: a ScreamRouter sink registering To the router from 127.0.0.10:40000 (filed under sip:<uuid>@screamrouter.local). */
    private Device registerVictim() throws Exception {
        Response ok = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + VICTIM_IP,
                "<sip:" + VICTIM + "@" + VICTIM_IP + ":5999>", 300, SDP), VICTIM_IP, VICTIM_PORT);
        assertThat(ok.getStatusCode()).isEqualTo(200);
        h.events.clear();
        return registrar.device(VICTIM).orElseThrow();
    }

    private void assertUnchanged(Device before, List<Binding> bindingsBefore) {
        assertThat(registrar.device(VICTIM)).contains(before);
        assertThat(registrar.bindings()).containsExactlyElementsOf(bindingsBefore);
        assertThat(h.topics()).as("no device event").isEmpty();
    }

    @Test
    void aUuidNamedInTheFromOfAnotherAorIsRefusedWith403AndNothingChanges() throws Exception {
        Device before = registerVictim();
        List<Binding> bindings = registrar.bindings();

        Response r = send(register("sip:mallory@screamrouter.local", "sip:" + VICTIM + "@screamrouter.local",
                "<sip:mallory@" + ATTACKER_IP + ":5060>", 300, null), ATTACKER_IP, 41000);

        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (device UUID belongs to another address-of-record)");
        assertUnchanged(before, bindings);
    }

    @Test
    void theSameAorFromAnotherIpWithAuthenticationOffIsRefused() throws Exception {
        Device before = registerVictim();
        List<Binding> bindings = registrar.bindings();

        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP,
                "<sip:" + VICTIM + "@" + ATTACKER_IP + ":5999>", 300, null), ATTACKER_IP, 41000);

        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (device UUID registered from another address)");
        assertUnchanged(before, bindings);
    }

    @Test
    void theDeviceItselfFromAnotherPortOfTheSameIpStillRegisters() throws Exception {
        registerVictim();
        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + VICTIM_IP,
                "<sip:" + VICTIM + "@" + VICTIM_IP + ":6000>", 300, null), VICTIM_IP, 40001);
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(registrar.device(VICTIM).orElseThrow().source().getPort()).isEqualTo(40001);
    }

    @Test
    void contactStarFromAnotherIpIsRefusedAndTheDeviceStaysRegistered() throws Exception {
        Device before = registerVictim();
        List<Binding> bindings = registrar.bindings();

        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP, "*", 0, null),
                ATTACKER_IP, 41000);

        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (device UUID registered from another address)");
        assertUnchanged(before, bindings);
    }

    @Test
    void contactStarOnTheDevicesAorByAnotherUuidIsRefused() throws Exception {
        Device before = registerVictim();
        List<Binding> bindings = registrar.bindings();

        Response r = send(register("sip:" + VICTIM + "@screamrouter.local", "sip:mallory@" + ATTACKER_IP, "*", 0, null),
                ATTACKER_IP, 41000);

        // the AOR is the device's own, so what gives the attacker away is the address
        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (device UUID registered from another address)");
        assertUnchanged(before, bindings);
    }

    @Test
    void expiresZeroOnTheDevicesContactFromAnotherIpIsRefused() throws Exception {
        Device before = registerVictim();
        List<Binding> bindings = registrar.bindings();

        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP,
                "<sip:" + VICTIM + "@" + VICTIM_IP + ":5999>", 0, null), ATTACKER_IP, 41000);

        assertThat(r.getStatusCode()).isEqualTo(403);
        assertUnchanged(before, bindings);
    }

    @Test
    void refreshingTheDevicesContactUnderItsAorFromAnotherUuidIsRefused() throws Exception {
        Device before = registerVictim();
        List<Binding> bindings = registrar.bindings();

        // its binding (AOR + contact) re-registered by someone naming no or another UUID would move its flow to the attacker
        Response r = send(register("sip:" + VICTIM + "@screamrouter.local", "sip:mallory@" + ATTACKER_IP,
                "<sip:" + VICTIM + "@" + VICTIM_IP + ":5999>", 300, null), ATTACKER_IP, 41000);

        assertThat(r.getStatusCode()).isEqualTo(403);
        assertUnchanged(before, bindings);
    }

    @Test
    void theDeviceUnregistersItselfFromItsOwnAddress() throws Exception {
        registerVictim();
        Response r = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + VICTIM_IP, "*", 0, null),
                VICTIM_IP, 40002);
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(registrar.bindings()).isEmpty();
        assertThat(registrar.device(VICTIM).orElseThrow().online()).isFalse();
    }

    @Test
    void ownershipOutlivesARestartAndAnUnregistration() throws Exception {
        registerVictim();
        send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + VICTIM_IP, "*", 0, null), VICTIM_IP, VICTIM_PORT);
        registrar.deactivate();
        registrar = h.start(store(), Map.of());
        Device before = registrar.device(VICTIM).orElseThrow();
        h.events.clear();

        Response r = send(register("sip:mallory@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP,
                "<sip:mallory@" + ATTACKER_IP + ":5060>", 300, null), ATTACKER_IP, 41000);
        assertThat(r.getStatusCode()).isEqualTo(403);
        Response sameAor = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP,
                "<sip:" + VICTIM + "@" + ATTACKER_IP + ":5999>", 300, null), ATTACKER_IP, 41000);
        assertThat(sameAor.getStatusCode()).isEqualTo(403);
        assertUnchanged(before, List.of());
    }

    @Test
    void afterTheOperatorReleasesItTheNextRegistrantTakesTheUuid() throws Exception {
        registerVictim();
        assertThat(registrar.release(VICTIM)).isTrue();
        assertThat(registrar.bindings()).as("release unregisters the device").isEmpty();
        assertThat(registrar.device(VICTIM).orElseThrow().online()).isFalse();

        Response r = send(register("sip:kitchen@screamrouter.local", "sip:" + VICTIM + "@screamrouter.local",
                "<sip:kitchen@127.0.0.20:5060>", 300, null), "127.0.0.20", 42000);
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(registrar.device(VICTIM).orElseThrow().addressOfRecord()).isEqualTo("sip:kitchen@screamrouter.local");

        // the new owner holds it now, across a restart; the old one is refused
        registrar.deactivate();
        registrar = h.start(store(), Map.of());
        Response old = send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + VICTIM_IP,
                "<sip:" + VICTIM + "@" + VICTIM_IP + ":5999>", 300, null), VICTIM_IP, VICTIM_PORT);
        assertThat(old.getStatusCode()).isEqualTo(403);
        assertThat(registrar.release("nobody")).isFalse();
    }

    @Test
    void aDeviceStoredBeforeOwnershipExistedIsOwnedByItsAor() throws Exception {
        registerVictim();
        registrar.deactivate();
        // what the revision before ownership wrote: the same record without the owner appended (a flag, the AOR, no user)
        try (MVStore store = new MVStore.Builder().fileName(store().toString()).open()) {
            MVMap<String, byte[]> devices = store.openMap("devices");
            byte[] record = devices.get(VICTIM);
            int owner = 1 + 2 + ("sip:" + VICTIM + "@screamrouter.local").length() + 1;
            devices.put(VICTIM, Arrays.copyOf(record, record.length - owner));
        }
        registrar = h.start(store(), Map.of());
        assertThat(registrar.device(VICTIM)).isPresent();

        assertThat(send(register("sip:mallory@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP,
                "<sip:mallory@" + ATTACKER_IP + ":5060>", 300, null), ATTACKER_IP, 41000).getReasonPhrase())
                .isEqualTo("Forbidden (device UUID belongs to another address-of-record)");
        assertThat(send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + ATTACKER_IP,
                "<sip:" + VICTIM + "@" + ATTACKER_IP + ":5999>", 300, null), ATTACKER_IP, 41000).getStatusCode()).isEqualTo(403);
        assertThat(send(register("sip:screamrouter@screamrouter.local", "sip:" + VICTIM + "@" + VICTIM_IP,
                "<sip:" + VICTIM + "@" + VICTIM_IP + ":5999>", 300, null), VICTIM_IP, 40005).getStatusCode()).isEqualTo(200);
    }

    // --- signs of life (issue item 6)

    private FakeExchange options(String fromUser, String ip, int port) throws Exception {
        return new FakeExchange("OPTIONS sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP " + ip + ":" + port + ";branch=z9hG4bKp" + (++cseq) + "\n"
                + "Max-Forwards: 70\nTo: <sip:screamrouter.local>\nFrom: <sip:" + fromUser + "@" + ip + ">;tag=1\nCall-ID: p" + cseq
                + "\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n", ip, port);
    }

    @Test
    void optionsNamingTheDeviceFromAStrangersSocketDoNotKeepItOnline() throws Exception {
        registerVictim();
        for (int i = 0; i < 4; i++) {
            h.clock.advance(Duration.ofSeconds(10));
            FakeExchange o = options(VICTIM, ATTACKER_IP, 41000);
            registrar.handle(o);
            assertThat(o.last().getStatusCode()).as("OPTIONS is still answered").isEqualTo(200);
            // another port of the device's own IP is not its flow either
            registrar.handle(options(VICTIM, VICTIM_IP, VICTIM_PORT + 1));
            registrar.tickForTest();
        }
        assertThat(registrar.device(VICTIM).orElseThrow().online()).as("40 s without a sign of life from its flow").isFalse();
    }

    @Test
    void optionsFromTheDevicesOwnFlowKeepItOnline() throws Exception {
        registerVictim();
        for (int i = 0; i < 4; i++) {
            h.clock.advance(Duration.ofSeconds(10));
            registrar.handle(options(VICTIM, VICTIM_IP, VICTIM_PORT));
            registrar.tickForTest();
        }
        assertThat(registrar.device(VICTIM).orElseThrow().online()).isTrue();
    }

    @Test
    void aCrlfKeepAliveCountsOnlyOnTheDevicesTransportAndPort() throws Exception {
        registerVictim();
        InetSocketAddress own = new InetSocketAddress(InetAddress.getByName(VICTIM_IP), VICTIM_PORT);
        for (int i = 0; i < 4; i++) {
            h.clock.advance(Duration.ofSeconds(10));
            registrar.keepAlive(new Flow("tcp", own));
            registrar.keepAlive(new Flow("udp", new InetSocketAddress(InetAddress.getByName(VICTIM_IP), VICTIM_PORT + 1)));
            registrar.tickForTest();
        }
        assertThat(registrar.device(VICTIM).orElseThrow().online()).isFalse();
    }
}
