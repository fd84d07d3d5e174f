package org.screamrouter.sip.config.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.config}: which config.yaml, and how writes are paced. */
@ObjectClassDefinition(id = ConfigFileConfig.PID, name = "ScreamRouter SIP config.yaml",
        description = "Where registered SIP devices are written as ScreamRouter sources and sinks. A change restarts "
                + "the component: pending changes go to the old file first, then every known device is written to the new one.")
public @interface ConfigFileConfig {
    String PID = "org.screamrouter.sip.config";

    @AttributeDefinition(name = "config.yaml", description = "ScreamRouter's config.yaml. ${...} names a system property "
            + "(karaf.data, karaf.home); without karaf.data the file is screamrouter/config.yaml in the bundle's data area")
    String path() default "${karaf.data}/screamrouter/config.yaml";

    @AttributeDefinition(name = "Write delay (ms)", description = "Changes arriving within this window after the first "
            + "one are written together, in one write", min = "0")
    long write_delay_ms() default 500;

    @AttributeDefinition(name = "Poll interval (ms)", description = "How often the file's modification time and size are "
            + "looked at, to pick up edits made by ScreamRouter or by hand", min = "50")
    long poll_interval_ms() default 1000;

    @AttributeDefinition(name = "ScreamRouter API URL", description = "Empty (the default): device changes go to "
            + "config.yaml only. Set, e.g. https://127.0.0.1:443 : each change goes to the running ScreamRouter's HTTP "
            + "API instead (POST/PUT /sinks, /sources), and to config.yaml only while ScreamRouter does not answer. "
            + "http or https, with an IP literal or localhost as host (names are never resolved)", required = false)
    String screamrouter_url() default "";

    @AttributeDefinition(name = "ScreamRouter API timeout (ms)", description = "Connect and answer timeout of one request", min = "100")
    long screamrouter_timeout_ms() default 3000;

    @AttributeDefinition(name = "ScreamRouter API tries", description = "Attempts per change before ScreamRouter is taken "
            + "for down (unreachable) or the change for refused (ScreamRouter's error)", min = "1", max = "10")
    int screamrouter_tries() default 3;

    @AttributeDefinition(name = "ScreamRouter API backoff (ms)", description = "Wait before the second attempt, doubled "
            + "before each next one (500: 0.5 s, 1 s)", min = "0")
    long screamrouter_backoff_ms() default 500;

    @AttributeDefinition(name = "ScreamRouter API probe interval (ms)", description = "While ScreamRouter is down, how "
            + "often GET /sinks is tried; when it answers, every device's state is pushed", min = "100")
    long screamrouter_probe_interval_ms() default 10000;

    @AttributeDefinition(name = "ScreamRouter API certificate", description = "For an https URL: a PEM file holding the "
            + "certificate ScreamRouter serves (it makes its own, self-signed): exactly that certificate is trusted. "
            + "Empty: the JVM's trusted authorities, with the usual host check", required = false)
    String screamrouter_certificate() default "";
}
