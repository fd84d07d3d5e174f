package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import javax.sip.header.ContactHeader;
import javax.sip.header.DateHeader;
import javax.sip.header.Header;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.UnsupportedHeader;
import javax.sip.message.Response;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.testsupport.FakeExchange;

class RegistrarComponentTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private RegistrarComponent registrar;

    @BeforeEach
    void start() {
        registrar = h.start(dir.resolve("registrar.mv"), Map.of("max_expires", 7200, "max_contacts_per_aor", 2, "max_bindings", 3));
    }

    @AfterEach
    void stop() {
        registrar.deactivate();
    }

    private static String register(String aor, String callId, int cseq, String... extra) {
        StringBuilder sb = new StringBuilder("REGISTER sip:127.0.0.1 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK" + callId + cseq + "\n"
                + "Max-Forwards: 70\nTo: <" + aor + ">\nFrom: <" + aor + ">;tag=t\n"
                + "Call-ID: " + callId + "\nCSeq: " + cseq + " REGISTER\n");
        for (String h : extra) sb.append(h).append('\n');
        return sb.append("Content-Length: 0\n\n").toString();
    }

    private FakeExchange send(String raw) throws Exception {
        FakeExchange exchange = new FakeExchange(raw.replace("REGISTER sip:127.0.0.1 ", "REGISTER sip:screamrouter.local "), "127.0.0.1", 40000);
        registrar.handle(exchange);
        assertThat(exchange.responses).hasSize(1);
        return exchange;
    }

    private static List<ContactHeader> contacts(Response r) {
        java.util.ArrayList<ContactHeader> out = new java.util.ArrayList<>();
        for (var it = r.getHeaders(ContactHeader.NAME); it.hasNext(); ) out.add((ContactHeader) it.next());
        return out;
    }

    @Test
    void registerStoresBindingAndAnswersWithContactExpiryAndDate() throws Exception {
        Response r = send(register("sip:dev1@127.0.0.1", "a", 1, "Contact: <sip:dev1@127.0.0.1:5999>", "Expires: 300")).last();
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(contacts(r)).singleElement().satisfies(c -> assertThat(c.getExpires()).isEqualTo(300));
        assertThat(((DateHeader) r.getHeader(DateHeader.NAME)).getDate().toInstant()).isEqualTo(NOW);

        Binding b = registrar.bindings("dev1@127.0.0.1").get(0);
        assertThat(b.contactUri()).isEqualTo("sip:dev1@127.0.0.1:5999");
        assertThat(b.source().getPort()).isEqualTo(40000);
        assertThat(b.transport()).isEqualTo("udp");
        assertThat(b.expires()).isEqualTo(NOW.plusSeconds(300));
    }

    @Test
    void theDateIsOfTheSecondAndARefreshListsItsContactWithItsParameters() throws Exception {
        String contact = "Contact: <sip:dev1@127.0.0.1:5999;transport=udp>;+sip.instance=\"<urn:uuid:5f7c1a2e-0000-4000-8000-000000000001>\";q=0.5";
        Response first = send(register("sip:dev1@127.0.0.1", "a", 1, contact, "Expires: 300")).last();
        h.clock.advance(java.time.Duration.ofMillis(1_500));
        Response again = send(register("sip:dev1@127.0.0.1", "a", 2, contact, "Expires: 300")).last();
        assertThat(((DateHeader) first.getHeader(DateHeader.NAME)).getDate().toInstant()).isEqualTo(NOW);
        assertThat(((DateHeader) again.getHeader(DateHeader.NAME)).getDate().toInstant()).isEqualTo(NOW.plusSeconds(1));
        assertThat(contacts(again)).singleElement().satisfies(c -> {
            assertThat(c.getAddress().getURI().toString()).isEqualTo("sip:dev1@127.0.0.1:5999;transport=udp");
            assertThat(c.getParameter("+sip.instance")).isEqualTo("<urn:uuid:5f7c1a2e-0000-4000-8000-000000000001>");
            assertThat(c.getQValue()).isEqualTo(0.5f);
            assertThat(c.getExpires()).as("the refresh set 300 s from now").isEqualTo(300);
        });
    }

    @Test
    void aSipsContactIsBoundOnlyOverTls() throws Exception {
        // RFC 5630: a sips: Contact is to be reached over TLS only, and the server reaches a device over its own flow
        Response clear = send(register("sip:s@127.0.0.1", "s1", 1, "Contact: <sips:s@127.0.0.1:5999>")).last();
        assertThat(clear.getStatusCode()).isEqualTo(400);
        assertThat(clear.getReasonPhrase()).isEqualTo("Bad Request (a sips: Contact must be registered over TLS, not udp)");
        assertThat(registrar.bindings()).isEmpty();
        String raw = register("sip:s@127.0.0.1", "s2", 1, "Contact: <sips:s@127.0.0.1:5999>").replace("REGISTER sip:127.0.0.1 ", "REGISTER sip:screamrouter.local ");
        FakeExchange overTls = new FakeExchange(raw, "tls", "127.0.0.1", 40001);
        registrar.handle(overTls);
        assertThat(overTls.last().getStatusCode()).isEqualTo(200);
        assertThat(registrar.bindings()).singleElement().satisfies(b -> {
            assertThat(b.contactUri()).isEqualTo("sips:s@127.0.0.1:5999");
            assertThat(b.transport()).isEqualTo("tls");
        });
    }

    @Test
    void contactExpiresParameterWinsOverExpiresHeaderAndMaximumIsClamped() throws Exception {
        Response r = send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>;expires=99999", "Expires: 120")).last();
        assertThat(contacts(r).get(0).getExpires()).isEqualTo(7200);
    }

    @Test
    void tooBriefGets423WithMinExpiresAndStoresNothing() throws Exception {
        Response r = send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>", "Expires: 10")).last();
        assertThat(r.getStatusCode()).isEqualTo(423);
        assertThat(((MinExpiresHeader) r.getHeader(MinExpiresHeader.NAME)).getExpires()).isEqualTo(60);
        assertThat(registrar.bindings()).isEmpty();
    }

    @Test
    void expiresZeroRemovesOnlyThatContact() throws Exception {
        send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>, <sip:d@127.0.0.1:2>"));
        Response r = send(register("sip:d@127.0.0.1", "a", 2, "Contact: <sip:d@127.0.0.1:1>;expires=0")).last();
        assertThat(contacts(r)).extracting(c -> c.getAddress().getURI().toString()).containsExactly("sip:d@127.0.0.1:2");
        assertThat(registrar.bindings()).hasSize(1);
    }

    @Test
    void aContactIsMatchedAsRfc3261Compares_UrisNotTexts() throws Exception {
        // RFC 3261 19.1.4: the host and parameter names compare without case, parameters in any order
        send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:7;transport=udp;x=1>"));
        Response r = send(register("sip:d@127.0.0.1", "a", 2, "Contact: <sip:d@127.0.0.1:7;X=1;TRANSPORT=udp>", "Expires: 600")).last();
        assertThat(registrar.bindings()).as("the refresh replaced the binding").hasSize(1);
        assertThat(contacts(r)).singleElement().satisfies(c -> assertThat(c.getExpires()).isEqualTo(600));
        send(register("sip:d@127.0.0.1", "a", 3, "Contact: <sip:d@127.0.0.1:7;x=2;transport=udp>"));
        assertThat(registrar.bindings()).as("another parameter value is another contact").hasSize(2);
        r = send(register("sip:d@127.0.0.1", "a", 4, "Contact: <sip:d@127.0.0.1:7;transport=UDP;x=1>;expires=0")).last();
        assertThat(contacts(r)).extracting(c -> c.getAddress().getURI().toString()).containsExactly("sip:d@127.0.0.1:7;x=2;transport=udp");
    }

    @Test
    void wildcardWithExpiresZeroRemovesEveryBindingOfTheAor() throws Exception {
        send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>, <sip:d@127.0.0.1:2>"));
        Response r = send(register("sip:d@127.0.0.1", "b", 1, "Contact: *", "Expires: 0")).last();
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(registrar.bindings()).isEmpty();
    }

    @Test
    void wildcardWithoutExpiresZeroIs400AndRemovesNothing() throws Exception {
        send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>"));
        Response r = send(register("sip:d@127.0.0.1", "b", 1, "Contact: *", "Expires: 30")).last();
        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat(r.getReasonPhrase()).contains("Expires: 0");
        assertThat(registrar.bindings()).hasSize(1);
    }

    @Test
    void replayedOrOutOfOrderCSeqChangesNothingAndFails() throws Exception {
        send(register("sip:d@127.0.0.1", "a", 5, "Contact: <sip:d@127.0.0.1:1>", "Expires: 300"));
        Response r = send(register("sip:d@127.0.0.1", "a", 4, "Contact: <sip:d@127.0.0.1:1>", "Expires: 0")).last();
        assertThat(r.getStatusCode()).isEqualTo(400);
        assertThat(registrar.bindings()).hasSize(1);
    }

    @Test
    void contactsAreListedBestQFirst() throws Exception {
        Response r = send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>;q=0.2, <sip:d@127.0.0.1:2>;q=0.9")).last();
        assertThat(contacts(r)).extracting(c -> c.getAddress().getURI().toString())
                .containsExactly("sip:d@127.0.0.1:2", "sip:d@127.0.0.1:1");
    }

    @Test
    void unsupportedRequireGets420NamingTheExtension() throws Exception {
        Response r = send(register("sip:d@127.0.0.1", "a", 1, "Require: foo, path", "Contact: <sip:d@127.0.0.1:1>")).last();
        assertThat(r.getStatusCode()).isEqualTo(420);
        assertThat(((UnsupportedHeader) r.getHeader(UnsupportedHeader.NAME)).getOptionTag()).isEqualTo("foo");
        assertThat(registrar.bindings()).isEmpty();
    }

    @Test
    void perAorLimitRefusesWith403AndKeepsWhatWasThere() throws Exception {
        send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>, <sip:d@127.0.0.1:2>"));
        Response r = send(register("sip:d@127.0.0.1", "a", 2, "Contact: <sip:d@127.0.0.1:3>")).last();
        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(registrar.bindings()).hasSize(2);
    }

    @Test
    void globalLimitRefusesWith503AndRetryAfter() throws Exception {
        send(register("sip:a@127.0.0.1", "a", 1, "Contact: <sip:a@127.0.0.1:1>, <sip:a@127.0.0.1:2>"));
        send(register("sip:b@127.0.0.1", "b", 1, "Contact: <sip:b@127.0.0.1:1>"));
        Response r = send(register("sip:c@127.0.0.1", "c", 1, "Contact: <sip:c@127.0.0.1:1>")).last();
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat((Header) r.getHeader("Retry-After")).isNotNull();
        assertThat(registrar.bindings()).hasSize(3);
    }

    @Test
    void instanceAndRegIdAreEchoed() throws Exception {
        Response r = send(register("sip:d@127.0.0.1", "a", 1,
                "Contact: <sip:d@127.0.0.1:1;transport=ws>;+sip.instance=\"<urn:uuid:0000-1>\";reg-id=1")).last();
        ContactHeader c = contacts(r).get(0);
        assertThat(c.toString()).contains("+sip.instance=\"<urn:uuid:0000-1>\"").contains("reg-id=1");
    }

    @Test
    void registerWithoutContactListsCurrentBindings() throws Exception {
        send(register("sip:d@127.0.0.1", "a", 1, "Contact: <sip:d@127.0.0.1:1>"));
        Response r = send(register("sip:d@127.0.0.1", "q", 1)).last();
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(contacts(r)).hasSize(1);
    }
}
