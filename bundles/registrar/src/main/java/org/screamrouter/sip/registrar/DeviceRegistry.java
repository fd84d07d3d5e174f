package org.screamrouter.sip.registrar;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The registrar's bindings, read-only, for the shell and for other bundles. */
@ProviderType
public interface DeviceRegistry {
    /** Every current binding, ordered by address-of-record then preference. */
    List<Binding> bindings();

    /** The current bindings of one address-of-record (any form; it is normalised), best q first. */
    List<Binding> bindings(String addressOfRecord);
}
