package org.screamrouter.sip.registrar.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.Subscription;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipMessages;

/**
 * A {@link SipClient} for the registrar's unit tests: OPTIONS are built as the real client builds them and
 * handed to the test, which answers them; the registrar uses nothing else of the client.
 */
final class RecordingClient implements SipClient {
    private static final SipMessages MESSAGES = FakeExchange.MESSAGES;
    private final BiFunction<Request, Flow, CompletionStage<Response>> wire;

    RecordingClient(BiFunction<Request, Flow, CompletionStage<Response>> wire) {
        this.wire = wire;
    }

    @Override
    public Duration defaultTimeout() {
        return Duration.ofSeconds(5);
    }

    @Override
    public CompletionStage<SipReply> options(Flow target, String requestUri, String from, Duration timeout) {
        try {
            var uri = MESSAGES.addresses().createURI(requestUri);
            Request r = MESSAGES.messages().createRequest(uri, Request.OPTIONS,
                    MESSAGES.headers().createCallIdHeader(UUID.randomUUID().toString()),
                    MESSAGES.headers().createCSeqHeader(1L, Request.OPTIONS),
                    MESSAGES.headers().createFromHeader(MESSAGES.addresses().createAddress(from), "t1"),
                    MESSAGES.headers().createToHeader(MESSAGES.addresses().createAddress(uri), null),
                    new ArrayList<>(), MESSAGES.headers().createMaxForwardsHeader(70));
            return wire.apply(r, target).thenApply(SipReply::of);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public CompletionStage<Registration> register(Flow registrar, String aor, String contact, int expires, Credentials credentials,
                                                  org.screamrouter.sip.client.Content content) {
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
                                      org.screamrouter.sip.client.Content content) {
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
    public CompletionStage<SipReply> send(Request request, Flow target, Duration timeout) {
        return wire.apply(request, target).thenApply(SipReply::of);
    }

    @Override
    public CompletionStage<SipReply> send(String rawRequest, Flow target, Duration timeout) {
        throw new UnsupportedOperationException();
    }
}
