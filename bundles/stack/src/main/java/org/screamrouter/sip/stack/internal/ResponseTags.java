package org.screamrouter.sip.stack.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * The To tag of our responses to a request that came without one: a keyed hash (HMAC-SHA256, a secret drawn when the
 * stack starts) of what identifies the request (Call-ID, From tag, CSeq, the top Via's branch and sent-by), as 16 hex
 * digits. Every response to one request, and to its retransmissions, carries the same tag (RFC 3261 8.2.6.2), also
 * when the answer is made again rather than kept ({@link ResponseCache}; RFC 3261 8.2.7); two requests do not share
 * one, and whoever lacks the secret cannot tell a tag before seeing it (RFC 3261 19.3), as with the random tags
 * before.
 */
final class ResponseTags {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    ResponseTags(SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    String tagFor(Request request) {
        Mac mac = macs.get();
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        field(mac, callId == null ? null : callId.getCallId());
        field(mac, from == null ? null : from.getTag());
        field(mac, cseq == null ? null : cseq.getSeqNumber() + " " + cseq.getMethod());
        field(mac, via == null ? null : via.getBranch());
        field(mac, via == null ? null : via.getHost() + ":" + via.getPort());
        byte[] digest = mac.doFinal();
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = bits << 8 | (digest[i] & 0xff);
        }
        String hex = Long.toHexString(bits);
        return hex.length() == 16 ? hex : "0".repeat(16 - hex.length()) + hex;
    }

    /** One field, length first, so that no two different sets of fields feed the same bytes. */
    private static void field(Mac mac, String value) {
        if (value == null) {
            mac.update((byte) 0xff);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        mac.update((byte) (bytes.length >>> 24));
        mac.update((byte) (bytes.length >>> 16));
        mac.update((byte) (bytes.length >>> 8));
        mac.update((byte) bytes.length);
        mac.update(bytes);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }
}
