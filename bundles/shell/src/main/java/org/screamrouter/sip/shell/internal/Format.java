package org.screamrouter.sip.shell.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.screamrouter.sip.registrar.Device;

/** How the commands show addresses, ages and device names, the same way everywhere. */
final class Format {
    private Format() {}

    static String address(InetSocketAddress a) {
        return a == null ? "-" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s ago" : s < 7200 ? (s / 60) + " min ago" : (s / 3600) + " h ago";
    }

    /** The config.yaml name a device gets (docs/devices.md): {@code <role>_<first 8 chars of uuid>}. */
    static String name(Device d) {
        return d.configName();
    }
}
