/**
 * The SIP stack outside OSGi, for tools and tests (the device simulator, a standalone SIP client): the same
 * engine as the server's stack, with handlers given by method instead of found as services. Not exported by the
 * stack bundle, which exports nothing: the library bundle {@code org.screamrouter.sip.standalone} exports it, for code
 * that needs a SIP stack of its own inside OSGi (tests).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.stack.standalone;
