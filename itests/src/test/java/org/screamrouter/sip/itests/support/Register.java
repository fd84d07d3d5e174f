package org.screamrouter.sip.itests.support;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A REGISTER as a ScreamRouter device sends it (docs/devices.md): From {@code sip:<uuid>@127.0.0.1}, To
 * {@code sip:screamrouter@127.0.0.1}, a Contact, optionally an SDP body; every field can be changed.
 */
public final class Register {
    private final int serverPort;
    private final int localPort;
    private String requestUri;
    private String fromUser;
    private String to;
    private String contact;
    private Integer expires;
    private String callId = UUID.randomUUID() + "@127.0.0.1";
    private long cseq = 1;
    private String sdp;
    private final List<String> extra = new ArrayList<>();

    public Register(String uuid, int serverPort, int localPort) {
        this.serverPort = serverPort;
        this.localPort = localPort;
        this.requestUri = "sip:127.0.0.1:" + serverPort;
        this.fromUser = uuid;
        this.to = "<sip:screamrouter@127.0.0.1>";
        this.contact = "<sip:" + uuid + "@127.0.0.1:" + localPort + ";transport=udp>";
    }

    public Register to(String value) { to = value; return this; }
    public Register contact(String value) { contact = value; return this; }
    public Register expires(int value) { expires = value; return this; }
    public Register callId(String value) { callId = value; return this; }
    public Register cseq(long value) { cseq = value; return this; }
    public Register sdp(String value) { sdp = value; return this; }
    public Register header(String line) { extra.add(line); return this; }
    public Register nextCseq() { cseq++; return this; }

    public String callId() { return callId; }

    /** A sink's SDP as docs/devices.md describes it: L16 48 kHz stereo on {@code rtpPort}, role and uuid attributes. */
    public static String sinkSdp(String uuid, int rtpPort) {
        return "v=0\r\n"
                + "o=- 1 1 IN IP4 127.0.0.1\r\n"
                + "s=screamrouter-device\r\n"
                + "c=IN IP4 127.0.0.1\r\n"
                + "t=0 0\r\n"
                + "a=x-screamrouter-role:sink\r\n"
                + "a=x-screamrouter-uuid:" + uuid + "\r\n"
                + "a=x-screamrouter-supported-protocols:rtp\r\n"
                + "m=audio " + rtpPort + " RTP/AVP 96\r\n"
                + "a=rtpmap:96 L16/48000/2\r\n"
                + "a=recvonly\r\n";
    }

    @Override
    public String toString() {
        String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder s = new StringBuilder();
        s.append("REGISTER ").append(requestUri).append(" SIP/2.0\r\n");
        s.append("Via: SIP/2.0/UDP 127.0.0.1:").append(localPort).append(";branch=").append(branch).append(";rport\r\n");
        s.append("Max-Forwards: 70\r\n");
        s.append("From: <sip:").append(fromUser).append("@127.0.0.1>;tag=").append(Integer.toHexString(callId.hashCode())).append("\r\n");
        s.append("To: ").append(to).append("\r\n");
        s.append("Call-ID: ").append(callId).append("\r\n");
        s.append("CSeq: ").append(cseq).append(" REGISTER\r\n");
        if (contact != null) s.append("Contact: ").append(contact).append("\r\n");
        if (expires != null) s.append("Expires: ").append(expires).append("\r\n");
        for (String line : extra) s.append(line).append("\r\n");
        s.append("User-Agent: screamrouter-sip-itests\r\n");
        if (sdp != null) {
            byte[] body = sdp.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            s.append("Content-Type: application/sdp\r\n");
            s.append("Content-Length: ").append(body.length).append("\r\n\r\n").append(sdp);
        } else {
            s.append("Content-Length: 0\r\n\r\n");
        }
        return s.toString();
    }

    public int serverPort() {
        return serverPort;
    }
}
