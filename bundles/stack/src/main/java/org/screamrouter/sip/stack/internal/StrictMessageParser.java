package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sip.address.Address;
import javax.sip.address.SipURI;

/**
 * JAIN-SIP's parser plus what it lacks:
 * <ul>
 *   <li>the CSeq method of RFC 3261 8.2 (which JAIN-SIP makes later and answers with a bare "400 Bad request");</li>
 *   <li>name-addr brackets around URIs with headers (RFC 3261 20.10);</li>
 *   <li>one Content-Length, To, From, Call-ID, CSeq, Max-Forwards and Content-Type only (RFC 4475 3.3.9 mcl01,
 *       3.3.8 multi01: JAIN-SIP kept the last one);</li>
 *   <li>the mandatory From, To, Call-ID, CSeq and Via of a request (RFC 4475 3.3.1 insuf: JAIN-SIP dropped it);</li>
 *   <li>the SIP version as written: JAIN-SIP's request-line parser reads any version as SIP/2.0, so its own 505
 *       check never fired (RFC 4475 3.1.2.16 badvers). The real version is put back into the request line and
 *       the request is answered 505 Version Not Supported, on UDP by JAIN-SIP, on TCP by our channel.</li>
 * </ul>
 * A fault found here, or by JAIN-SIP's own parser, is answered "400 Bad Request (the fault)" ({@link Rejections})
 * before any transaction or handler sees the request: for a datagram from here, to the packet's source
 * ({@link UdpIntake}). JAIN-SIP's stream transports (TCP, WebSocket) call the parser without a
 * listener and drop a message that fails; there a request that fails is returned as an {@link Unparseable} for the
 * channel to answer, and a bad header that is not one of the framing and routing headers is kept unparsed, as UDP does
 * (RFC 4475 3.1.2.12 baddate: a bad Date must not cost the request).
 */
final class StrictMessageParser extends StringMsgParser {
    /** One parser per message channel, as JAIN-SIP asks for; the parser holds no state between messages. */
    static final class Factory implements MessageParserFactory {
        @Override
        public MessageParser createMessageParser(SIPTransactionStack stack) {
            return new StrictMessageParser();
        }
    }

    /** Headers JAIN-SIP needs parsed to frame, route and match a message (UDPMessageChannel's own list). */
    private static final Set<Class<?>> CORE = Set.of(From.class, To.class, CSeq.class, Via.class, CallID.class,
            ContentLength.class, RequestLine.class, StatusLine.class);

    /** The stream transports' leniency for other headers: kept unparsed, as UDP does. */
    private static final ParseExceptionListener LENIENT = (ex, message, headerClass, header, text) -> {
        if (headerClass != null && CORE.contains(headerClass)) {
            throw ex;
        }
        message.addUnparsed(header);
    };

