package org.screamrouter.sip.client.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sip.message.Request;
import org.screamrouter.sip.client.Content;
import org.screamrouter.sip.client.Credentials;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.SipClient;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.client.Subscription;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipTransportException;

/** A {@link SipClient} that hands every call to the {@link ClientCore} it has now (none: a transport failure). */
abstract class ForwardingClient implements SipClient {
    private volatile ClientCore core;

    ForwardingClient(ClientCore core) {
        this.core = core;
    }

    ClientCore core() {
        return core;
    }

    void core(ClientCore core) {
        this.core = core;
    }

    private ClientCore live() throws SipTransportException {
        ClientCore c = core;
        if (c == null) throw new SipTransportException("the SIP client is not active", null);
        return c;
    }

    private static <T> CompletionStage<T> gone(SipTransportException e) {
        return CompletableFuture.failedFuture(e);
    }

    @Override
    public Duration defaultTimeout() {
        ClientCore c = core;
        return c == null ? Duration.ofSeconds(8) : c.defaultTimeout();
    }

    @Override
    public CompletionStage<Registration> register(Flow registrar, String addressOfRecord, String contact, int expires, Credentials credentials,
                                                  Content content) {
        try { return live().register(registrar, addressOfRecord, contact, expires, credentials, content); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<Registration> refresh(Registration registration, int expires) {
        try { return live().refresh(registration, expires); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<SipReply> unregister(Registration registration) {
        try { return live().unregister(registration); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public ManagedRegistration manage(Flow registrar, String addressOfRecord, String contact, int expires, Credentials credentials,
                                      Content content) {
        ClientCore c = core;
        if (c == null) throw new IllegalStateException("the SIP client is not active");
        return c.manage(registrar, addressOfRecord, contact, expires, credentials, content);
    }

    @Override
    public CompletionStage<SipReply> options(Flow target, String requestUri, String from, Duration timeout) {
        try { return live().options(target, requestUri, from, timeout); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<SipReply> message(Flow target, String requestUri, String body, String contentType) {
        try { return live().message(target, requestUri, body, contentType); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<SipReply> publish(Flow target, String requestUri, String event, int expires, String entityTag, String body, String contentType) {
        try { return live().publish(target, requestUri, event, expires, entityTag, body, contentType); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<Subscription> subscribe(Flow target, String requestUri, String event, int expires, Subscription.Listener listener) {
        try { return live().subscribe(target, requestUri, event, expires, listener); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<SipReply> send(Request request, Flow target, Duration timeout) {
        try { return live().send(request, target, timeout); } catch (SipTransportException e) { return gone(e); }
    }

    @Override
    public CompletionStage<SipReply> send(String rawRequest, Flow target, Duration timeout) {
        try { return live().send(rawRequest, target, timeout); } catch (SipTransportException e) { return gone(e); }
    }
}
