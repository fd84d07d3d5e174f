package org.screamrouter.sip.client;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import javax.sip.message.Request;
import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.stack.Flow;

/**
 * Sends SIP requests as a user agent client. Every request goes to a {@link Flow} (transport and IP literal:
 * see {@link NextHop}); the Request-URI may name anything and is never resolved.
 *
 * <p>Every call returns at once; the stage completes on the client's executor (never on the stack's
 * threads) with the final response, or exceptionally with {@link org.screamrouter.sip.stack.SipTimeoutException}
 * when none arrives in time and {@link org.screamrouter.sip.stack.SipTransportException} when the request
 * cannot be sent. REGISTER and SUBSCRIBE complete exceptionally with {@link SipRejectedException} on a final
 * failure response; the other requests complete with whatever final response arrives.
 */
@ProviderType
public interface SipClient {
    /** The timeout of calls that name none. */
    Duration defaultTimeout();

    /**
     * REGISTER {@code contact} for {@code addressOfRecord} (e.g. {@code sip:alice@127.0.0.1}) at the
     * registrar. The Request-URI is the AOR's domain (RFC 3261 10.2).
     *
     * @param expires requested expiry in seconds
     */
    default CompletionStage<Registration> register(Flow registrar, String addressOfRecord, String contact, int expires) {
        return register(registrar, addressOfRecord, contact, expires, null);
    }

    /**
     * REGISTER answering 401/407 digest challenges with {@code credentials} (MD5 or SHA-256, SHA-256
     * preferred; {@code qop=auth}); a challenge with {@code stale=true} is answered again with its new
     * nonce; a second challenge for credentials already sent fails with that response.
     */
    default CompletionStage<Registration> register(Flow registrar, String addressOfRecord, String contact, int expires,
                                                   Credentials credentials) {
        return register(registrar, addressOfRecord, contact, expires, credentials, null);
    }

    /**
     * REGISTER with a body sent on every REGISTER of the binding but the unregister (a ScreamRouter device's
     * SDP capabilities); {@code credentials} and {@code content} may be null.
     */
    CompletionStage<Registration> register(Flow registrar, String addressOfRecord, String contact, int expires,
                                           Credentials credentials, Content content);

    /** REGISTER again with the same Call-ID (CSeq + 1), asking for {@code expires} seconds. */
    CompletionStage<Registration> refresh(Registration registration, int expires);

    /** Removes the binding: REGISTER with {@code Expires: 0} for the contact, same Call-ID. */
    CompletionStage<SipReply> unregister(Registration registration);

    /**
     * A registration the client keeps: registers, refreshes at 85% of the granted expiry, backs off on
     * failure (at most 30 s between tries), until {@link ManagedRegistration#close()}.
     */
    default ManagedRegistration manage(Flow registrar, String addressOfRecord, String contact, int expires, Credentials credentials) {
        return manage(registrar, addressOfRecord, contact, expires, credentials, null);
    }

    /** A managed registration whose REGISTERs carry {@code content} (may be null). */
    ManagedRegistration manage(Flow registrar, String addressOfRecord, String contact, int expires, Credentials credentials,
                               Content content);

    /** OPTIONS with Request-URI {@code sip:address:port} of the flow. */
    default CompletionStage<SipReply> options(Flow target) {
        return options(target, "sip:" + uriHost(target), null, defaultTimeout());
    }

    /**
     * OPTIONS.
     *
     * @param requestUri e.g. the Contact of a device
     * @param from       the From address; null for the client's own
     */
    CompletionStage<SipReply> options(Flow target, String requestUri, String from, Duration timeout);

    /** MESSAGE (RFC 3428) with a body. */
    CompletionStage<SipReply> message(Flow target, String requestUri, String body, String contentType);

    /**
     * PUBLISH (RFC 3903) of an event state.
     *
     * @param entityTag the SIP-ETag of an earlier publication to refresh or modify, or null for a new one
     * @param body      null for a refresh without body
     */
    CompletionStage<SipReply> publish(Flow target, String requestUri, String event, int expires, String entityTag,
                                      String body, String contentType);

    /**
     * SUBSCRIBE (RFC 6665) to {@code event} of {@code requestUri}. Completes when the 2xx arrives; NOTIFYs
     * (including one racing the 2xx) go to the listener. Refreshed before expiry until unsubscribed.
     */
    CompletionStage<Subscription> subscribe(Flow target, String requestUri, String event, int expires,
                                            Subscription.Listener listener);

    /**
     * Sends a request built by the caller, as it is (a Via is added when it has none), in a client
     * transaction; completes with its final response.
     */
    CompletionStage<SipReply> send(Request request, Flow target, Duration timeout);

    /** Parses the request text (headers and body, CRLF line ends) and sends it as {@link #send(Request, Flow, Duration)}. */
    CompletionStage<SipReply> send(String rawRequest, Flow target, Duration timeout);

    /** {@code address:port} of a flow as a URI host part ({@code [v6]:port}). */
    static String uriHost(Flow flow) {
        String a = flow.address();
        return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + flow.port();
    }
}