    @Override
    public SIPMessage parseSIPMessage(byte[] msgBuffer, boolean readBody, boolean strict, ParseExceptionListener listener)
            throws ParseException {
        // JAIN-SIP's NIO pipeline (TCP, WebSocket) is the only caller without a listener that leaves the body to itself
        boolean stream = listener == null && !readBody;
        if (!stream) {
            UdpIntake.Datagram datagram = listener instanceof UDPMessageChannel ? UdpIntake.current() : null;
            return datagram == null ? check(msgBuffer, readBody, strict, listener) : datagram(msgBuffer, readBody, strict, listener, datagram);
        }
        try {
            return check(msgBuffer, false, strict, LENIENT);
        } catch (ParseException e) {
            // the pipeline joins header lines with LF; JAIN-SIP's 400 builder looks for CRLF
            String raw = new String(msgBuffer, StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
            if (raw.startsWith("SIP/")) {
                throw e; // a response: nothing to answer, JAIN-SIP drops it
            }
            return new Unparseable(raw, e, e instanceof FramingException);
        }
    }

    /**
     * A datagram from one of our UDP listening points: a request rejected here is answered to the packet's source
     * and null goes back to JAIN-SIP, which then drops the datagram silently (a null message is what it gets from an
     * empty datagram).
     */
    private SIPMessage datagram(byte[] msgBuffer, boolean readBody, boolean strict, ParseExceptionListener listener,
            UdpIntake.Datagram datagram) {
        try {
            SIPMessage message = check(msgBuffer, readBody, strict, listener);
            if (message instanceof SIPRequest request) {
                byte[] answer = Rejections.versionNotSupported(request, "UDP");
                if (answer != null) {
                    Rejections.send("505 Version Not Supported (" + request.getRequestLine().getSipVersion() + ")", answer,
                            datagram.flow(), datagram::answer);
                    return null;
                }
            }
            return message;
        } catch (ParseException e) {
            String raw = new String(msgBuffer, StandardCharsets.UTF_8);
            String answer = Rejections.badRequest(raw, e.getMessage());
            Rejections.send((raw.startsWith("SIP/") ? "nothing (a response that does not parse: " : "400 Bad Request (")
                    + e.getMessage() + ")", answer == null ? null : answer.getBytes(StandardCharsets.UTF_8), datagram.flow(), datagram::answer);
            return null;
        }
    }

    /**
     * One header line: the common headers are read by hand in their plain shape, else by their parsers made directly
     * ({@link CommonHeaderParsers}); a line that fails its parse, or any other header, goes to JAIN-SIP's own handling,
     * which reports a fault to the listener as before.
     */
    @Override
    protected void processHeader(String header, SIPMessage message, ParseExceptionListener listener, byte[] rawMessage)
            throws ParseException {
        if (header != null) {
            try {
                SIPHeader parsed = CommonHeaderParsers.parse(header);
                if (parsed != null) {
                    message.attachHeader(parsed, false);
                    return;
                }
            } catch (ParseException e) {
                // a bad value, or one header too many of a kind that allows one: reported as JAIN-SIP reports it
            }
        }
        super.processHeader(header, message, listener, rawMessage);
    }

    /** A plain request line is read by hand ({@link PlainHeaders#requestLine}), any other first line by JAIN-SIP. */
    @Override
    protected SIPMessage processFirstLine(String firstLine, ParseExceptionListener listener, byte[] msgBuffer)
            throws ParseException {
        RequestLine plain = PlainHeaders.requestLine(firstLine);
        if (plain == null) {
            return super.processFirstLine(firstLine, listener, msgBuffer);
        }
        SIPRequest request = new SIPRequest();
        request.setRequestLine(plain);
        return request;
    }

    /** A fault in the message's length: on a stream the next message's start is unknown. */
    static final class FramingException extends ParseException {
        private static final long serialVersionUID = 1L;

        FramingException(String message) {
            super(message, 0);
        }
    }

    private SIPMessage check(byte[] msgBuffer, boolean readBody, boolean strict, ParseExceptionListener listener)
            throws ParseException {
        String repeated = repeatedSingleHeader(msgBuffer);
        if (repeated != null) {
            if (repeated.equals("Content-Length")) {
                throw new FramingException("More than one Content-Length");
            }
            throw new ParseException("More than one " + repeated, 0);
        }
        SIPMessage message = super.parseSIPMessage(msgBuffer, readBody, strict, listener);
        if (message instanceof SIPRequest request) {
            List<String> missing = new ArrayList<>();
            if (request.getTo() == null) missing.add("To");
            if (request.getFrom() == null) missing.add("From");
            if (request.getCallId() == null) missing.add("Call-ID");
            if (request.getCSeq() == null) missing.add("CSeq");
            if (request.getTopmostVia() == null) missing.add("Via");
            if (!missing.isEmpty()) {
                throw new ParseException("Missing " + String.join(", ", missing), 0);
            }
        }
        if (message instanceof SIPRequest request && request.getCSeq() != null && request.getRequestLine() != null) {
            String method = request.getMethod();
            String cseqMethod = request.getCSeq().getMethod();
            if (method != null && cseqMethod != null && !method.equalsIgnoreCase(cseqMethod)) {
                throw new ParseException("CSeq method " + cseqMethod + " does not match request method " + method, 0);
            }
            String version = writtenVersion(msgBuffer);
            if (version != null && !version.equals(request.getRequestLine().getSipVersion())) {
                request.getRequestLine().setSipVersion(version);
            }
        }
        if (message != null) {
            requireAngleBrackets("From", message.getFrom() == null ? null : message.getFrom().getAddress());
            requireAngleBrackets("To", message.getTo() == null ? null : message.getTo().getAddress());
            ContactList contacts = message.getContactHeaders();
            if (contacts != null) {
                for (Contact contact : contacts) {
                    requireAngleBrackets("Contact", contact.getAddress());
                }
            }
        }
        return message;
    }

    /** The last token of the request line as written (e.g. {@code SIP/7.0}), or null. */
    static String writtenVersion(byte[] message) {
        int start = 0;
        while (start < message.length && (message[start] == '\r' || message[start] == '\n')) start++;
        int end = start;
        while (end < message.length && message[end] != '\r' && message[end] != '\n') end++;
        String line = new String(message, start, end - start, StandardCharsets.UTF_8).trim();
        int space = line.lastIndexOf(' ');
        if (space < 0) return null;
        String version = line.substring(space + 1);
        return version.regionMatches(true, 0, "SIP/", 0, 4) ? "SIP/" + version.substring(4) : null;
    }

    /**
     * Header fields a request carries at most once (RFC 3261 7.3.1: their grammar has no comma-separated list), in the
     * order a fault names the first of them (String order, Content-Length aside). JAIN-SIP kept the last of several
     * (RFC 4475 3.3.8 multi01: two To, From, Call-ID and CSeq; 3.3.9 mcl01: two Content-Length).
     */
    private static final String[] SINGLE = {"CSeq", "Call-ID", "Content-Length", "Content-Type", "From", "Max-Forwards", "To"};
    private static final int CSEQ = 0, CALL_ID = 1, CONTENT_LENGTH = 2, CONTENT_TYPE = 3, FROM = 4, MAX_FORWARDS = 5, TO = 6;

    /**
     * The first single-valued header (Content-Length first) that the header section holds more than once, or null.
     * Runs for every message a channel reads, so it reads the bytes in place: no string per header line.
     */
    static String repeatedSingleHeader(byte[] message) {
        int seen = 0;
        int repeated = 0;
        int lineStart = 0;
        for (int i = 0; i <= message.length; i++) {
            if (i == message.length || message[i] == '\n') {
                int end = i > lineStart && message[i - 1] == '\r' ? i - 1 : i;
                if (end == lineStart && lineStart > 0) {
                    break; // the empty line: the body starts
                }
                if (lineStart > 0 && message[lineStart] != ' ' && message[lineStart] != '\t') {
                    int colon = lineStart;
                    while (colon < end && message[colon] != ':') colon++;
                    int header = colon < end && colon > lineStart ? singleHeader(message, lineStart, colon) : -1;
                    if (header >= 0) {
                        repeated |= seen & (1 << header);
                        seen |= 1 << header;
                    }
                }
                lineStart = i + 1;
            }
        }
        if ((repeated & (1 << CONTENT_LENGTH)) != 0) return SINGLE[CONTENT_LENGTH];
        return repeated == 0 ? null : SINGLE[Integer.numberOfTrailingZeros(repeated)];
    }

    /** Which of {@link #SINGLE} the header name in {@code [from, to)} is, by long or compact name, any case; -1 if none. */
    private static int singleHeader(byte[] m, int from, int to) {
        // as String.trim: the name without the controls and spaces around it (obs-fold aside, "To :" is a To)
        while (from < to && (m[from] & 0xff) <= ' ') from++;
        while (to > from && (m[to - 1] & 0xff) <= ' ') to--;
        switch (to - from) {
            case 1:
                switch (m[from] | 0x20) {
                    case 'l': return CONTENT_LENGTH;
                    case 't': return TO;
                    case 'f': return FROM;
                    case 'i': return CALL_ID;
                    case 'c': return CONTENT_TYPE;
                    default: return -1;
                }
            case 2: return named(m, from, "to") ? TO : -1;
            case 4: return named(m, from, "cseq") ? CSEQ : named(m, from, "from") ? FROM : -1;
            case 7: return named(m, from, "call-id") ? CALL_ID : -1;
            case 12: return named(m, from, "max-forwards") ? MAX_FORWARDS : named(m, from, "content-type") ? CONTENT_TYPE : -1;
            case 14: return named(m, from, "content-length") ? CONTENT_LENGTH : -1;
            default: return -1;
        }
    }

    /** The bytes at {@code from} spell {@code lower} (lower case letters and '-') in any case of the letters. */
    private static boolean named(byte[] m, int from, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            char want = lower.charAt(k);
            int got = m[from + k];
            if (want == '-' ? got != '-' : (got | 0x20) != want) return false;
        }
        return true;
    }

    /**
     * RFC 3261 20.10: a URI with headers (or a comma, semicolon or question mark) must be a name-addr in
     * angle brackets; written bare, its {@code ?headers} would be the header field's own (RFC 4475 3.1.2.13).
     */
    private static void requireAngleBrackets(String header, Address address) throws ParseException {
        if (address instanceof AddressImpl a && a.getAddressType() == AddressImpl.ADDRESS_SPEC
                && a.getURI() instanceof SipURI uri && uri.getHeaderNames() != null && uri.getHeaderNames().hasNext()) {
            throw new ParseException(header + " URI with headers must be enclosed in <>", 0);
        }
    }
}
