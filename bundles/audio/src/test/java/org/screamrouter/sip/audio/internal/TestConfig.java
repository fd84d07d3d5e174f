package org.screamrouter.sip.audio.internal;

import java.util.Map;
import org.screamrouter.sip.testsupport.Configs;

/** An {@link AudioConfig} with the metatype defaults and some values overridden, as SCR would pass it. */
final class TestConfig {
    private TestConfig() {
    }

    static AudioConfig of(Map<String, Object> overrides) {
        return Configs.of(AudioConfig.class, overrides);
    }
}
