package org.screamrouter.sip.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.header.Header;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;
import org.screamrouter.sip.testsupport.FakeExchange;
import org.screamrouter.sip.testsupport.MovableClock;

/** Digest authentication on, as a handler asks it: challenges, the checks of RFC 3261 22.4 and RFC 7616, who owns which AOR. */
class DigestAuthenticatorTest {
    private static final String REALM = "screamrouter.local";
    @TempDir
    Path dir;
    /** A clock the test moves by hand. */
    static final class MovableClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-11-21T12:00:00Z");
        void advance(Duration d) { now = now.plus(d); }
        @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
        @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public java.time.Instant instant() { return now; }
    }

    private final MovableClock clock = new MovableClock();
    private DigestAuthenticator auth;
    /** The authenticator the handler of {@link #send} asks (a bundle update replaces it). */
    private SipAuthenticator current;
    private Path usersFile;

    /** Properties as a .cfg file names them, from the annotation's method names. */
    static Map<String, Object> props(Map<String, Object> byMethod) {
        Map<String, Object> out = new HashMap<>();
        byMethod.forEach((k, v) -> out.put(k.replace('_', '.'), v));
        return out;
    }

    @BeforeEach
    void start() throws Exception {
        usersFile = dir.resolve("users");
        Files.writeString(usersFile, "# test users\n"
                + line("alice", "secret") + "\n"
                + line("dev", "pw", "sip:3f1c@screamrouter.local") + "\n"
                + line("dev2", "pw2", "sip:3f1c@screamrouter.local") + "\n");
        Map<String, Object> cfg = Map.of("auth_mode", "digest", "auth_users_file", usersFile.toString());
        auth = new DigestAuthenticator(FakeExchange.MESSAGES, props(cfg), pid -> Map.of(), clock, dir.resolve("auth-nonce.key"));
        current = auth;
    }

    @AfterEach
    void stop() {
        auth.deactivate();
    }

    private static String line(String user, String password, String... aors) {
        return user + " " + DigestAlgorithm.MD5.ha1(user, REALM, password) + " " + DigestAlgorithm.SHA_256.ha1(user, REALM, password)
                + (aors.length == 0 ? "" : " " + String.join(" ", aors));
    }

    private static String register(String to, String from, String callId, int cseq, String... extra) {
        StringBuilder sb = new StringBuilder("REGISTER sip:screamrouter.local SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK" + callId + cseq + "\n"
                + "Max-Forwards: 70\nTo: <" + to + ">\nFrom: <" + from + ">;tag=t\n"
                + "Call-ID: " + callId + "\nCSeq: " + cseq + " REGISTER\nContact: <sip:x@127.0.0.1:5999>\nExpires: 300\n");
        for (String e : extra) sb.append(e).append('\n');
        return sb.append("Content-Length: 0\n\n").toString();
    }

    private Response send(String raw) throws Exception {
        return sendOver("udp", raw);
    }

    /** What a handler does: asks, and answers 200 when it may proceed (a refusal has been answered). */
    private void handle(FakeExchange exchange) {
        if (current.authenticate(exchange).proceed()) exchange.respond(exchange.createResponse(200));
    }

    private Response sendOver(String transport, String raw) throws Exception {
        FakeExchange exchange = new FakeExchange(raw, transport, "127.0.0.1", 40000);
        handle(exchange);
        assertThat(exchange.responses).hasSize(1);
        return exchange.last();
    }

    /** The parameters of the response's WWW-Authenticate headers, in order. */
    private static List<Map<String, String>> challenges(Response r) {
        List<Map<String, String>> out = new ArrayList<>();
        for (var it = r.getHeaders("WWW-Authenticate"); it.hasNext(); ) {
            String text = ((Header) it.next()).toString().trim();
            assertThat(text).startsWith("WWW-Authenticate: Digest ");
            Map<String, String> p = new HashMap<>();
            Matcher m = Pattern.compile("(\\w+)=(\"([^\"]*)\"|[^,\\s]+)").matcher(text.substring(text.indexOf("Digest ") + 7));
            while (m.find()) p.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
            out.add(p);
        }
        return out;
    }

    private static String authorization(DigestAlgorithm alg, String user, String password, String nonce, String nc, String uri, boolean qop) {
        String ha1 = alg.ha1(user, REALM, password);
        String cnonce = "c0ffee";
        String response = alg.response(ha1, nonce, nc, cnonce, qop ? "auth" : null, "REGISTER", uri);
        return "Authorization: Digest username=\"" + user + "\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=" + alg.token()
                + (qop ? ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\"" : "");
    }

    private String nonce() throws Exception {
        Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "n" + System.nanoTime(), 1));
        assertThat(r.getStatusCode()).isEqualTo(401);
        return challenges(r).get(0).get("nonce");
    }

    @Test
    void withoutCredentialsTheAnswerIs401OfferingSha256ThenMd5AndNothingIsStored() throws Exception {
        Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "a", 1));
        assertThat(r.getStatusCode()).isEqualTo(401);
        List<Map<String, String>> c = challenges(r);
        assertThat(c).hasSize(2);
        assertThat(c.get(0)).containsEntry("algorithm", "SHA-256").containsEntry("qop", "auth").containsEntry("realm", REALM)
                .doesNotContainKey("stale");
        assertThat(c.get(1)).containsEntry("algorithm", "MD5").containsEntry("nonce", c.get(0).get("nonce"));
    }

    @Test
    void md5Sha256AndNoQopCredentialsRegister() throws Exception {
        int i = 0;
        for (DigestAlgorithm alg : DigestAlgorithm.values()) {
            for (boolean qop : new boolean[] {true, false}) {
                String callId = "ok" + i++;
                Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", callId, 2,
                        authorization(alg, "alice", "secret", nonce(), "00000001", "sip:screamrouter.local", qop)));
                assertThat(r.getStatusCode()).as(alg + " qop " + qop).isEqualTo(200);
            }
        }
        assertThat(auth.authenticate(new FakeExchange(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "u", 3,
                authorization(DigestAlgorithm.SHA_256, "alice", "secret", nonce(), "00000001", "sip:screamrouter.local", true)), "127.0.0.1", 1)))
                .isEqualTo(SipAuthenticator.Outcome.authenticated("alice"));
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSamePlain401AndNothingIsStored() throws Exception {
        Response wrong = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "w", 2,
                authorization(DigestAlgorithm.MD5, "alice", "guess", nonce(), "00000001", "sip:screamrouter.local", true)));
        Response unknown = send(register("sip:mallory@screamrouter.local", "sip:mallory@screamrouter.local", "u", 2,
                authorization(DigestAlgorithm.MD5, "mallory", "secret", nonce(), "00000001", "sip:screamrouter.local", true)));
        for (Response r : List.of(wrong, unknown)) {
            assertThat(r.getStatusCode()).isEqualTo(401);
            assertThat(r.getReasonPhrase()).isEqualTo("Unauthorized");
            assertThat(challenges(r)).hasSize(2).allSatisfy(c -> assertThat(c).doesNotContainKey("stale"));
        }
    }

    @Test
    void aReplayedNonceCountIsRefusedAndAHigherOneAccepted() throws Exception {
        String nonce = nonce();
        String a1 = authorization(DigestAlgorithm.SHA_256, "alice", "secret", nonce, "00000001", "sip:screamrouter.local", true);
        assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "r", 2, a1)).getStatusCode()).isEqualTo(200);
        // the same credentials again, in a new request (another branch): a replay
        Response replay = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "r", 3, a1));
        assertThat(replay.getStatusCode()).isEqualTo(401);
        assertThat(challenges(replay).get(0)).doesNotContainKey("stale");
        String a2 = authorization(DigestAlgorithm.SHA_256, "alice", "secret", nonce, "00000002", "sip:screamrouter.local", true);
        assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "r", 4, a2)).getStatusCode()).isEqualTo(200);
        // without qop a nonce is good once
        String n2 = nonce();
        String old = authorization(DigestAlgorithm.MD5, "alice", "secret", n2, null, "sip:screamrouter.local", false);
        assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "r", 5, old)).getStatusCode()).isEqualTo(200);
        assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "r", 6, old)).getStatusCode()).isEqualTo(401);
    }

    @Test
    void anExpiredNonceWithTheRightResponseGetsStaleTrueAndWithAWrongOneAPlain401() throws Exception {
        String nonce = nonce();
        clock.advance(Duration.ofSeconds(301));
        Response stale = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "s", 2,
                authorization(DigestAlgorithm.MD5, "alice", "secret", nonce, "00000001", "sip:screamrouter.local", true)));
        assertThat(stale.getStatusCode()).isEqualTo(401);
        assertThat(challenges(stale)).allSatisfy(c -> assertThat(c).containsEntry("stale", "true"));
        assertThat(challenges(stale).get(0).get("nonce")).isNotEqualTo(nonce);
        Response wrong = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "s", 3,
                authorization(DigestAlgorithm.MD5, "alice", "guess", nonce, "00000001", "sip:screamrouter.local", true)));
        assertThat(challenges(wrong).get(0)).doesNotContainKey("stale");
    }

    @Test
    void aNonceThisServerDidNotIssueGetsAFreshChallenge() throws Exception {
        String forged = nonce();
        forged = (forged.charAt(0) == 'A' ? 'B' : 'A') + forged.substring(1);
        Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "f", 2,
                authorization(DigestAlgorithm.MD5, "alice", "secret", forged, "00000001", "sip:screamrouter.local", true)));
        assertThat(r.getStatusCode()).isEqualTo(401);
    }

    @Test
    void malformedCredentialsGet400NamingTheFault() throws Exception {
        String nonce = nonce();
        String good = authorization(DigestAlgorithm.MD5, "alice", "secret", nonce, "00000001", "sip:screamrouter.local", true);
        Map<String, String> cases = Map.of(
                good.replace("nonce=\"" + nonce + "\", ", ""), "Authorization lacks nonce",
                good.replace(", cnonce=\"c0ffee\"", ""), "Authorization lacks cnonce",
                good.replace("qop=auth", "qop=auth-int"), "Unsupported qop auth-int",
                good.replace("algorithm=MD5", "algorithm=SHA-512-256"), "Unsupported digest algorithm SHA-512-256",
                good.replace("nc=00000001", "nc=1"), "Malformed nc (8 hex digits)",
                authorization(DigestAlgorithm.MD5, "alice", "secret", nonce, "00000001", "sip:elsewhere.example", true),
                "Digest uri does not match the Request-URI");
        int i = 0;
        for (var c : cases.entrySet()) {
            Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "m" + i++, 2, c.getKey()));
            assertThat(r.getStatusCode()).as(c.getValue()).isEqualTo(400);
            assertThat(r.getReasonPhrase()).isEqualTo("Bad Request (" + c.getValue() + ")");
        }
    }

    @Test
    void aUserOwnsItsOwnAorOnAnyHostAndItsListedExtraAorsOnly() {
        assertThat(auth.owns("alice", "sip:alice@screamrouter.local")).isTrue();
        assertThat(auth.owns("alice", "sip:alice@127.0.0.1")).isTrue();
        assertThat(auth.owns("alice", "sip:bob@screamrouter.local")).isFalse();
        // a ScreamRouter device's binding is filed under sip:<uuid>@<domain>: its user lists it
        assertThat(auth.owns("dev", "sip:3f1c@screamrouter.local")).isTrue();
        assertThat(auth.owns("dev", "sip:9999@screamrouter.local")).isFalse();
        assertThat(auth.owns("mallory", "sip:3f1c@screamrouter.local")).isFalse();
    }

    @Test
    void regaut01AnUnknownSchemeIsChallenged() throws Exception {
        Path corpus = Path.of(System.getProperty("corpus.dir"), "rfc4475", "regaut01.dat");
        String raw = Files.readString(corpus).replace("\r\n", "\n").replace("sip:example.com", "sip:screamrouter.local");
        Response r = send(raw);
        assertThat(r.getStatusCode()).isEqualTo(401);
        assertThat(challenges(r)).hasSize(2);
    }

    @Test
    void theOfferedAlgorithmsAndTheirOrderAreConfiguredAndAnAlgorithmNotOfferedIsRefused() throws Exception {
        auth.modified(props(Map.of("auth_mode", "digest", "auth_algorithms", new String[] {"MD5, SHA-256"},
                "auth_users_file", usersFile.toString())));
        Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "g", 1));
        assertThat(challenges(r)).extracting(c -> c.get("algorithm")).containsExactly("MD5", "SHA-256");
        auth.modified(props(Map.of("auth_mode", "digest", "auth_algorithms", new String[] {"SHA-256", "bogus"},
                "auth_users_file", usersFile.toString())));
        String nonce = nonce();
        Response md5 = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "g", 2,
                authorization(DigestAlgorithm.MD5, "alice", "secret", nonce, "00000001", "sip:screamrouter.local", true)));
        assertThat(md5.getStatusCode()).isEqualTo(400);
        assertThat(md5.getReasonPhrase()).isEqualTo("Bad Request (Unsupported digest algorithm MD5)");
        assertThat(challenges(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "g", 3))))
                .extracting(c -> c.get("algorithm")).containsExactly("SHA-256");
    }

    @Test
    void aNewInstanceWithTheSameKeyFileAnswersAnEarlierNonceWithStaleTrueNotAPlain401() throws Exception {
        String nonce = nonce();
        String credentials = authorization(DigestAlgorithm.MD5, "alice", "secret", nonce, "00000001", "sip:screamrouter.local", true);
        clock.advance(Duration.ofSeconds(1));
        // what a bundle update does: a new component over the same files, its replay memory empty
        DigestAuthenticator swapped = new DigestAuthenticator(FakeExchange.MESSAGES, props(Map.of("auth_mode", "digest",
                "auth_users_file", usersFile.toString())), pid -> Map.of(), clock, dir.resolve("auth-nonce.key"));
        try {
            current = swapped;
            Response r = send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "h", 2, credentials));
            assertThat(r.getStatusCode()).isEqualTo(401);
            assertThat(challenges(r)).allSatisfy(c -> assertThat(c).containsEntry("stale", "true"));
            String fresh = challenges(r).get(0).get("nonce");
            assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "h", 3,
                    authorization(DigestAlgorithm.MD5, "alice", "secret", fresh, "00000001", "sip:screamrouter.local", true))).getStatusCode())
                    .isEqualTo(200);
        } finally {
            swapped.deactivate();
        }
    }

    @Test
    void aUsersFileSetFromTheShellWithKarafEtcIsExpanded() {
        String old = System.getProperty("karaf.etc");
        System.setProperty("karaf.etc", dir.toString());
        try {
            assertThat(DigestAuthenticator.Settings.of(RegistrarKeys.config(props(Map.of("auth_users_file", "${karaf.etc}/u")))).usersFile())
                    .isEqualTo(dir.resolve("u"));
            assertThat(DigestAuthenticator.Settings.of(RegistrarKeys.config(props(Map.of()))).usersFile()).isEqualTo(dir.resolve("screamrouter-sip.users"));
        } finally {
            if (old == null) System.clearProperty("karaf.etc");
            else System.setProperty("karaf.etc", old);
        }
    }

    @Test
    void modeNoneAndUnchallengedMethodsProceedWithoutUser() throws Exception {
        auth.modified(props(Map.of("auth_mode", "digest", "auth_methods", new String[] {"INVITE"},
                "auth_users_file", usersFile.toString())));
        assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "o", 1)).getStatusCode()).isEqualTo(200);
        auth.modified(props(Map.of("auth_users_file", usersFile.toString())));
        assertThat(send(register("sip:bob@screamrouter.local", "sip:bob@screamrouter.local", "p", 1)).getStatusCode()).isEqualTo(200);
        // a mode that is neither none nor digest fails closed
        auth.modified(props(Map.of("auth_mode", "digets", "auth_users_file", usersFile.toString())));
        assertThat(send(register("sip:bob@screamrouter.local", "sip:bob@screamrouter.local", "q", 1)).getStatusCode()).isEqualTo(401);
    }

    @Test
    void authTransportsChallengeOnlyTheTransportsNamedAndAnEmptyListMeansAll() throws Exception {
        auth.modified(props(Map.of("auth_mode", "digest", "auth_transports", new String[] {"ws,wss"},
                "auth_users_file", usersFile.toString())));
        assertThat(sendOver("udp", register("sip:bob@screamrouter.local", "sip:bob@screamrouter.local", "t1", 1)).getStatusCode()).isEqualTo(200);
        assertThat(sendOver("tls", register("sip:bob@screamrouter.local", "sip:bob@screamrouter.local", "t2", 1)).getStatusCode()).isEqualTo(200);
        assertThat(sendOver("ws", register("sip:carol@screamrouter.local", "sip:carol@screamrouter.local", "t3", 1)).getStatusCode()).isEqualTo(401);
        assertThat(sendOver("wss", register("sip:carol@screamrouter.local", "sip:carol@screamrouter.local", "t4", 1)).getStatusCode()).isEqualTo(401);
        // a list naming no transport (a typo) fails closed: every transport is challenged
        auth.modified(props(Map.of("auth_mode", "digest", "auth_transports", new String[] {"sctp"},
                "auth_users_file", usersFile.toString())));
        assertThat(sendOver("udp", register("sip:dave@screamrouter.local", "sip:dave@screamrouter.local", "t5", 1)).getStatusCode()).isEqualTo(401);
    }

    @Test
    void setPasswordWritesHashesThatAuthenticateAndAnEditedFileIsReadAgain() throws Exception {
        auth.setPassword("carol", "pa55".toCharArray(), List.of("sip:c2@screamrouter.local"));
        assertThat(Files.readString(usersFile)).doesNotContain("pa55").contains("carol " + DigestAlgorithm.MD5.ha1("carol", REALM, "pa55"));
        assertThat(auth.user("carol").orElseThrow().extraAddressesOfRecord()).containsExactly("sip:c2@screamrouter.local");
        assertThat(send(register("sip:c2@screamrouter.local", "sip:c2@screamrouter.local", "c", 2,
                authorization(DigestAlgorithm.MD5, "carol", "pa55", nonce(), "00000001", "sip:screamrouter.local", true))).getStatusCode())
                .isEqualTo(200);
        Files.writeString(usersFile, line("alice", "changed") + "\n");
        Files.setLastModifiedTime(usersFile, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(5)));
        auth.refreshUsersForTest();
        assertThat(auth.users()).extracting(u -> u.name()).containsExactly("alice");
        assertThat(send(register("sip:alice@screamrouter.local", "sip:alice@screamrouter.local", "c", 3,
                authorization(DigestAlgorithm.MD5, "alice", "changed", nonce(), "00000001", "sip:screamrouter.local", true))).getStatusCode())
                .isEqualTo(200);
    }
}
