package org.screamrouter.sip.web.internal;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.screamrouter.sip.audio.SinkInfo;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.config.ConfigFileStatus;
import org.screamrouter.sip.config.ScreamRouterApiStatus;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.MdnsPublication;
import org.screamrouter.sip.presence.PublicationInfo;
import org.screamrouter.sip.presence.SubscriptionInfo;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.PingResult;
import org.screamrouter.sip.registrar.StoreStatus;
import org.screamrouter.sip.sdp.AudioFormat;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipStackStatus;
import org.screamrouter.sip.stack.TlsStatus;

/**
 * The API's JSON objects, made from the API's values: maps and lists in a fixed key order, for {@code Json.write}. Times
 * are ISO-8601 instants ({@code null} when unknown), addresses {@code ip:port}, durations whole seconds or milliseconds
 * as the key says. docs/web.md and docs/web-openapi.yaml describe every key.
 */
final class Views {
    private Views() {}

    /** A row of the devices table. */
    static Map<String, Object> device(Device d, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uuid", d.uuid());
        m.put("name", name(d));
        m.put("role", d.role() == null ? null : d.role().attributeValue());
        m.put("formats", d.capabilities() == null ? List.of() : d.capabilities().audioFormats().stream().map(Views::format).toList());
        m.put("addressOfRecord", d.addressOfRecord());
        m.put("contact", d.contactUri());
        m.put("transport", d.transport());
        m.put("address", address(d.source()));
        m.put("online", d.online());
        m.put("userAgent", d.userAgent());
        m.put("firstSeen", time(d.firstSeen()));
        m.put("lastSeen", time(d.lastSeen()));
        m.put("expires", time(d.expires()));
        m.put("expiresInS", d.expires() == null ? 0 : Math.max(0, Duration.between(now, d.expires()).toSeconds()));
        return m;
    }

    /** The name ScreamRouter's config.yaml gives a device (docs/devices.md): {@code <role>_<first 8 chars of uuid>}. */
    static String name(Device d) {
        return d.configName();
    }

    static String format(AudioFormat f) {
        return f.codec() + "/" + f.clockRate() + "/" + f.channels();
    }

    /** What the SDP of the device's REGISTER declared; null when it sent none. */
    static Map<String, Object> capabilities(DeviceCapabilities c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", c.role() == null ? null : c.role().attributeValue());
        m.put("protocols", c.protocols());
        List<Map<String, Object>> formats = new ArrayList<>();
        for (AudioFormat f : c.audioFormats()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("payloadType", f.payloadType());
            fm.put("codec", f.codec());
            fm.put("clockRate", f.clockRate());
            fm.put("channels", f.channels());
            formats.add(fm);
        }
        m.put("formats", formats);
        m.put("rtpAddress", c.connectionAddress());
        m.put("rtpPort", c.rtpPort());
        m.put("direction", c.direction().attributeName());
        m.put("webRtc", c.webRtc());
        m.put("fingerprint", c.fingerprint() == null ? null : c.fingerprint().toString());
        m.put("setup", c.setup() == null ? null : c.setup().attributeValue());
        return m;
    }

    static Map<String, Object> binding(Binding b, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("addressOfRecord", b.addressOfRecord());
        m.put("contact", b.contactUri());
        m.put("transport", b.transport());
        m.put("address", address(b.source()));
        m.put("expires", time(b.expires()));
        m.put("expiresInS", b.expiresIn(now));
        m.put("q", b.q() < 0 ? null : (double) b.q());
        m.put("callId", b.callId());
        m.put("cseq", b.cseq());
        m.put("path", b.path());
        m.put("registeredAt", time(b.registeredAt()));
        return m;
    }

    static Map<String, Object> ping(PingResult p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", p.status());
        m.put("reason", p.reason());
        m.put("roundTripMs", p.roundTrip() == null ? null : p.roundTrip().toMillis());
        return m;
    }

