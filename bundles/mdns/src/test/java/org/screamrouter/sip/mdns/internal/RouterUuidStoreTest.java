package org.screamrouter.sip.mdns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterUuidStoreTest {
    @Test
    void createsTheUuidOnceAndReadsTheSameOneAfterARestart(@TempDir Path data) throws Exception {
        String first = new RouterUuidStore(data).routerUuid();
        assertThat(UUID.fromString(first).toString()).isEqualTo(first);
        assertThat(Files.readString(data.resolve("router-uuid")).trim()).isEqualTo(first);
        assertThat(new RouterUuidStore(data).routerUuid()).isEqualTo(first);
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("router-uuid");
        }
    }

    @Test
    void keepsAUuidWrittenByHand(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve("router-uuid"), "  6F9619FF-8B86-D011-B42D-00C04FC964FF\n");
        assertThat(new RouterUuidStore(data).routerUuid()).isEqualTo("6f9619ff-8b86-d011-b42d-00c04fc964ff");
    }

    @Test
    void movesDamagedContentAsideAndCreatesANewUuid(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve("router-uuid"), "not a uuid");
        String created = new RouterUuidStore(data).routerUuid();
        assertThat(UUID.fromString(created)).isNotNull();
        assertThat(Files.readString(data.resolve("router-uuid.invalid"))).isEqualTo("not a uuid");
    }

    @Test
    void createsAMissingDataFolder(@TempDir Path data) throws Exception {
        Path nested = data.resolve("karaf/data");
        String uuid = new RouterUuidStore(nested).routerUuid();
        assertThat(Files.readString(nested.resolve("router-uuid")).trim()).isEqualTo(uuid);
    }
}
