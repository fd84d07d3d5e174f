package org.screamrouter.sip.presence;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.registrar.StoreStatus;

/** What the presence server is serving now: its subscriptions (watchers) and the publications devices made. */
@ProviderType
public interface PresenceService {
    /** Every live subscription, ordered by id. */
    List<SubscriptionInfo> subscriptions();

    /** Every publication that has not expired, ordered by resource. */
    List<PublicationInfo> publications();

    /**
     * The health of the presence store file: kept, moved aside because it could not be read, or not used (locked by
     * another server) with subscriptions kept in memory only.
     *
     * @since 1.1
     */
    default StoreStatus storeStatus() {
        throw new UnsupportedOperationException("storeStatus is not supported by " + getClass().getName());
    }
}
