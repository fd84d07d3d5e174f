package org.screamrouter.sip.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigPathTest {
    private final String saved = System.getProperty("karaf.data");

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("karaf.data");
        } else {
            System.setProperty("karaf.data", saved);
        }
    }

    @Test
    void theDefaultLivesUnderTheKarafDataFolder() {
        System.setProperty("karaf.data", "/opt/screamrouter-sip/data");
        assertThat(ConfigurationManagerComponent.resolvePath("${karaf.data}/screamrouter/config.yaml", null))
                .isEqualTo(Path.of("/opt/screamrouter-sip/data/screamrouter/config.yaml"));
        assertThat(ConfigurationManagerComponent.resolvePath("", null))
                .isEqualTo(Path.of("/opt/screamrouter-sip/data/screamrouter/config.yaml"));
    }

    @Test
    void aConfiguredPathIsTakenAsItIsWithUnknownPropertiesLeftVisible() {
        assertThat(ConfigurationManagerComponent.resolvePath(" /home/audio/.screamrouter/config.yaml ", null))
                .isEqualTo(Path.of("/home/audio/.screamrouter/config.yaml"));
        assertThat(ConfigurationManagerComponent.resolvePath("/srv/${no.such.property}/config.yaml", null))
                .isEqualTo(Path.of("/srv/${no.such.property}/config.yaml"));
    }
}
