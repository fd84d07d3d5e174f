package org.screamrouter.sip.client;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A registration kept alive by the client: refreshed at 85% of the granted expiry, retried with an
 * exponential backoff (1 s, 2 s, 4 s ... at most 30 s) after a failure, until closed.
 */
@ProviderType
public interface ManagedRegistration extends AutoCloseable {
    RegistrationState state();

    /**
     * Called on every change of state, on the client's executor (never on the stack's threads); also called
     * once at once with the current state.
     *
     * @return closing it removes the listener
     */
    AutoCloseable onChange(Consumer<RegistrationState> listener);

    /** Stops refreshing and unregisters (Expires: 0) when registered; completes with the unregister's reply. */
    CompletionStage<SipReply> unregister();

    /** Same as {@link #unregister()} without waiting. */
    @Override
    void close();
}
