package org.screamrouter.sip.sdp;

/** {@code a=x-screamrouter-role}: whether a device produces audio (source) or plays it (sink). */
public enum DeviceRole {
    SOURCE, SINK;

    public String attributeValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
