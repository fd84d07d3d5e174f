package org.screamrouter.sip.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.address.URI;
import javax.sip.message.Request;
import org.screamrouter.sip.client.Content;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.Subscription;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipMessages;

/**
 * A {@link SipClient} that sends OPTIONS and ready-made requests (as the server's components use it): each is kept
 * in {@link #sent} and answered by the test. OPTIONS are built as the real client builds them. The rest of the client
 * is not there (UnsupportedOperationException).
 */
public final class RecordingClient implements SipClient {
    private static final SipMessages MESSAGES = TestMessages.MESSAGES;
    public final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());

    private CompletionStage<SipReply> record(Request request, Flow target, Duration timeout) {
        Sent s = new Sent(request, target, timeout, new CompletableFuture<>());
        sent.add(s);
        return s.answer().thenApply(SipReply::of);
    }

    @Override
    public Duration defaultTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    public CompletionStage<SipReply> options(Flow target, String requestUri, String from, Duration timeout) {
        try {
            URI uri = MESSAGES.addresses().createURI(requestUri);
            Request r = MESSAGES.messages().createRequest(uri, Request.OPTIONS,
                    MESSAGES.headers().createCallIdHeader(UUID.randomUUID().toString()),
                    MESSAGES.headers().createCSeqHeader(1L, Request.OPTIONS),
                    MESSAGES.headers().createFromHeader(MESSAGES.addresses().createAddress(from), "t1"),
                    MESSAGES.headers().createToHeader(MESSAGES.addresses().createAddress(uri), null),
                    new ArrayList<>(), MESSAGES.headers().createMaxForwardsHeader(70));
            return record(r, target, timeout);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public CompletionStage<SipReply> send(Request request, Flow target, Duration timeout) {
        return record(request, target, timeout);
    }

    @Override
    public CompletionStage<Registration> register(Flow registrar, String aor, String contact, int expires, Credentials credentials,
                                                  Content content) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Registration> refresh(Registration registration, int expires) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<SipReply> unregister(Registration registration) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ManagedRegistration manage(Flow registrar, String aor, String contact, int expires, Credentials credentials,
                                      Content content) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<SipReply> message(Flow target, String requestUri, String body, String contentType) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<SipReply> publish(Flow target, String requestUri, String event, int expires, String entityTag,
                                             String body, String contentType) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Subscription> subscribe(Flow target, String requestUri, String event, int expires,
                                                   Subscription.Listener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<SipReply> send(String rawRequest, Flow target, Duration timeout) {
        throw new UnsupportedOperationException();
    }
}
