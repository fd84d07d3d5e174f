/**
 * The SIP client outside OSGi, for tools and tests: {@link SipClients#standalone} gives a {@link StandaloneSipClient},
 * the client's engine on a {@link org.screamrouter.sip.stack.standalone.StandaloneSipStack} of its own (the device
 * simulator is built on it). Not exported by the client bundle, which exports nothing: the library bundle
 * {@code org.screamrouter.sip.standalone} exports it, for code that needs a SIP stack of its own inside OSGi (tests).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.client.standalone;
