/**
 * The SIP stack outside OSGi, for tools and tests (the device simulator, a standalone SIP client): the same
 * engine as the server's stack, with handlers given by method instead of found as services.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.stack.standalone;
