/**
 * ScreamRouter's view of the SIP devices: the {@link ConfigurationManager} keeps a source or sink entry in
 * ScreamRouter's {@code config.yaml} for every registered device, and {@link ConfigFileStatus} tells where that
 * file is and whether it could be read; {@link ScreamRouterApiStatus} how changes reach a running ScreamRouter
 * through its HTTP API.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package org.screamrouter.sip.config;