    static Map<String, Object> call(CallInfo c, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("callId", c.callId());
        m.put("sink", c.sink());
        m.put("peer", c.peer());
        m.put("kind", c.kind().name());
        m.put("state", c.state().name());
        m.put("started", time(c.started()));
        m.put("durationS", c.started() == null ? 0 : Math.max(0, Duration.between(c.started(), now).toSeconds()));
        m.put("packetsSent", c.packetsSent());
        m.put("media", c.media());
        return m;
    }

    /** A sink of the embedded engine, with the listen page that plays it (bundle whep). */
    static Map<String, Object> sink(SinkInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sink", s.sinkId());
        m.put("screamPort", s.screamPort());
        m.put("format", s.format());
        m.put("packetsReceived", s.packetsReceived());
        m.put("listeners", s.listeners());
        m.put("toneActive", s.toneActive());
        m.put("listen", "/listen/index.html?sink=" + URLEncoder.encode(s.sinkId(), StandardCharsets.UTF_8));
        return m;
    }

    static Map<String, Object> subscription(SubscriptionInfo s, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("watcher", s.watcher());
        m.put("resource", s.resource());
        m.put("event", s.event());
        m.put("flow", s.flow());
        m.put("state", s.state());
        m.put("expires", time(s.expires()));
        m.put("expiresInS", s.expires() == null ? 0 : Math.max(0, Duration.between(now, s.expires()).toSeconds()));
        m.put("notifiesSent", s.notifiesSent());
        return m;
    }

    static Map<String, Object> publication(PublicationInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entityTag", p.entityTag());
        m.put("resource", p.resource());
        m.put("basic", p.basic());
        m.put("expires", time(p.expires()));
        return m;
    }

    static Map<String, Object> stack(SipStackStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> points = new ArrayList<>();
        for (ListeningPoint lp : s.listeningPoints()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("transport", lp.transport());
            p.put("address", lp.address());
            p.put("port", lp.port());
            points.add(p);
        }
        m.put("listeningPoints", points);
        m.put("servedMethods", List.copyOf(s.servedMethods()));
        m.put("counters", new LinkedHashMap<>(s.counters()));
        TlsStatus tls = s.tls();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("fingerprint", tls.fingerprint());
        t.put("source", tls.source());
        t.put("generated", tls.generated());
        t.put("notAfter", time(tls.notAfter()));
        t.put("problem", tls.problem());
        m.put("tls", t);
        return m;
    }

    static Map<String, Object> store(StoreStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("healthy", s.healthy());
        m.put("state", s.state().name());
        m.put("file", s.file() == null ? null : s.file().toString());
        m.put("movedTo", s.movedTo() == null ? null : s.movedTo().toString());
        m.put("reason", s.reason());
        return m;
    }

    static Map<String, Object> configFile(ConfigFileStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("healthy", s.healthy());
        m.put("path", s.path() == null ? null : s.path().toString());
        m.put("error", s.error());
        m.put("lastWrite", time(s.lastWrite()));
        m.put("writes", s.writes());
        m.put("pendingDevices", s.pendingDevices());
        m.put("sipEntries", s.sipEntries());
        ScreamRouterApiStatus api = s.api();
        if (api != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("url", api.url() == null ? null : api.url().toString());
            a.put("up", api.up());
            a.put("downSince", time(api.downSince()));
            a.put("lastError", api.lastError());
            a.put("lastPush", time(api.lastPush()));
            a.put("pushes", api.pushes());
            a.put("refused", api.refused());
            m.put("screamRouterApi", a);
        } else {
            m.put("screamRouterApi", null);
        }
        return m;
    }

    static Map<String, Object> mdns(MdnsPublication p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("routerUuid", p.routerUuid());
        m.put("state", p.state());
        List<Map<String, Object>> list = new ArrayList<>();
        for (MdnsAnnouncement a : p.announcements()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("interface", a.interfaceName());
            am.put("address", a.address());
            am.put("serviceType", a.serviceType());
            am.put("instanceName", a.instanceName());
            am.put("port", a.port());
            am.put("txt", a.txt());
            list.add(am);
        }
        m.put("announcements", list);
        return m;
    }

    static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    static String address(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
