package org.screamrouter.sip.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration PID {@code org.screamrouter.sip.auth}. The keys are those the registrar's PID had before the auth
 * bundle ({@code auth.*}); ones still found there are adopted while this PID leaves them unset ({@link RegistrarKeys}).
 */
@ObjectClassDefinition(id = AuthConfig.PID, name = "ScreamRouter SIP authentication",
        description = "Digest authentication of REGISTER, SUBSCRIBE, PUBLISH, INVITE and MESSAGE (docs/auth.md)")
public @interface AuthConfig {
    String PID = "org.screamrouter.sip.auth";

    @AttributeDefinition(name = "Authentication", description = "none: every request is served (a home LAN); digest: the methods "
            + "below are challenged (RFC 3261 22.4, SHA-256 and MD5)", options = {
            @Option(value = "none", label = "none"), @Option(value = "digest", label = "digest")})
    String auth_mode() default "none";

    @AttributeDefinition(name = "Realm", description = "The digest realm; empty: the registrar's domain. The file's hashes are computed for it")
    String auth_realm() default "";

    @AttributeDefinition(name = "Credentials file", description = "Users and their H(A1) hashes (see docs/auth.md); empty: "
            + "screamrouter-sip.users in the Karaf etc folder")
    String auth_users_file() default "";

    @AttributeDefinition(name = "Challenged methods", description = "Requests of these methods need credentials when the mode is digest")
    String[] auth_methods() default {"REGISTER", "SUBSCRIBE", "PUBLISH", "INVITE", "MESSAGE"};

    @AttributeDefinition(name = "Challenged transports", description = "Requests that arrive over these transports need credentials "
            + "when the mode is digest (udp, tcp, ws, tls, wss); e.g. ws,wss: browsers log in, devices on the LAN do not. "
            + "An empty or unknown list means all")
    String[] auth_transports() default {"udp", "tcp", "ws", "tls", "wss"};

    @AttributeDefinition(name = "Digest algorithms", description = "Offered in this order, one WWW-Authenticate each (SHA-256, MD5); "
            + "sipsak 0.9.8 reads only the first challenge (MD5 first), baresip 1.0 gives up on any SHA-256 one (MD5 only)")
    String[] auth_algorithms() default {"SHA-256", "MD5"};

    @AttributeDefinition(name = "Nonce lifetime (s)", description = "An older nonce gets a new challenge with stale=true", min = "1")
    int auth_nonce_lifetime() default 300;
}
