package org.screamrouter.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one rule for where the server keeps its files (issue 16 item 6: the registrar, presence and auth had copies). */
class DataFilesTest {
    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty("karaf.data");
    }

    @AfterEach
    void restore() {
        if (before == null) System.clearProperty("karaf.data");
        else System.setProperty("karaf.data", before);
    }

    @Test
    void inKarafTheFileIsInTheServersFolderOfKarafData() {
        System.setProperty("karaf.data", "/srv/karaf/data");
        assertThat(DataFiles.serverFile("registrar.mv", name -> new File("/elsewhere", name)))
                .isEqualTo(Path.of("/srv/karaf/data", "screamrouter-sip", "registrar.mv"));
    }

    @Test
    void outsideKarafTheBundlesDataArea() {
        System.clearProperty("karaf.data");
        assertThat(DataFiles.serverFile("presence.mv", name -> new File("/felix-cache/bundle7/data", name)))
                .isEqualTo(Path.of("/felix-cache/bundle7/data/presence.mv"));
        assertThatThrownBy(() -> DataFiles.serverFile("presence.mv", name -> null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("presence.mv");
    }
}
