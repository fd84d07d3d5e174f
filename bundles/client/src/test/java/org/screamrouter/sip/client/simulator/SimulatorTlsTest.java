package org.screamrouter.sip.client.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.stack.standalone.StackSettings;
import org.screamrouter.sip.stack.standalone.StandaloneSipStack;

/** The simulator's devices register over TLS with a router trusted by its certificate's fingerprint. */
class SimulatorTlsTest {
    @TempDir
    Path dir;

    @Test
    void devicesRegisterOverTlsWithAPinnedFingerprint() throws Exception {
        AtomicInteger registers = new AtomicInteger();
        try (StandaloneSipStack router = StandaloneSipStack.open(new StackSettings("127.0.0.1", -1, -1, "tls-router",
                new StackSettings.Tls(0, null, null, null, dir)))) {
            router.handle(Request.REGISTER, exchange -> {
                registers.incrementAndGet();
                Response ok = exchange.createResponse(200);
                ContactHeader contact = (ContactHeader) ((ContactHeader) exchange.request().getHeader(ContactHeader.NAME)).clone();
                contact.setExpires(((ExpiresHeader) exchange.request().getHeader(ExpiresHeader.NAME)).getExpires());
                ok.addHeader(contact);
                exchange.respond(ok);
            });
            router.handle(Request.OPTIONS, exchange -> exchange.respond(exchange.createResponse(200)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = DeviceSimulator.run(new String[] {"--server", "127.0.0.1:" + router.listeningPoint("tls").port(),
                    "--transport", "tls", "--tls-fingerprint", router.tlsFingerprint(), "--count", "2", "--keepalive", "0",
                    "--duration", "3"}, new PrintStream(out), new PrintStream(err));
            assertThat(code).as(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("registered 2/2");
            assertThat(registers.get()).isGreaterThanOrEqualTo(2);
        }
    }
}
