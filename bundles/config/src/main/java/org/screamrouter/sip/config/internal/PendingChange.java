package org.screamrouter.sip.config.internal;

/**
 * A device change waiting for the next write. Only the newest change of a device matters, so changes are merged
 * per device: an offline after a registration still creates the entry, disabled; a removal after anything removes.
 *
 * @param uuid    the device
 * @param entry   its owned fields, or {@code null} for an offline of which nothing else is known (only an existing
 *                entry is disabled then) and for a removal
 * @param enabled the {@code enabled} value to write
 * @param removed the registrar forgot the device ({@code DeviceEvents.REMOVED}): its entries leave the file
 */
record PendingChange(String uuid, SipEntry entry, boolean enabled, boolean removed) {

    PendingChange(String uuid, SipEntry entry, boolean enabled) {
        this(uuid, entry, enabled, false);
    }

    static PendingChange registration(SipEntry entry, boolean online) {
        return new PendingChange(entry.uuid(), entry, online);
    }

    static PendingChange offline(String uuid) {
        return new PendingChange(uuid, null, false);
    }

    static PendingChange removal(String uuid) {
        return new PendingChange(uuid, null, false, true);
    }

    /** This change after {@code earlier}: an offline keeps the details a registration before it brought. */
    PendingChange after(PendingChange earlier) {
        if (!removed && entry == null && earlier != null && earlier.entry != null) {
            return new PendingChange(uuid, earlier.entry, false);
        }
        return this;
    }
}
