package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sip.header.ContactHeader;
import javax.sip.header.DateHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.UnsupportedHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.testsupport.FakeExchange;

/** REGISTER on its own, step by step (RFC 3261 10.3), against a real registry. */
class RegisterHandlerTest {
    private static final String DEV = "5f7c1a2e-0000-4000-8000-0000000000bb";
    @TempDir
    Path dir;
    private final TestHarness h = new TestHarness();
    private Registry registry;
    private RegisterHandler handler;

    @BeforeEach
    void start() {
        RegistrarConfig config = TestHarness.config(Map.of("max_expires", 7200));
        registry = new Registry(FakeExchange.MESSAGES, h.client, h.clock, () -> config, dir.resolve("registrar.mv"));
        handler = new RegisterHandler(FakeExchange.MESSAGES, h.stack, h.clock, () -> config, registry);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static String register(String requestHost, String aor, String callId, int cseq, String... extra) {
        StringBuilder sb = new StringBuilder("REGISTER sip:" + requestHost + " SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK" + callId + cseq + "\n"
                + "Max-Forwards: 70\nTo: <" + aor + ">\nFrom: <" + aor + ">;tag=t\n"
                + "Call-ID: " + callId + "\nCSeq: " + cseq + " REGISTER\n");
        for (String e : extra) sb.append(e).append('\n');
        return sb.append("Content-Length: 0\n\n").toString();
    }

    private Response send(String raw) throws Exception {
        FakeExchange x = new FakeExchange(raw, "127.0.0.1", 40000);
        handler.register(x);
        assertThat(x.responses).hasSize(1);
        return x.last();
    }

    private static List<ContactHeader> contacts(Response r) {
        List<ContactHeader> out = new ArrayList<>();
        for (var it = r.getHeaders(ContactHeader.NAME); it.hasNext(); ) out.add((ContactHeader) it.next());
        return out;
    }

    @Test
    void aRegisterBindsAndTheOkListsEveryContactWithItsTimeAndADate() throws Exception {
        Response r = send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 1,
                "Contact: <sip:alice@127.0.0.1:5999>", "Expires: 300"));
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(contacts(r)).singleElement().satisfies(c -> assertThat(c.getExpires()).isEqualTo(300));
        assertThat(r.getHeader(DateHeader.NAME)).isNotNull();
        r = send(register("screamrouter.local", "sip:alice@screamrouter.local", "b", 1,
                "Contact: <sip:alice@127.0.0.1:6000>;expires=100000"));
        assertThat(contacts(r)).extracting(ContactHeader::getExpires).containsExactlyInAnyOrder(300, 7200);
        assertThat(registry.bindings("alice@screamrouter.local")).hasSize(2);
    }

    @Test
    void theRequestUriMustNameOurDomainOrOneOfOurAddresses() throws Exception {
        Response r = send(register("example.org", "sip:alice@example.org", "a", 1, "Contact: <sip:alice@127.0.0.1:5999>"));
        assertThat(r.getStatusCode()).isEqualTo(404);
        assertThat(r.getReasonPhrase()).isEqualTo("Domain Not Served Here");
        // the stack listens on 127.0.0.1: that address is ours
        assertThat(send(register("127.0.0.1", "sip:alice@127.0.0.1", "b", 1, "Contact: <sip:alice@127.0.0.1:5999>")).getStatusCode())
                .isEqualTo(200);
    }

    @Test
    void anUnknownRequirementGets420NamingIt() throws Exception {
        Response r = send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 1, "Require: path, foo",
                "Contact: <sip:alice@127.0.0.1:5999>"));
        assertThat(r.getStatusCode()).isEqualTo(420);
        assertThat(((UnsupportedHeader) r.getHeader(UnsupportedHeader.NAME)).getOptionTag()).isEqualTo("foo");
    }

    @Test
    void theAuthenticatorIsAskedAndARefusalOrAForeignAorStopsTheRequest() throws Exception {
        List<String> asked = new ArrayList<>();
        handler.setAuthenticator(new SipAuthenticator() {
            @Override public Outcome authenticate(SipExchange exchange) {
                asked.add(exchange.request().getMethod());
                if (exchange.request().getHeader("Authorization") == null) {
                    exchange.respond(401, "Unauthorized");
                    return Outcome.refused();
                }
                return Outcome.authenticated("alice");
            }
            @Override public boolean owns(String user, String aor) {
                return aor.equals("sip:" + user + "@screamrouter.local");
            }
        });
        assertThat(send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 1, "Contact: <sip:alice@127.0.0.1:5999>"))
                .getStatusCode()).isEqualTo(401);
        String auth = "Authorization: Digest username=\"alice\", realm=\"r\", nonce=\"n\", uri=\"sip:screamrouter.local\", response=\"x\"";
        Response bob = send(register("screamrouter.local", "sip:bob@screamrouter.local", "b", 1, auth, "Contact: <sip:bob@127.0.0.1:5999>"));
        assertThat(bob.getStatusCode()).isEqualTo(403);
        assertThat(bob.getReasonPhrase()).isEqualTo("Forbidden (AOR not yours)");
        assertThat(send(register("screamrouter.local", "sip:alice@screamrouter.local", "c", 1, auth, "Contact: <sip:alice@127.0.0.1:5999>"))
                .getStatusCode()).isEqualTo(200);
        assertThat(asked).hasSize(3);
        assertThat(registry.bindings()).singleElement().satisfies(b -> assertThat(b.addressOfRecord()).isEqualTo("sip:alice@screamrouter.local"));
    }

    @Test
    void aScreamRouterDeviceRegisteringToTheRouterIsFiledUnderItsOwnUuid() throws Exception {
        // docs/devices.md: To the router, From the device's UUID
        String raw = register("screamrouter.local", "sip:screamrouter@screamrouter.local", "a", 1, "Contact: <sip:dev@127.0.0.1:5999>")
                .replace("From: <sip:screamrouter@screamrouter.local>", "From: <sip:" + DEV + "@127.0.0.1>");
        assertThat(send(raw).getStatusCode()).isEqualTo(200);
        assertThat(registry.bindings()).singleElement()
                .satisfies(b -> assertThat(b.addressOfRecord()).isEqualTo("sip:" + DEV + "@screamrouter.local"));
    }

    @Test
    void theDeviceUuidComesFromTheFromUserThenXUuidThenTheSdp() throws Exception {
        String base = "REGISTER sip:screamrouter.local SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKi\nMax-Forwards: 70\n"
                + "To: <sip:screamrouter.local>\nCall-ID: i\nCSeq: 1 REGISTER\n";
        assertThat(RegisterHandler.identify(new FakeExchange(base + "From: <sip:dev%2D1@127.0.0.1>;tag=t\nX-UUID: other\n"
                + "Content-Length: 0\n\n", "127.0.0.1", 1).request)).contains("dev-1");
        assertThat(RegisterHandler.identify(new FakeExchange(base + "From: <sip:127.0.0.1>;tag=t\nX-UUID: x-2\n"
                + "Content-Length: 0\n\n", "127.0.0.1", 1).request)).contains("x-2");
        String sdp = "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\na=x-screamrouter-uuid:s-3\n";
        assertThat(RegisterHandler.identify(new FakeExchange(base + "From: <sip:127.0.0.1>;tag=t\nContent-Type: application/sdp\n"
                + "Content-Length: " + sdp.replace("\n", "\r\n").length() + "\n\n" + sdp, "127.0.0.1", 1).request)).contains("s-3");
        assertThat(RegisterHandler.identify(new FakeExchange(base + "From: <sip:127.0.0.1>;tag=t\nContent-Length: 0\n\n",
                "127.0.0.1", 1).request)).isEmpty();
    }

    @Test
    void intakeLimitsAndBadContactsAreRefusedNamingTheFault() throws Exception {
        Response uuid = send(register("screamrouter.local", "sip:" + "u".repeat(65) + "@screamrouter.local", "a", 1,
                "Contact: <sip:x@127.0.0.1:5999>"));
        assertThat(uuid.getStatusCode()).isEqualTo(400);
        assertThat(uuid.getReasonPhrase()).isEqualTo("Bad Request (device UUID longer than 64 characters)");
        Response longContact = send(register("screamrouter.local", "sip:alice@screamrouter.local", "b", 1,
                "Contact: <sip:alice@127.0.0.1:5999;x=" + "y".repeat(520) + ">"));
        assertThat(longContact.getReasonPhrase()).isEqualTo("Bad Request (Contact longer than 512 characters)");
        Response star = send(register("screamrouter.local", "sip:alice@screamrouter.local", "c", 1, "Contact: *"));
        assertThat(star.getStatusCode()).isEqualTo(400);
        assertThat(star.getReasonPhrase()).isEqualTo("Contact * needs Expires: 0 and no other Contact");
        Response brief = send(register("screamrouter.local", "sip:alice@screamrouter.local", "d", 1,
                "Contact: <sip:alice@127.0.0.1:5999>", "Expires: 10"));
        assertThat(brief.getStatusCode()).isEqualTo(423);
        assertThat(((MinExpiresHeader) brief.getHeader(MinExpiresHeader.NAME)).getExpires()).isEqualTo(60);
        assertThat(registry.bindings()).isEmpty();
    }

    @Test
    void contactStarRemovesEveryBindingOfTheAor() throws Exception {
        send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 1, "Contact: <sip:alice@127.0.0.1:5999>"));
        send(register("screamrouter.local", "sip:alice@screamrouter.local", "b", 1, "Contact: <sip:alice@127.0.0.1:6000>"));
        Response r = send(register("screamrouter.local", "sip:alice@screamrouter.local", "c", 1, "Contact: *", "Expires: 0"));
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(contacts(r)).isEmpty();
        assertThat(registry.bindings()).isEmpty();
    }

    @Test
    void aDeviceOfAnotherAorIsNotTheirsToRegister() throws Exception {
        assertThat(send(register("screamrouter.local", "sip:" + DEV + "@screamrouter.local", "a", 1,
                "Contact: <sip:" + DEV + "@127.0.0.1:5999>")).getStatusCode()).isEqualTo(200);
        FakeExchange other = new FakeExchange(register("screamrouter.local", "sip:" + DEV + "@screamrouter.local", "b", 1,
                "Contact: <sip:" + DEV + "@127.0.0.9:5999>"), "127.0.0.9", 40000);
        handler.register(other);
        assertThat(other.last().getStatusCode()).isEqualTo(403);
        assertThat(other.last().getReasonPhrase()).startsWith("Forbidden (");
        assertThat(registry.bindings()).singleElement().satisfies(b -> assertThat(b.contactUri()).contains("127.0.0.1"));
    }

    @Test
    void aPathIsEchoedOnlyToAUaThatSupportsIt() throws Exception {
        Response plain = send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 1, "Path: <sip:proxy.example>",
                "Contact: <sip:alice@127.0.0.1:5999>"));
        assertThat(plain.getHeader("Path")).isNull();
        Response supported = send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 2, "Path: <sip:proxy.example>",
                "Supported: path", "Contact: <sip:alice@127.0.0.1:5999>"));
        assertThat(supported.getHeader("Path").toString().trim()).isEqualTo("Path: <sip:proxy.example>");
    }

    @Test
    void aStaleCSeqOfTheSameCallIdIsRefused() throws Exception {
        send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 2, "Contact: <sip:alice@127.0.0.1:5999>"));
        Response stale = send(register("screamrouter.local", "sip:alice@screamrouter.local", "a", 2, "Contact: <sip:alice@127.0.0.1:5999>"));
        assertThat(stale.getStatusCode()).isEqualTo(400);
        assertThat(stale.getReasonPhrase()).startsWith("Out of order CSeq for Call-ID and Contact ");
    }
}
