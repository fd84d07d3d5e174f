package org.screamrouter.sip.registrar;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One registered contact of an address-of-record (RFC 3261 10.3), with the flow its REGISTER came on.
 *
 * @param addressOfRecord canonical AOR, e.g. {@code sip:dev1@127.0.0.1}
 * @param contactUri      the Contact URI as the device sent it
 * @param contactHeader   the whole Contact value (URI and parameters such as {@code +sip.instance},
 *                        {@code reg-id}) without {@code expires}, echoed in 200 OK answers
 * @param transport       transport of the REGISTER: {@code udp}, {@code tcp} or {@code ws}
 * @param source          the address and port the REGISTER came from (where pings go)
 * @param expires         absolute expiry
 * @param q               preference 0..1 ({@code -1} when the Contact had no {@code q})
 * @param callId          Call-ID of the REGISTER that made or last refreshed the binding
 * @param cseq            its CSeq number
 * @param path            the Path headers to echo (RFC 3327), in order
 * @param registeredAt    when the binding was last refreshed
 */
public record Binding(String addressOfRecord, String contactUri, String contactHeader, String transport,
        InetSocketAddress source, Instant expires, float q, String callId, long cseq, List<String> path,
        Instant registeredAt) {

    public Binding {
        path = List.copyOf(path);
        // the usual Contact value is the URI in brackets: not kept a second time (issue 15, heap per binding)
        if (contactHeader != null && contactUri != null && isBracketed(contactHeader, contactUri)) {
            contactHeader = null;
        }
    }

    /** The whole Contact value without {@code expires}; made again from the URI when it was just the URI in brackets. */
    @Override
    public String contactHeader() {
        return contactHeader != null || contactUri == null ? contactHeader : "<" + contactUri + ">";
    }

    private static boolean isBracketed(String header, String uri) {
        return header.length() == uri.length() + 2 && header.charAt(0) == '<' && header.charAt(header.length() - 1) == '>'
                && header.regionMatches(1, uri, 0, uri.length());
    }

    /** Seconds left before the binding expires at {@code now}, never negative. */
    public long expiresIn(Instant now) {
        return Math.max(0, Duration.between(now, expires).toSeconds());
    }
}
