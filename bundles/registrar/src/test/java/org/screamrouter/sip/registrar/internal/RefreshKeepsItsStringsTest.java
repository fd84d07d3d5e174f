package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * Issue 15, heap per device: every REGISTER parses its AOR, contact, Call-ID, source and the device UUID anew; a
 * refresh keeps the instances the registrar already holds, so the table, the device and the book's indexes share one
 * copy per device instead of each holding the text of a different REGISTER.
 */
class RefreshKeepsItsStringsTest extends StartedRegistrar {
    private static final String UUID = "5f7c1a2e-0000-4000-8000-0000000000aa";

    private void register(int cseq) throws Exception {
        register(UUID, cseq, 40000, null);
    }

    private void register(String uuid, int cseq, int port, String userAgent) throws Exception {
        String raw = "REGISTER sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKk" + cseq + "\n"
                + "Max-Forwards: 70\nTo: <sip:" + uuid + "@screamrouter.local>\nFrom: <sip:" + uuid + "@127.0.0.1>;tag=t\n"
                + "Call-ID: keep-" + uuid + "\nCSeq: " + cseq + " REGISTER\nContact: <sip:" + uuid + "@127.0.0.1:" + port + ">\n"
                + (userAgent == null ? "" : "User-Agent: " + userAgent + "\n") + "Expires: 300\nContent-Length: 0\n\n";
        FakeExchange exchange = new FakeExchange(raw, "127.0.0.1", port);
        registrar.handle(exchange);
        assertThat(exchange.last().getStatusCode()).isEqualTo(200);
    }

    @Test
    void aRefreshHoldsTheInstancesOfTheBindingAndDeviceItRefreshes() throws Exception {
        register(1);
        Binding first = registrar.bindings().get(0);
        Device firstDevice = registrar.device(UUID).orElseThrow();
        register(2);
        Binding second = registrar.bindings().get(0);
        Device secondDevice = registrar.device(UUID).orElseThrow();

        assertThat(second.cseq()).isEqualTo(2);
        assertThat(second.addressOfRecord()).isSameAs(first.addressOfRecord());
        assertThat(second.contactUri()).isSameAs(first.contactUri());
        assertThat(second.contactHeader()).isEqualTo("<" + second.contactUri() + ">");
        assertThat(second.callId()).isSameAs(first.callId());
        assertThat(second.source()).isSameAs(first.source());
        assertThat(secondDevice.uuid()).isSameAs(firstDevice.uuid());
        assertThat(secondDevice.addressOfRecord()).isSameAs(second.addressOfRecord());
        assertThat(secondDevice.contactUri()).isSameAs(second.contactUri());
    }

    @Test
    void devicesOfOneFirmwareShareOneUserAgentTextAlsoAfterARestart() throws Exception {
        String other = "5f7c1a2e-0000-4000-8000-0000000000bb";
        register(UUID, 1, 40000, "ESP32 ScreamRouter/1.4");
        register(other, 1, 40001, "ESP32 ScreamRouter/1.4");
        assertThat(registrar.device(other).orElseThrow().userAgent()).isEqualTo("ESP32 ScreamRouter/1.4")
                .isSameAs(registrar.device(UUID).orElseThrow().userAgent());

        registrar.deactivate();
        registrar = h.start(store(), Map.of());
        assertThat(registrar.device(other).orElseThrow().userAgent()).isEqualTo("ESP32 ScreamRouter/1.4")
                .as("restored from the store").isSameAs(registrar.device(UUID).orElseThrow().userAgent());
    }
}
