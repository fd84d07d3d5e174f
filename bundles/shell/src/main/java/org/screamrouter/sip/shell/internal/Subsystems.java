package org.screamrouter.sip.shell.internal;

/**
 * The commands' services are optional references: the shell feature needs only the API bundle, and each command works
 * as soon as its own subsystem is installed (issue 16, item 7). Without it, the command fails with one line naming the
 * feature that brings it, e.g. {@code Error executing command: sip:calls needs the calls subsystem: feature:install
 * screamrouter-sip-calls}.
 */
final class Subsystems {
    private Subsystems() {}

    /** Returns {@code service}, or fails naming the feature to install when the subsystem is not there. */
    static <T> T require(T service, String command, String subsystem) {
        if (service == null) {
            throw new IllegalStateException("sip:" + command + " needs the " + subsystem + " subsystem: feature:install screamrouter-sip-" + subsystem);
        }
        return service;
    }
}
