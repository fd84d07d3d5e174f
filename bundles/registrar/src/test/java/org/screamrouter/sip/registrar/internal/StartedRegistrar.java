package org.screamrouter.sip.registrar.internal;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture most registrar tests share: a registrar on a {@link TestHarness}, its store in a fresh folder, started
 * before each test with the default configuration and stopped after it. A test may stop it and start another on the
 * same store ({@code registrar = h.start(store(), ...)}) to see what a restart brings back.
 */
abstract class StartedRegistrar {
    @TempDir
    Path dir;
    final TestHarness h = new TestHarness();
    RegistrarComponent registrar;

    /** The store file of this test's registrar. */
    Path store() {
        return dir.resolve("registrar.mv");
    }

    @BeforeEach
    void startRegistrar() {
        registrar = h.start(store(), Map.of());
    }

    @AfterEach
    void stopRegistrar() {
        if (registrar != null) registrar.deactivate();
    }
}
