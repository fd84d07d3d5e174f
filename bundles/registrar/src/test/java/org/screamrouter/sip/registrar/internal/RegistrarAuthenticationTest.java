package org.screamrouter.sip.registrar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.auth.AuthenticatorSlot;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.testsupport.FakeExchange;

/**
 * What the registrar does with the authenticator's answers (RFC 3261 10.3 steps 3 and 4): the AOR and the device UUID
 * belong to a user. The authenticator is a stand-in (the auth bundle's own tests check digest): it takes the user
 * from an {@code X-Test-User} header and lets each user own its own AOR and the extra ones listed here.
 */
class RegistrarAuthenticationTest extends StartedRegistrar {

    private static final Map<String, Set<String>> EXTRA = Map.of("dev", Set.of("sip:3f1c@screamrouter.local"),
            "dev2", Set.of("sip:3f1c@screamrouter.local"));
    private static final SipAuthenticator BY_HEADER = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) {
            var user = exchange.request().getHeader("X-Test-User");
            return user == null ? Outcome.open() : Outcome.authenticated(user.toString().substring(user.toString().indexOf(':') + 1).trim());
        }
        @Override public boolean owns(String user, String aor) {
            return aor.startsWith("sip:" + user + "@") || EXTRA.getOrDefault(user, Set.of()).contains(aor);
        }
    };

    @BeforeEach
    void authenticateByHeader() {
        registrar.setAuthenticator(BY_HEADER); // after StartedRegistrar's start: JUnit runs a superclass's first
    }

    private Response send(String to, String from, String user, String callId, String source) throws Exception {
        FakeExchange exchange = new FakeExchange("REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK" + callId + "\nMax-Forwards: 70\nTo: <" + to + ">\nFrom: <" + from
                + ">;tag=t\nCall-ID: " + callId + "\nCSeq: 2 REGISTER\nContact: <sip:x@" + source + ":5999>\nExpires: 300\n"
                + (user == null ? "" : "X-Test-User: " + user + "\n") + "Content-Length: 0\n\n", source, 40000);
        registrar.handle(exchange);
        assertThat(exchange.responses).hasSize(1);
        return exchange.last();
    }

    @Test
    void anAorOfSomeoneElseGets403AndAListedExtraAorIsAllowed() throws Exception {
        Response r = send("sip:bob@screamrouter.local", "sip:bob@screamrouter.local", "alice", "o", "127.0.0.1");
        assertThat(r.getStatusCode()).isEqualTo(403);
        assertThat(r.getReasonPhrase()).isEqualTo("Forbidden (AOR not yours)");
        assertThat(registrar.bindings()).isEmpty();
        // a ScreamRouter device registers To the router; its binding is filed under sip:<uuid>@<domain>, which is what is checked
        assertThat(send("sip:screamrouter@screamrouter.local", "sip:3f1c@127.0.0.1", "dev", "d", "127.0.0.1").getStatusCode()).isEqualTo(200);
        assertThat(registrar.bindings("sip:3f1c@screamrouter.local")).hasSize(1);
        assertThat(send("sip:screamrouter@screamrouter.local", "sip:9999@127.0.0.1", "dev", "e", "127.0.0.1").getStatusCode()).isEqualTo(403);
    }

    @Test
    void aDeviceUuidBelongsToTheAorAndUserThatFirstRegisteredItButMayMoveAddress() throws Exception {
        String device = "sip:screamrouter@screamrouter.local";
        assertThat(send(device, "sip:3f1c@127.0.0.1", "dev", "d1", "127.0.0.1").getStatusCode()).isEqualTo(200);
        var before = registrar.device("3f1c").orElseThrow();
        // alice owns her AOR, but the UUID in her From is dev's device
        Response alice = send("sip:alice@screamrouter.local", "sip:3f1c@127.0.0.1", "alice", "a1", "127.0.0.1");
        assertThat(alice.getStatusCode()).isEqualTo(403);
        assertThat(alice.getReasonPhrase()).isEqualTo("Forbidden (device UUID belongs to another address-of-record)");
        // dev2 may register sip:3f1c@ too (an extra AOR of both), but the device was registered by dev
        Response dev2 = send(device, "sip:3f1c@127.0.0.1", "dev2", "d2", "127.0.0.1");
        assertThat(dev2.getStatusCode()).isEqualTo(403);
        assertThat(dev2.getReasonPhrase()).isEqualTo("Forbidden (device UUID registered by another user)");
        assertThat(registrar.device("3f1c")).contains(before);
        assertThat(registrar.bindings()).hasSize(1);
        // authenticated as its own user, the device may come from another address (a new DHCP lease)
        assertThat(send(device, "sip:3f1c@127.0.0.9", "dev", "d3", "127.0.0.9").getStatusCode()).isEqualTo(200);
        assertThat(registrar.device("3f1c").orElseThrow().source().getAddress().getHostAddress()).isEqualTo("127.0.0.9");
    }

    @Test
    void whileTheAuthenticatorIsAwayAndDoesNotComeBackARegisterGetsTheOne503AndNothingIsStored() throws Exception {
        registrar.unsetAuthenticator(BY_HEADER);
        long start = System.nanoTime();
        Response r = send("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", null, "away", "127.0.0.1");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(AuthenticatorSlot.WAIT.toNanos());
        assertThat(r.getStatusCode()).isEqualTo(503);
        assertThat(r.getReasonPhrase()).isEqualTo(AuthenticatorSlot.REASON);
        assertThat(((RetryAfterHeader) r.getHeader(RetryAfterHeader.NAME)).getRetryAfter()).isEqualTo(AuthenticatorSlot.RETRY_AFTER_SECONDS);
        assertThat(registrar.bindings()).isEmpty();
    }
}
