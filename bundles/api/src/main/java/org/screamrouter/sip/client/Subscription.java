package org.screamrouter.sip.client;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A subscription (RFC 6665): every NOTIFY goes to its listener, it is refreshed before it expires, and
 * {@link #unsubscribe()} ends it with {@code Expires: 0}.
 */
@ProviderType
public interface Subscription extends AutoCloseable {
    String callId();

    String event();

    /** The expiry the notifier granted in its 2xx, in seconds. */
    int grantedExpires();

    /** Whether a NOTIFY said {@code terminated} or it was unsubscribed. */
    boolean terminated();

    /** SUBSCRIBE with Expires: 0; completes with the reply. */
    CompletionStage<SipReply> unsubscribe();

    @Override
    void close();

    /** Receives the NOTIFYs of a subscription, on the client's executor, in order of arrival. */
    @FunctionalInterface
    interface Listener {
        void notified(Notification notification);
    }
}
