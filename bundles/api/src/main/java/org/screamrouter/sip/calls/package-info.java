/**
 * Calls to sinks: {@link Calls} lists the calls in progress and ends one from the server side; {@link CallInfo}
 * describes one call.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.calls;
