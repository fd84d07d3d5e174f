package org.screamrouter.sip.stack.internal;

import java.security.SecureRandom;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * The To tag of our responses to a request that came without one: a keyed hash (SipHash-2-4, {@link SipHash}, under a
 * 128-bit secret drawn when the stack starts) of what identifies the request (Call-ID, From tag, CSeq, the top Via's
 * branch and sent-by), as 16 hex digits. Every response to one request, and to its retransmissions, carries the same
 * tag (RFC 3261 8.2.6.2), also when the answer is made again rather than kept ({@link ResponseCache}; RFC 3261 8.2.7);
 * two requests do not share one, and whoever lacks the secret cannot tell a tag before seeing it (RFC 3261 19.3), as
 * with the random tags before.
 */
final class ResponseTags {
    private final long k0;
    private final long k1;

    ResponseTags(SecureRandom random) {
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
    }

    String tagFor(Request request) {
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return tagFor(callId == null ? null : callId.getCallId(), from == null ? null : from.getTag(),
                cseq == null ? -1 : cseq.getSeqNumber(), cseq == null ? null : cseq.getMethod(),
                via == null ? null : via.getBranch(), via == null ? null : via.getHost(), via == null ? -1 : via.getPort());
    }

    /**
     * The same tag from the fields as JAIN-SIP's headers give them (null when absent; the Via's port -1 when it has
     * none): for answers made without a parsed message ({@link PlainOptions}).
     */
    String tagFor(String callId, String fromTag, long cseq, String method, String branch, String viaHost, int viaPort) {
        SipHash hash = new SipHash(k0, k1);
        field(hash, callId);
        field(hash, fromTag);
        number(hash, cseq);
        field(hash, method);
        field(hash, branch);
        field(hash, viaHost);
        number(hash, viaPort);
        long bits = hash.finish();
        char[] hex = new char[16];
        for (int i = 15; i >= 0; i--, bits >>>= 4) {
            hex[i] = Character.forDigit((int) (bits & 0xf), 16);
        }
        return new String(hex);
    }

    /**
     * One field: absent, or its length and then its characters, each as two bytes, so that no two different sets of
     * fields feed the same bytes.
     */
    private static void field(SipHash hash, String value) {
        if (value == null) {
            hash.update(0xff);
            return;
        }
        hash.update(0);
        int n = value.length();
        hash.update(n >>> 24).update(n >>> 16).update(n >>> 8).update(n);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            hash.update(c >>> 8).update(c);
        }
    }

    /** A number as eight bytes (absent: -1, which neither a CSeq nor a port can be). */
    private static void number(SipHash hash, long value) {
        for (int shift = 56; shift >= 0; shift -= 8) hash.update((int) (value >>> shift));
    }
}
