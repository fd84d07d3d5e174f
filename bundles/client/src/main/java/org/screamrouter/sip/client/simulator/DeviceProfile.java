package org.screamrouter.sip.client.simulator;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One simulated device: its UUID and the SDP it registers with (docs/devices.md: role, UUID and supported
 * protocols at session level, one audio section with the format, the direction of its role and its RTP port).
 */
record DeviceProfile(String uuid, String role, String codec, String address, int rtpPort) {

    static DeviceProfile of(SimulatorOptions o, int index) {
        String uuid = UUID.nameUUIDFromBytes((o.uuidPrefix() + "-" + index).getBytes(StandardCharsets.UTF_8)).toString();
        return new DeviceProfile(uuid, o.role(), o.codec(), o.bindAddress(), o.rtpPort() + 2 * index);
    }

    String sdp() {
        String ipVersion = address.indexOf(':') >= 0 ? "IP6" : "IP4";
        String media = codec.equals("opus")
                ? "m=audio " + rtpPort + " RTP/AVP 111\r\n"
                  + "a=rtpmap:111 opus/48000/2\r\n"
                  + "a=fmtp:111 minptime=10;useinbandfec=0;stereo=1;sprop-stereo=1\r\n"
                : "m=audio " + rtpPort + " RTP/AVP 96\r\n"
                  + "a=rtpmap:96 L16/48000/2\r\n";
        return "v=0\r\n"
                + "o=" + uuid.substring(0, 8) + " " + (uuid.hashCode() & 0x7fffffff) + " 1 IN " + ipVersion + " " + address + "\r\n"
                + "s=ScreamRouter simulated " + role + "\r\n"
                + "c=IN " + ipVersion + " " + address + "\r\n"
                + "t=0 0\r\n"
                + "a=x-screamrouter-role:" + role + "\r\n"
                + "a=x-screamrouter-uuid:" + uuid + "\r\n"
                + "a=x-screamrouter-supported-protocols:rtp\r\n"
                + media
                + (role.equals("source") ? "a=sendonly\r\n" : "a=recvonly\r\n");
    }
}
