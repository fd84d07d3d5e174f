package org.screamrouter.sip.calls.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.config.SinkEntry;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.sdp.DeviceRole;

/**
 * Finds the sink an INVITE names in its Request-URI user part: a config.yaml sink by {@code name}, {@code uuid} or
 * {@code config_id} ({@link ConfigurationManager#sinkEntry}: names exactly first, then ignoring case), else a registered
 * device that is a sink (declared so, or without a declared role) by its UUID, as it registered it or in lower case.
 * Both are lookups: an INVITE naming nothing costs no read of every entry or device (issue 15: 0.2 s of CPU per INVITE
 * with 20,000 ScreamRouter devices when it read them all, 0.8 s with 100,000; bench/lookup-bench.sh).
 */
final class SinkDirectory {
    private SinkDirectory() {
    }

    /** {@code configSinks}: {@link ConfigurationManager#sinkEntry}; {@code devices}: {@code DeviceRegistry.device}. */
    static Optional<Sink> find(String target, Function<String, Optional<SinkEntry>> configSinks,
            Function<String, Optional<Device>> devices) {
        if (target == null || target.isBlank()) {
            return Optional.empty();
        }
        Optional<SinkEntry> entry = configSinks.apply(target);
        if (entry.isPresent()) {
            return entry.map(SinkDirectory::of);
        }
        Optional<Device> device = devices.apply(target);
        String lower = target.toLowerCase(Locale.ROOT);
        if (device.isEmpty() && !lower.equals(target)) {
            device = devices.apply(lower);
        }
        // known to the registrar, its config.yaml entry not (yet) written: the name config.yaml will give it
        return device.filter(d -> d.role() != DeviceRole.SOURCE)
                .map(d -> new Sink(Device.configName(DeviceRole.SINK, d.uuid()), d.uuid(), d.online()));
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
