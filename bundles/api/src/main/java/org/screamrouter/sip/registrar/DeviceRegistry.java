package org.screamrouter.sip.registrar;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The registrar's devices and bindings, for the shell and for other bundles. Changes are also posted as
 * {@link DeviceEvents}.
 */
@ProviderType
public interface DeviceRegistry {
    /** Every current binding, ordered by address-of-record then preference. */
    List<Binding> bindings();

    /** The current bindings of one address-of-record (any form; it is normalised), best q first. */
    List<Binding> bindings(String addressOfRecord);

    /** Every known device, online or not, ordered by UUID. */
    List<Device> devices();

    Optional<Device> device(String uuid);

    /** Sends OPTIONS to the device's flow; completes with the answer, or exceptionally on timeout. */
    CompletionStage<PingResult> ping(String uuid);

    /** Removes the device's bindings as an {@code Expires: 0} would; the device is kept, offline. */
    boolean unregister(String uuid);

    /**
     * The operator's way to move a device to another address-of-record, user or address (docs/registrar-state.md,
     * "Device ownership"): removes the device's binding as {@link #unregister} does and releases the UUID from the
     * address-of-record, user and source address that own it, so that the next REGISTER naming it, from anyone,
     * owns it. Returns false when there is no such device.
     *
     * @since 1.4
     */
    default boolean release(String uuid) {
        throw new UnsupportedOperationException("release is not supported by " + getClass().getName());
    }

    /**
     * The health of the registrar's store file: kept, moved aside because it could not be read, or not used (locked
     * by another server) with the registrar running in memory.
     *
     * @since 1.5
     */
    default StoreStatus storeStatus() {
        throw new UnsupportedOperationException("storeStatus is not supported by " + getClass().getName());
    }
}
