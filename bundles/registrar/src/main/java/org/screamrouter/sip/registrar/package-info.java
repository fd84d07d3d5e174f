/**
 * What the registrar knows: the current {@link Binding}s of every address-of-record, through the
 * {@link DeviceRegistry} service.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.registrar;
