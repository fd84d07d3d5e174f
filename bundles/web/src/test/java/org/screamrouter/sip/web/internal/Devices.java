package org.screamrouter.sip.web.internal;

import java.net.InetSocketAddress;
import java.time.Instant;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.sdp.DeviceCapabilities;
import org.screamrouter.sip.sdp.SdpParser;

/** Devices for the tests, with capabilities parsed from a real sink SDP (docs/devices.md). */
final class Devices {
    private Devices() {}

    static Device sink(String uuid, boolean online, Instant now) throws Exception {
        return sink(uuid, online, now, "test \"agent\"");
    }

    /** The same with this User-Agent (a long one makes a large event). */
    static Device sink(String uuid, boolean online, Instant now, String userAgent) throws Exception {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "a=x-screamrouter-role:sink\r\na=x-screamrouter-uuid:" + uuid + "\r\na=x-screamrouter-supported-protocols:rtp\r\n"
                + "m=audio 40000 RTP/AVP 96\r\na=rtpmap:96 L16/48000/2\r\na=recvonly\r\n";
        return new Device(uuid, "sip:" + uuid + "@127.0.0.1", "sip:" + uuid + "@127.0.0.1:5999", "udp",
                new InetSocketAddress("127.0.0.1", 5999), DeviceCapabilities.from(SdpParser.parse(sdp)), userAgent, online,
                now.minusSeconds(100), now.minusSeconds(5), now.plusSeconds(295));
    }
}
