package org.screamrouter.sip.config.internal;

import java.io.IOException;
import java.nio.file.Path;

/** Replaces a file's content. {@link AtomicFileWriter} in production; tests wrap it to count writes. */
@FunctionalInterface
interface ConfigFileWriter {
    void write(Path target, String content) throws IOException;
}
