package org.screamrouter.sip.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.junit.jupiter.api.io.TempDir;

/** The upgrade path: {@code auth.*} keys still in the registrar's PID are adopted, never to open the server. */
class RegistrarKeysTest {
    @TempDir
    Path dir;

    /** What the distribution ships in etc/org.screamrouter.sip.auth.cfg. */
    private static Map<String, Object> shipped() {
        return Map.of("auth.mode", "none", "auth.realm", "", "auth.users.file", "${karaf.etc}/screamrouter-sip.users",
                "auth.methods", "REGISTER,SUBSCRIBE,PUBLISH,INVITE,MESSAGE", "auth.nonce.lifetime", "300");
    }

    @Test
    void anOldRegistrarFilesDigestWinsOverTheShippedNoneAndItsOtherKeysFillWhatTheAuthPidLeavesEmpty() {
        Map<String, Object> registrar = Map.of("domain", "home.example", "auth.mode", "digest", "auth.realm", "house",
                "auth.algorithms", new String[] {"MD5"}, "auth.nonce.lifetime", "60", "keepalive.interval", "10");
        RegistrarKeys.Merged m = RegistrarKeys.merge(shipped(), registrar);
        assertThat(m.config().auth_mode()).isEqualTo("digest");
        assertThat(m.config().auth_realm()).isEqualTo("house");
        assertThat(m.config().auth_algorithms()).containsExactly("MD5");
        // set by the auth PID: the auth PID's value
        assertThat(m.config().auth_nonce_lifetime()).isEqualTo(300);
        assertThat(m.adopted()).containsExactly("auth.algorithms", "auth.mode", "auth.realm");
        assertThat(m.leftInRegistrar()).containsExactly("auth.algorithms", "auth.mode", "auth.nonce.lifetime", "auth.realm");
        assertThat(RegistrarKeys.advice(m)).contains("org.screamrouter.sip.registrar", "auth.mode", "move them to etc/org.screamrouter.sip.auth.cfg");
    }

    @Test
    void anOldRegistrarFilesNoneNeverOpensAServerWhoseAuthPidSaysDigestAndATypoStaysDigest() {
        Map<String, Object> own = new HashMap<>(shipped());
        own.put("auth.mode", "digest");
        assertThat(RegistrarKeys.merge(own, Map.of("auth.mode", "none")).config().auth_mode()).isEqualTo("digest");
        assertThat(RegistrarKeys.merge(shipped(), Map.of("auth.mode", "digets")).config().auth_mode()).isEqualTo("digets");
    }

    @Test
    void withoutRegistrarKeysTheRealmIsTheRegistrarsDomainAndNothingIsAdopted() {
        RegistrarKeys.Merged m = RegistrarKeys.merge(shipped(), Map.of("domain", "home.example"));
        assertThat(m.config().auth_realm()).isEqualTo("home.example");
        assertThat(m.adopted()).isEmpty();
        assertThat(m.leftInRegistrar()).isEmpty();
        assertThat(RegistrarKeys.merge(Map.of(), Map.of()).config().auth_realm()).isEqualTo("screamrouter.local");
        assertThat(RegistrarKeys.merge(Map.of(), Map.of()).config().auth_methods()).contains("REGISTER", "INVITE");
    }

    @Test
    void theAuthenticatorFollowsTheRegistrarsKeysAtActivationAndWhenTheyChange() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "");
        Map<String, Object> registrar = new HashMap<>(Map.of("auth.mode", "digest", "auth.users.file", users.toString()));
        Map<String, Object> own = new HashMap<>(shipped());
        own.remove("auth.users.file");
        DigestAuthenticator auth = new DigestAuthenticator(FakeExchange.MESSAGES, own, pid -> Map.copyOf(registrar),
                Clock.systemUTC(), dir.resolve("auth-nonce.key"));
        try {
            assertThat(status(auth, "r1")).isEqualTo(Response.UNAUTHORIZED);
            // the operator moves the key out of the registrar's PID: the auth PID's none applies
            registrar.remove("auth.mode");
            auth.registrarChanged(); // what its ConfigurationListener does for that PID
            assertThat(status(auth, "r2")).isEqualTo(Response.OK);
            // an old habit: config:property-set -p org.screamrouter.sip.registrar auth.mode digest, applied live
            registrar.put("auth.mode", "digest");
            auth.registrarChanged(); // what its ConfigurationListener does for that PID
            assertThat(status(auth, "r3")).isEqualTo(Response.UNAUTHORIZED);
        } finally {
            auth.deactivate();
        }
    }

    private static int status(DigestAuthenticator auth, String callId) throws Exception {
        FakeExchange exchange = new FakeExchange("REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK" + callId + "\nMax-Forwards: 70\n"
                + "To: <sip:alice@screamrouter.local>\nFrom: <sip:alice@screamrouter.local>;tag=t\nCall-ID: " + callId
                + "\nCSeq: 1 REGISTER\nContact: <sip:x@127.0.0.1:5999>\nContent-Length: 0\n\n", "127.0.0.1", 40000);
        if (auth.authenticate(exchange).proceed()) return Response.OK;
        return exchange.last().getStatusCode();
    }
}
