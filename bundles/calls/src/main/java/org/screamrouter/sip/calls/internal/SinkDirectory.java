package org.screamrouter.sip.calls.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.screamrouter.sip.config.SinkEntry;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.sdp.DeviceRole;

/**
 * Finds the sink an INVITE names in its Request-URI user part: a config.yaml sink by {@code name}, {@code uuid} or
 * {@code config_id}, else a registered device that is a sink (declared so, or without a declared role) by UUID.
 * Names match exactly first, then ignoring case; UUIDs ignoring case.
 */
final class SinkDirectory {
    private SinkDirectory() {
    }

    static Optional<Sink> find(String target, List<SinkEntry> configSinks, List<Device> devices) {
        if (target == null || target.isBlank()) {
            return Optional.empty();
        }
        for (SinkEntry s : configSinks) {
            if (target.equals(s.name())) {
                return Optional.of(of(s));
            }
        }
        for (SinkEntry s : configSinks) {
            if (target.equalsIgnoreCase(s.name()) || target.equalsIgnoreCase(s.uuid()) || target.equalsIgnoreCase(s.configId())) {
                return Optional.of(of(s));
            }
        }
        for (Device d : devices) {
            if (d.uuid().equalsIgnoreCase(target) && d.role() != DeviceRole.SOURCE) {
                // known to the registrar, its config.yaml entry not (yet) written: the name config.yaml will give it
                return Optional.of(new Sink(Device.configName(DeviceRole.SINK, d.uuid()), d.uuid(), d.online()));
            }
        }
        return Optional.empty();
    }

    private static Sink of(SinkEntry s) {
        return new Sink(s.name(), s.uuid(), s.enabled());
    }

    /** The user part of a SIP URI with its %XX escapes decoded (RFC 3261 19.1.2), never a name lookup. */
    static String unescape(String user) {
        if (user == null || user.indexOf('%') < 0) {
            return user;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(user.length());
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c == '%' && i + 2 < user.length()
                    && Character.digit(user.charAt(i + 1), 16) >= 0 && Character.digit(user.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(user.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
