package org.screamrouter.sip.sdp;

import java.util.List;

/**
 * ScreamRouter's own SDP attributes (see docs/devices.md): {@code a=x-screamrouter-role},
 * {@code a=x-screamrouter-uuid} and {@code a=x-screamrouter-supported-protocols}, resolved session
 * level first, then the first media section that carries each.
 *
 * @param role      {@code null} when absent
 * @param uuid      {@code null} when absent
 * @param protocols empty when absent
 */
public record ScreamRouterAttributes(DeviceRole role, String uuid, List<String> protocols) {

    public static final String ROLE = "x-screamrouter-role";
    public static final String UUID = "x-screamrouter-uuid";
    public static final String SUPPORTED_PROTOCOLS = "x-screamrouter-supported-protocols";

    public ScreamRouterAttributes {
        protocols = List.copyOf(protocols);
    }

    public boolean isEmpty() {
        return role == null && uuid == null && protocols.isEmpty();
    }
}
