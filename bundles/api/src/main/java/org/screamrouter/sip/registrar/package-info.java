/**
 * What the registrar knows: {@link Device}s with their capabilities and online state, the current
 * {@link Binding}s of every address-of-record, through the {@link DeviceRegistry} service, and the
 * {@link DeviceEvents} it posts; the {@link StoreStatus} of a store file (also used by the presence server).
 * (Authentication moved to {@code org.screamrouter.sip.auth} in 2.0.0.)
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package org.screamrouter.sip.registrar;
