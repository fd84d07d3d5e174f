package org.screamrouter.sip.calls;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The calls in progress: INVITE dialogs in which a peer listens to a sink (for the shell and monitoring). */
@ProviderType
public interface Calls {
    /** Every call not yet ended, oldest first. */
    List<CallInfo> calls();

    /** One call by its Call-ID. */
    Optional<CallInfo> call(String callId);

    /**
     * Ends a call from the server side: BYE when it was answered, a final error response when it was not. Returns
     * false when no such call is in progress.
     */
    boolean hangup(String callId);
}
