package org.screamrouter.sip.presence.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.presence}. */
@ObjectClassDefinition(id = PresenceConfig.PID, name = "ScreamRouter SIP presence",
        description = "SUBSCRIBE/NOTIFY (RFC 6665) for the presence (RFC 3856) and reg (RFC 3680) packages, PUBLISH (RFC 3903)")
public @interface PresenceConfig {
    String PID = "org.screamrouter.sip.presence";

    @AttributeDefinition(name = "Default expiry (s)", description = "For a SUBSCRIBE or PUBLISH without Expires", min = "1")
    int default_expires() default 3600;

    @AttributeDefinition(name = "Minimum expiry (s)", description = "Shorter requests get 423 with Min-Expires", min = "1")
    int min_expires() default 60;

    @AttributeDefinition(name = "Maximum expiry (s)", description = "Longer requests are granted this", min = "1")
    int max_expires() default 86400;

    @AttributeDefinition(name = "Subscriptions in all", description = "Past this, new subscriptions get 503 with Retry-After", min = "1")
    int max_subscriptions() default 10000;

    @AttributeDefinition(name = "Subscriptions per address", description = "Subscriptions made from one IP address; past this, new ones get 403", min = "1")
    int max_subscriptions_per_source() default 2000;

    @AttributeDefinition(name = "NOTIFY timeout (ms)", description = "A NOTIFY without a final answer in this time ends its subscription", min = "100")
    int notify_timeout_ms() default 32000;

    @AttributeDefinition(name = "Unproven NOTIFY timeout (ms)", description = "Over UDP a watcher first gets a NOTIFY "
            + "without state (Subscription-State: pending): its 2xx proves the SUBSCRIBE's source was its own. Without an "
            + "answer in this time the subscription ends, and retransmissions stop", min = "100")
    int unproven_notify_timeout_ms() default 2000;

    @AttributeDefinition(name = "Watchers of every registration", description = "Users (the authenticated user with "
            + "digest on, else the From user) who may subscribe to the reg package of the router's own URI, which lists "
            + "every device. Empty: nobody", required = false)
    String[] reg_all_watchers() default {};

    @AttributeDefinition(name = "Router user", description = "Subscribing to the reg package of sip:<this user>@... watches every "
            + "registration (the registrar's router.user)")
    String router_user() default "screamrouter";

    @AttributeDefinition(name = "Store", description = "File of the persisted subscriptions and publications; empty: "
            + "screamrouter-sip/presence.mv under the Karaf data folder")
    String store_path() default "";
}
