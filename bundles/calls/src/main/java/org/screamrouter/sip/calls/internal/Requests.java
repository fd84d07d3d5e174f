package org.screamrouter.sip.calls.internal;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * What the calls read from a request's headers, each read in one place. The stack's parser has checked that Call-ID,
 * CSeq, From, To and Via are there (RFC 3261 8.1.1).
 */
final class Requests {
    private Requests() {
    }

    static String callId(Request request) {
        return ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    }

    /** The To tag: ours in a dialog (RFC 3261 12.2.2), null in a request that starts one. */
    static String toTag(Request request) {
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        return to == null ? null : to.getTag();
    }

    /** The From tag: the peer's in the dialog. */
    static String fromTag(Request request) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        return from == null ? null : from.getTag();
    }

    /** The top Via's branch, "" without one: an INVITE's CANCEL and retransmissions carry the same (RFC 3261 9.1). */
    static String branch(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null || via.getBranch() == null ? "" : via.getBranch();
    }

    static long cseq(Request request) {
        return ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    /** Whether the request carries a body. */
    static boolean hasBody(Request request) {
        byte[] body = request.getRawContent();
        return body != null && body.length > 0;
    }

    /** The body's type as {@code type/subtype}, "" without a Content-Type. */
    static String contentType(Request request) {
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        return type == null ? "" : type.getContentType() + "/" + type.getContentSubType();
    }
}
