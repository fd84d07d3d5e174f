package org.screamrouter.sip.stack;

import java.io.File;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the server keeps a file of its own (the registrar's and presence's stores, the auth bundle's nonce key): in
 * Karaf {@code ${karaf.data}/screamrouter-sip/<name>}, where users look for it and where it outlives a bundle's
 * reinstall; in a plain OSGi framework, the bundle's own data area. One rule for every bundle.
 */
public final class DataFiles {
    /** The folder under {@code ${karaf.data}}. */
    public static final String FOLDER = "screamrouter-sip";

    private DataFiles() {
    }

    /**
     * @param name           the file's name
     * @param bundleDataFile the bundle's data area outside Karaf ({@code context::getDataFile})
     */
    public static Path serverFile(String name, Function<String, File> bundleDataFile) {
        String karafData = System.getProperty("karaf.data");
        if (karafData != null && !karafData.isBlank()) {
            return Path.of(karafData, FOLDER, name);
        }
        File file = bundleDataFile.apply(name);
        if (file == null) {
            throw new IllegalStateException("no karaf.data and the framework gives this bundle no persistent storage for " + name);
        }
        return file.toPath();
    }
}
