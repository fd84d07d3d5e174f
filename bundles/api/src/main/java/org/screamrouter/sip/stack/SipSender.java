package org.screamrouter.sip.stack;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends requests outside a dialog (OPTIONS pings, NOTIFY, MESSAGE) to a {@link Flow}. The stack adds the
 * {@code Via} of the listening point for the flow's transport; the request is sent to the flow's address
 * whatever its Request-URI names, so no host name from a message is ever resolved.
 */
@ProviderType
public interface SipSender {
    /**
     * Sends the request in a client transaction and completes with its final response. Completes
     * exceptionally with {@link SipTimeoutException} when no final response arrives in time, and with
     * {@link SipTransportException} when the request cannot be sent.
     */
    CompletionStage<Response> send(Request request, Flow destination, Duration timeout);
}
