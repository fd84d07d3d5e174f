package org.screamrouter.sip.registrar.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.registrar}. */
@ObjectClassDefinition(id = RegistrarConfig.PID, name = "ScreamRouter SIP registrar",
        description = "Registration lifetimes and limits (RFC 3261 section 10.3); authentication has its own PID, org.screamrouter.sip.auth")
public @interface RegistrarConfig {
    String PID = "org.screamrouter.sip.registrar";

    @AttributeDefinition(name = "Domain", description = "The SIP domain the registrar serves")
    String domain() default "screamrouter.local";

    @AttributeDefinition(name = "Router user", description = "A REGISTER whose To names this user (ScreamRouter devices register "
            + "To: sip:screamrouter@<server>) is filed under the device's own address-of-record sip:<uuid>@<domain>")
    String router_user() default "screamrouter";

    @AttributeDefinition(name = "Default expiry (s)", description = "When neither the Contact nor the request gives one", min = "1")
    int default_expires() default 3600;

    @AttributeDefinition(name = "Minimum expiry (s)", description = "Shorter requests get 423 with Min-Expires", min = "1")
    int min_expires() default 60;

    @AttributeDefinition(name = "Maximum expiry (s)", description = "Longer requests are granted this", min = "1")
    int max_expires() default 86400;

    @AttributeDefinition(name = "Contacts per address-of-record", min = "1")
    int max_contacts_per_aor() default 16;

    @AttributeDefinition(name = "Bindings in all", description = "Past this, new bindings get 503 with Retry-After", min = "1")
    int max_bindings() default 200000;

    @AttributeDefinition(name = "Bindings per address", description = "Bindings registered from one IP address; past this, new ones get 403", min = "1")
    int max_bindings_per_source() default 2000;

    @AttributeDefinition(name = "Devices in all", description = "Devices the registrar knows (online or not); past this, a new device gets 503 with Retry-After", min = "1")
    int max_devices() default 10000;

    @AttributeDefinition(name = "Devices per address", description = "Devices whose binding came from one IP address; past this, a new one gets 403", min = "1")
    int max_devices_per_source() default 2000;

    @AttributeDefinition(name = "Device expiry (s)", description = "An offline device without a binding, silent this long, is forgotten "
            + "(its config.yaml entries and ownership go too; the next REGISTER naming it is a new device)", min = "60")
    int device_expiry() default 2592000;

    @AttributeDefinition(name = "Keep-alive interval (s)", description = "How often every online device is pinged with OPTIONS", min = "1")
    int keepalive_interval() default 10;

    @AttributeDefinition(name = "Offline timeout (s)", description = "A device silent this long is marked offline (its details are kept)", min = "1")
    int offline_timeout() default 30;

    @AttributeDefinition(name = "Store", description = "File of the persisted bindings and devices; empty: screamrouter-sip/registrar.mv under the Karaf data folder")
    String store_path() default "";
}
