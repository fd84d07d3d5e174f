package org.screamrouter.sip.presence;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What the presence server is serving now: its subscriptions (watchers) and the publications devices made. */
@ProviderType
public interface PresenceService {
    /** Every live subscription, ordered by id. */
    List<SubscriptionInfo> subscriptions();

    /** Every publication that has not expired, ordered by resource. */
    List<PublicationInfo> publications();
}
