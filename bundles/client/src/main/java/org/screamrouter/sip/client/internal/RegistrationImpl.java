package org.screamrouter.sip.client.internal;

import java.util.List;
import org.screamrouter.sip.client.Content;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.SipReply;
import org.screamrouter.sip.stack.Flow;

/** A granted registration; the {@link Series} it belongs to carries Call-ID, CSeq and digest state across refreshes. */
record RegistrationImpl(Series series, int grantedExpires, List<String> contacts, SipReply reply) implements Registration {

    /** What the REGISTERs of one binding share (RFC 3261 10.2.4: same Call-ID, growing CSeq). */
    static final class Series {
        private final Flow registrar;
        private final String addressOfRecord;
        private final String contact;
        private final String callId;
        private final String fromTag;
        private final DigestSession digest;
        private final Content content;
        private long lastCSeq;

        Series(Flow registrar, String addressOfRecord, String contact, String callId, String fromTag, DigestSession digest,
               Content content) {
            this.registrar = registrar;
            this.addressOfRecord = addressOfRecord;
            this.contact = contact;
            this.callId = callId;
            this.fromTag = fromTag;
            this.digest = digest;
            this.content = content;
        }

        Flow registrar() { return registrar; }

        String addressOfRecord() { return addressOfRecord; }

        String contact() { return contact; }

        String callId() { return callId; }

        String fromTag() { return fromTag; }

        DigestSession digest() { return digest; }

        Content content() { return content; }

        synchronized long lastCSeq() { return lastCSeq; }

        synchronized void lastCSeq(long cseq) { lastCSeq = Math.max(lastCSeq, cseq); }

        synchronized long reserveNext() { return ++lastCSeq; }
    }

    long nextCSeq() {
        return series.reserveNext();
    }

    @Override public Flow registrar() { return series.registrar(); }

    @Override public String addressOfRecord() { return series.addressOfRecord(); }

    @Override public String contact() { return series.contact(); }

    @Override public String callId() { return series.callId(); }

    @Override
    public String toString() {
        return "Registration[" + contact() + " at " + registrar() + " for " + grantedExpires + " s]";
    }
}
