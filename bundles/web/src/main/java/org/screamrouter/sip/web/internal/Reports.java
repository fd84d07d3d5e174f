package org.screamrouter.sip.web.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.Calls;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.presence.PresenceService;
import org.screamrouter.sip.presence.SubscriptionInfo;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.stack.SipStackStatus;

/**
 * The answers made of several subsystems, each of which may be missing (null): a device's page and the status. What
 * is missing is null in the answer and named, with its feature, in {@code missing}; a route that cannot answer
 * without its subsystem is 503 ({@link #require}).
 */
final class Reports {
    private Reports() {}

    /** The subsystem's service, or 503 naming the feature that brings it. */
    static <T> T require(T service, String subsystem) {
        if (service == null) {
            throw new ApiError(503, missing(subsystem));
        }
        return service;
    }

    static String missing(String subsystem) {
        return "the " + subsystem + " subsystem is not installed: feature:install screamrouter-sip-" + subsystem;
    }

    static ApiError noDevice(String uuid) {
        return new ApiError(404, "no device with UUID " + uuid);
    }

    /** A device's row with its capabilities, bindings, config.yaml entry and presence watchers; 404 for an unknown one. */
    static Map<String, Object> device(String uuid, DeviceRegistry registry, ConfigurationManager config, PresenceService presence, Instant now) {
        Device d = require(registry, "registrar").device(uuid).orElseThrow(() -> noDevice(uuid));
        Map<String, Object> m = Views.device(d, now);
        m.put("capabilities", Views.capabilities(d.capabilities()));
        m.put("bindings", d.addressOfRecord() == null ? List.of()
                : registry.bindings(d.addressOfRecord()).stream().map(b -> Views.binding(b, now)).toList());
        List<String> missing = new ArrayList<>();
        m.put("config", config == null ? null : config.getSipConfigForDevice(uuid).orElse(null));
        if (config == null) missing.add(missing("config"));
        List<Object> watchers = null;
        if (presence != null) {
            watchers = new ArrayList<>();
            for (SubscriptionInfo s : presence.subscriptions()) {
                if (uuid.equals(s.resource()) || "*".equals(s.resource())) {
                    watchers.add(Views.subscription(s, now));
                }
            }
        } else {
            missing.add(missing("presence"));
        }
        m.put("watchers", watchers);
        m.put("missing", missing);
        return m;
    }

    /** Listening points, counters, stores, config.yaml, mDNS, sessions and event streams, and what is missing. */
    static Map<String, Object> status(SipStackStatus stack, DeviceRegistry registry, PresenceService presence, ConfigurationManager config,
            MdnsPublication mdns, Calls calls, AudioBridge audio, int sessions, int eventStreams) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        m.put("stack", stack == null ? null : Views.stack(stack));
        m.put("registrarStore", registry == null ? null : store(registry::storeStatus));
        m.put("presenceStore", presence == null ? null : store(presence::storeStatus));
        m.put("configFile", config == null ? null : Views.configFile(config.status()));
        m.put("mdns", mdns == null ? null : Views.mdns(mdns));
        if (stack == null) missing.add(missing("stack"));
        if (registry == null) missing.add(missing("registrar"));
        if (presence == null) missing.add(missing("presence"));
        if (config == null) missing.add(missing("config"));
        if (mdns == null) missing.add(missing("mdns"));
        if (calls == null) missing.add(missing("calls"));
        if (audio == null) missing.add(missing("audio"));
        m.put("sessions", sessions);
        m.put("eventStreams", eventStreams);
        m.put("missing", missing);
        return m;
    }

    private static Map<String, Object> store(Supplier<StoreStatus> status) {
        try {
            return Views.store(status.get());
        } catch (UnsupportedOperationException e) {
            return null; // an older provider of the API
        }
    }
}
