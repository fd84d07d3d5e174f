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
}
