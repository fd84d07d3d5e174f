package org.screamrouter.sip.client;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.address.Address;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.digest.DigestAlgorithm;
import org.screamrouter.sip.stack.standalone.StackSettings;
import org.screamrouter.sip.stack.standalone.StandaloneSipStack;

/**
 * A small registrar and notifier on a real {@link StandaloneSipStack} for the client's tests: digest auth
 * with the server-side formula of {@link DigestAlgorithm} (MD5 and SHA-256 offered, qop=auth), nonces that
 * the test can expire (answered with stale=true), expiry capped at {@link #maxExpires}, and a presence-like
 * SUBSCRIBE handler that sends real NOTIFYs.
 */
final class TestServer implements AutoCloseable {
    static final String REALM = "test.realm";
    private static final SecureRandom RANDOM = new SecureRandom();

    final StandaloneSipStack stack;
    final List<Request> registers = new CopyOnWriteArrayList<>();
    final List<Request> subscribes = new CopyOnWriteArrayList<>();
    final Map<String, Integer> bindings = new ConcurrentHashMap<>();
    final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Set<String> nonces = ConcurrentHashMap.newKeySet();
    private final Set<String> expiredNonces = ConcurrentHashMap.newKeySet();
    private final AtomicLong notifyCSeq = new AtomicLong();
    volatile boolean auth;
    volatile int maxExpires = 3600;
    volatile int subscriptionExpires = 60;

    TestServer() {
        this(null);
    }

    /** With {@code tls}, also on TLS with a certificate generated there. */
    TestServer(StackSettings.Tls tls) {
        stack = StandaloneSipStack.open(new StackSettings("127.0.0.1", 0, -1, "test-server", tls));
        stack.handle(Request.REGISTER, this::register);
        stack.handle(Request.SUBSCRIBE, this::subscribe);
        stack.handle(Request.OPTIONS, exchange -> {
            Response ok = exchange.createResponse(200);
            ok.setHeader(stack.headers().createAllowHeader("REGISTER, OPTIONS, SUBSCRIBE"));
            exchange.respond(ok);
        });
        stack.handle(Request.PUBLISH, exchange -> {
            Response ok = exchange.createResponse(200);
            ok.setHeader(stack.headers().createSIPETagHeader("etag-1"));
            exchange.respond(ok);
        });
    }

    Flow flow() {
        return new Flow("udp", new InetSocketAddress("127.0.0.1", stack.listeningPoint("udp").port()));
    }

    Flow tlsFlow() {
        return new Flow("tls", new InetSocketAddress("127.0.0.1", stack.listeningPoint("tls").port()));
    }

    /** Every nonce handed out so far is now too old: credentials with it get a stale=true challenge. */
    void expireNonces() {
        expiredNonces.addAll(nonces);
        nonces.clear();
    }

    private void register(SipExchange exchange) throws Exception {
        Request r = exchange.request();
        registers.add(r);
        if (auth) {
            AuthorizationHeader a = (AuthorizationHeader) r.getHeader(AuthorizationHeader.NAME);
            if (a == null) {
                challenge(exchange, false);
                return;
            }
            if (expiredNonces.contains(a.getNonce())) {
                challenge(exchange, true);
                return;
            }
            String password = passwords.get(a.getUsername());
            DigestAlgorithm algorithm = DigestAlgorithm.fromToken(a.getAlgorithm()).orElseThrow();
            String nc = String.format("%08x", a.getNonceCount());
            if (password == null || !nonces.contains(a.getNonce())
                    || !DigestAlgorithm.matches(algorithm.response(algorithm.ha1(a.getUsername(), a.getRealm(), password),
                    a.getNonce(), nc, a.getCNonce(), a.getQop(), r.getMethod(), a.getURI().toString()), a.getResponse())) {
                challenge(exchange, false);
                return;
            }
        }
        ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
        int wanted = ((ExpiresHeader) r.getHeader(ExpiresHeader.NAME)).getExpires();
        int granted = Math.min(wanted, maxExpires);
        String uri = contact.getAddress().getURI().toString();
        if (granted == 0) bindings.remove(uri);
        else bindings.put(uri, granted);
        Response ok = exchange.createResponse(200);
        bindings.forEach((c, e) -> {
            try {
                ContactHeader h = stack.headers().createContactHeader(stack.addresses().createAddress(c));
                h.setExpires(e);
                ok.addHeader(h);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        exchange.respond(ok);
    }

    private void challenge(SipExchange exchange, boolean stale) throws Exception {
        Response challenge = exchange.createResponse(401);
        for (DigestAlgorithm algorithm : List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256)) {
            byte[] b = new byte[8];
            RANDOM.nextBytes(b);
            String nonce = HexFormat.of().formatHex(b);
            nonces.add(nonce);
            challenge.addHeader(stack.headers().createHeader("WWW-Authenticate", "Digest realm=\"" + REALM + "\", nonce=\""
                    + nonce + "\", algorithm=" + algorithm.token() + ", qop=\"auth\"" + (stale ? ", stale=true" : "")));
        }
        exchange.respond(challenge);
    }

    private void subscribe(SipExchange exchange) throws Exception {
        Request r = exchange.request();
        subscribes.add(r);
        int expires = Math.min(((ExpiresHeader) r.getHeader(ExpiresHeader.NAME)).getExpires(), subscriptionExpires);
        Response ok = exchange.createResponse(200);
        ok.setHeader(stack.headers().createExpiresHeader(expires));
        ok.setHeader(stack.headers().createContactHeader(stack.addresses().createAddress("sip:notifier@127.0.0.1:" + flow().port())));
        exchange.respond(ok);
        String ourTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        String state = expires == 0 ? "terminated;reason=timeout" : "active;expires=" + expires;
        notify(r, ourTag, exchange.flow(), state, "notice " + subscribes.size());
    }

    /** A NOTIFY in the dialog of a SUBSCRIBE, sent to the flow it came from. */
    void notify(Request subscribe, String ourTag, Flow flow, String state, String body) throws Exception {
        FromHeader subscriber = (FromHeader) subscribe.getHeader(FromHeader.NAME);
        ToHeader notifier = (ToHeader) subscribe.getHeader(ToHeader.NAME);
        Address target = ((ContactHeader) subscribe.getHeader(ContactHeader.NAME)).getAddress();
        Request notify = stack.messages().createRequest(target.getURI(), Request.NOTIFY,
                (CallIdHeader) subscribe.getHeader(CallIdHeader.NAME),
                stack.headers().createCSeqHeader(notifyCSeq.incrementAndGet(), Request.NOTIFY),
                stack.headers().createFromHeader(notifier.getAddress(), ourTag),
                stack.headers().createToHeader(subscriber.getAddress(), subscriber.getTag()),
                new java.util.ArrayList<>(), stack.headers().createMaxForwardsHeader(70));
        notify.addHeader((EventHeader) subscribe.getHeader(EventHeader.NAME));
        notify.addHeader(stack.headers().createHeader("Subscription-State", state));
        notify.setContent(body, stack.headers().createContentTypeHeader("text", "plain"));
        stack.send(notify, flow, Duration.ofSeconds(5)).whenComplete((r, e) ->
                org.slf4j.LoggerFactory.getLogger(TestServer.class).debug("NOTIFY {} answered {}", state, e != null ? e : r.getStatusCode()));
    }

    @Override
    public void close() {
        stack.close();
    }

    static long cseq(Request r) {
        return ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    static String callId(Request r) {
        return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    }

    static int expires(Request r) {
        return ((ExpiresHeader) r.getHeader(ExpiresHeader.NAME)).getExpires();
    }

}
