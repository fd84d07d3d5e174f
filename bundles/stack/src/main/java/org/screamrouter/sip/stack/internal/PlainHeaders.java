package org.screamrouter.sip.stack.internal;

import gov.nist.core.Host;
import gov.nist.core.HostPort;
import gov.nist.core.NameValue;
import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.AddressParametersHeader;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.ContentType;
import gov.nist.javax.sip.header.Expires;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.ParametersHeader;
import gov.nist.javax.sip.header.Protocol;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.UserAgent;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.message.SIPRequest;

/**
 * The header lines nearly every request carries, read by hand when they have their plain shape, into the objects
 * JAIN-SIP's own parsers make of them, with the same constructors and setters given the same texts. JAIN-SIP's
 * parsers make a lexer, tokens and string builders for every line: 13 KB and 6 to 9 us for sipp's OPTIONS, more
 * than a quarter of the server's CPU per OPTIONS (issue 15).
 * <p>
 * The plain shapes are a strict subset of what JAIN-SIP reads: ASCII only, no white space inside a value, no escapes,
 * no comments, one value per line, a {@code sip:} URI in angle brackets without password or headers, no IPv6 address.
 * Anything else, and anything a setter refuses, gives null, and the line goes to JAIN-SIP's parser, which reads it
 * (or reports its fault) as before. {@code PlainHeadersTest} compares the objects field by field with JAIN-SIP's on
 * the corpus's lines and on generated ones.
 */
final class PlainHeaders {
    /** The plain reading of one header's value. */
    @FunctionalInterface
    interface Reader {
        /** The header of {@code line} whose value starts at {@code from}, or null when it is not plain. */
        SIPHeader read(String line, int from) throws Exception;
    }

    /*
     * Blank headers, as their constructors make them, copied for each line read: JAIN-SIP's header constructor interns
     * the header's name (a lookup in the JVM's string table, through native code) every time, about 5% of the server's
     * CPU per OPTIONS once the lines were read by hand; a copy of a blank one (clone, which JAIN-SIP's headers implement
     * as a deep copy) skips the constructor and gives the same fields. The blanks are never handed out or changed.
     * Not for headers with parameters: their copy's parameter list is not the kind their constructor makes (a
     * LinkedHashMap where From's is a ConcurrentHashMap), which PlainHeadersTest catches.
     */
    private static final CallID CALL_ID = new CallID();
    private static final CSeq CSEQ = new CSeq();
    private static final MaxForwards MAX_FORWARDS = new MaxForwards();
    private static final ContentLength CONTENT_LENGTH = new ContentLength();
    private static final Expires EXPIRES = new Expires();
    private static final UserAgent USER_AGENT = new UserAgent();

    private PlainHeaders() {
    }

    @SuppressWarnings("unchecked")
    private static <H extends SIPHeader> H fresh(H blank) {
        return (H) blank.clone();
    }

    /**
     * The header of {@code line}, whose name ends at {@code nameEnd}, or null: a name preceded by anything, a colon
     * not after the name and blanks, or a value not plain. Nothing thrown: a refusal is a null.
     */
    static SIPHeader read(Reader reader, String line, int nameEnd) {
        int i = nameEnd;
        while (i < line.length() && blank(line.charAt(i))) i++;
        if (i == line.length() || line.charAt(i) != ':') return null;
        i++;
        while (i < line.length() && blank(line.charAt(i))) i++;
        try {
            return reader.read(line, i);
        } catch (Exception e) {
            return null;
        }
    }

    static SIPHeader callId(String line, int from) throws Exception {
        int end = line.length();
        if (from == end) return null;
        for (int i = from; i < end; i++) {
            char c = line.charAt(i);
            if (c <= ' ' || c > '~') return null;
        }
        CallID header = fresh(CALL_ID);
        header.setCallId(line.substring(from));
        return header;
    }

    static SIPHeader cSeq(String line, int from) throws Exception {
        int digits = digits(line, from, 10);
        if (digits == from) return null;
        int method = digits;
        while (method < line.length() && blank(line.charAt(method))) method++;
        if (method == digits || !standardMethod(line, method, line.length(), true)) return null;
        CSeq header = fresh(CSEQ);
        header.setSeqNumber(Long.parseLong(line, from, digits, 10));
        // as JAIN-SIP's CSeq parser, the method interned; a standard method in capitals is already one of JAIN-SIP's
        // constants, which needs no second lookup in the JVM's string table
        String text = line.substring(method);
        String canonical = SIPRequest.getCannonicalName(text);
        header.setMethod(canonical == text ? text.intern() : canonical);
        return header;
    }

    /**
     * The methods of RFC 3261 and its extensions, in any case: JAIN-SIP's lexer reads a method that is also a header
     * name ("Via", "e") as that keyword and refuses it, so any other method is left to it.
     */
    private static final String[] METHODS = {"INVITE", "ACK", "OPTIONS", "BYE", "CANCEL", "REGISTER", "SUBSCRIBE", "NOTIFY",
        "PUBLISH", "MESSAGE", "INFO", "PRACK", "UPDATE", "REFER"};

    private static boolean standardMethod(String line, int from, int to, boolean anyCase) {
        int length = to - from;
        for (int i = from; i < to; i++) {
            char c = line.charAt(i);
            if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) return false; // regionMatches folds others too
        }
        for (String method : METHODS) {
            if (method.length() == length && line.regionMatches(anyCase, from, method, 0, length)) return true;
        }
        return false;
    }

    static SIPHeader maxForwards(String line, int from) throws Exception {
        int value = wholeNumber(line, from, 3);
        if (value < 0) return null;
        MaxForwards header = fresh(MAX_FORWARDS);
        header.setMaxForwards(value);
        return header;
    }

    static SIPHeader contentLength(String line, int from) throws Exception {
        int value = wholeNumber(line, from, 9);
        if (value < 0) return null;
        ContentLength header = fresh(CONTENT_LENGTH);
        header.setContentLength(value);
        return header;
    }

    static SIPHeader expires(String line, int from) throws Exception {
        int value = wholeNumber(line, from, 9);
        if (value < 0) return null;
        Expires header = fresh(EXPIRES);
        header.setExpires(value);
        return header;
    }

    /** The value from {@code from} to the line's end when it is a number of at most {@code most} digits, else -1. */
    static int wholeNumber(String line, int from, int most) {
        return wholeNumber(line, from, line.length(), most);
    }

    /** The same for the value from {@code from} to {@code end} (the methods with an {@code end} read inside a longer text). */
    static int wholeNumber(String line, int from, int end, int most) {
        int digits = digits(line, from, end, most);
        return digits == from || digits != end ? -1 : Integer.parseInt(line, from, digits, 10);
    }

    /** {@code type/subtype(;name[=token|"quoted"])*}. */
    static SIPHeader contentType(String line, int from) throws Exception {
        int type = token(line, from);
        if (type == from || !at(line, type, '/')) return null;
        int subtype = token(line, type + 1);
        if (subtype == type + 1) return null;
        ContentType header = new ContentType();
        header.setContentType(line.substring(from, type));
        header.setContentSubType(line.substring(type + 1, subtype));
        return parameters(header, line, subtype) ? header : null;
    }

    /**
     * {@code User-Agent}: printable ASCII and single spaces, no comment, at most one '/' (not before a blank): JAIN-SIP
     * reads that as one product token, the whole text.
     */
    static SIPHeader userAgent(String line, int from) throws Exception {
        if (!plainUserAgent(line, from)) return null;
        UserAgent header = fresh(USER_AGENT);
        header.addProductToken(line.substring(from));
        return header;
    }

    /** Whether the value from {@code from} to the line's end is a {@code User-Agent} {@link #userAgent} reads. */
    static boolean plainUserAgent(String line, int from) {
        return plainUserAgent(line, from, line.length());
    }

    static boolean plainUserAgent(String line, int from, int end) {
        int slashes = 0;
        if (from == end || line.charAt(end - 1) == ' ') return false;
        for (int i = from; i < end; i++) {
            char c = line.charAt(i);
            if (c < ' ' || c > '~' || c == '(' || c == ')' || (c == ' ' && line.charAt(i - 1) == ' ')) return false;
            if (c == '/' && (++slashes > 1 || at(line, i + 1, end, ' '))) return false;
        }
        return true;
    }

    /** A request line {@code METHOD sip:... SIP/2.0}, the method one of {@link #METHODS} in capitals; else null. */
    static RequestLine requestLine(String line) {
        try {
            int space = line.indexOf(' ');
            if (space < 0 || !standardMethod(line, 0, space, false) || !line.endsWith(" SIP/2.0")) return null;
            int[] end = new int[1];
            SipUri uri = sipUri(line, space + 1, end);
            if (uri == null || end[0] != line.length() - 8) return null;
            RequestLine requestLine = new RequestLine();
            requestLine.setMethod(line.substring(0, space));
            requestLine.setUri(uri);
            requestLine.setSipVersion("SIP/2.0");
            return requestLine;
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code SIP/2.0/UDP host[:port](;name[=token])*}: one Via, no comment, no {@code received}. */
    static SIPHeader via(String line, int from) throws Exception {
        int name = token(line, from);
        if (name == from || !at(line, name, '/')) return null;
        int version = token(line, name + 1);
        if (version == name + 1 || !at(line, version, '/')) return null;
        int transport = token(line, version + 1);
        if (transport == version + 1 || !at(line, transport, ' ')) return null;
        Protocol protocol = new Protocol();
        protocol.setProtocolName(line.substring(from, name));
        protocol.setProtocolVersion(line.substring(name + 1, version));
        protocol.setTransport(line.substring(version + 1, transport));
        Via via = new Via();
        via.setSentProtocol(protocol);
        int[] end = new int[1];
        HostPort sentBy = hostPort(line, transport + 1, end);
        if (sentBy == null) return null;
        via.setSentBy(sentBy);
        int i = end[0];
        while (i < line.length()) {
            if (line.charAt(i) != ';') return null;
            int key = token(line, i + 1);
            if (key == i + 1) return null;
            String keyText = line.substring(i + 1, key);
            if (keyText.equalsIgnoreCase(Via.RECEIVED)) return null;
            if (at(line, key, '=')) {
                int value = token(line, key + 1);
                if (value == key + 1) return null;
                via.setParameter(new NameValue(keyText.toLowerCase(), line.substring(key + 1, value)));
                i = value;
            } else if (keyText.equalsIgnoreCase(Via.BRANCH)) {
                return null; // JAIN-SIP refuses a branch without a value
            } else {
                via.setParameter(new NameValue(keyText.toLowerCase(), null));
                i = key;
            }
        }
        ViaList list = new ViaList();
        list.add(via);
        return list;
    }

    static SIPHeader from(String line, int from) throws Exception {
        return address(new From(), line, from);
    }

    static SIPHeader to(String line, int from) throws Exception {
        return address(new To(), line, from);
    }

    static SIPHeader contact(String line, int from) throws Exception {
        Contact contact = address(new Contact(), line, from);
        if (contact == null) return null;
        ContactList list = new ContactList();
        list.add(contact);
        return list;
    }

    /**
     * {@code ["display name"] <sip:[user@]host[:port](;param[=value])*>(;name[=token|"quoted"])*}, as JAIN-SIP's
     * address and parameter parsers set it.
     */
    private static <H extends AddressParametersHeader> H address(H header, String line, int from) throws Exception {
        AddressImpl address = new AddressImpl();
        address.setAddressType(AddressImpl.NAME_ADDR);
        int i = from;
        if (at(line, i, '"')) {
            int close = quoted(line, i);
            if (close < 0) return null;
            String name = line.substring(i + 1, close);
            i = close + 1;
            while (i < line.length() && blank(line.charAt(i))) i++;
            address.setDisplayName(name.trim());
        }
        if (!at(line, i, '<')) return null;
        int[] end = new int[1];
        SipUri uri = sipUri(line, i + 1, end);
        if (uri == null) return null;
        i = end[0];
        if (!at(line, i, '>')) return null;
        address.setURI(uri);
        header.setAddress(address);
        return parameters(header, line, i + 1) ? header : null;
    }

    /**
     * The parameters {@code (;name[=token|"quoted"])*} from {@code from} to the line's end, set as JAIN-SIP's
     * parameter parser sets them; false when they are not plain.
     */
    private static boolean parameters(ParametersHeader header, String line, int from) throws Exception {
        int i = from;
        while (i < line.length()) {
            if (line.charAt(i) != ';') return false;
            int key = token(line, i + 1);
            if (key == i + 1) return false;
            String name = line.substring(i + 1, key);
            if (!at(line, key, '=')) {
                header.setParameter(new NameValue(name, "", true));
                i = key;
            } else if (at(line, key + 1, '"')) {
                int close = quoted(line, key + 1);
                if (close < 0) return false;
                NameValue parameter = new NameValue(name, line.substring(key + 2, close), false);
                parameter.setQuotedValue();
                header.setParameter(parameter);
                i = close + 1;
            } else {
                int value = token(line, key + 1);
                if (value == key + 1) return false;
                header.setParameter(new NameValue(name, line.substring(key + 1, value), false));
                i = value;
            }
        }
        return true;
    }

    /**
     * {@code sip:[user@]host[:port](;name[=value])*} from {@code from}, as JAIN-SIP's URI parser sets it (parameters
     * read into the URI, as in brackets and in the request line); its end in {@code end[0]}; null when not plain.
     */
    private static SipUri sipUri(String line, int from, int[] end) throws Exception {
        if (!line.startsWith("sip:", from)) return null;
        int i = from + 4;
        SipUri uri = new SipUri();
        uri.setScheme("sip");
        int user = user(line, i);
        if (user > i && at(line, user, '@')) {
            uri.setUser(line.substring(i, user));
            i = user + 1;
        }
        HostPort hostPort = hostPort(line, i, end);
        if (hostPort == null) return null;
        uri.setHostPort(hostPort);
        i = end[0];
        while (at(line, i, ';')) {
            int key = uriParam(line, i + 1);
            if (key == i + 1) return null;
            if (at(line, key, '=')) {
                int value = uriParam(line, key + 1);
                if (value == key + 1) return null;
                uri.setUriParameter(new NameValue(line.substring(i + 1, key), line.substring(key + 1, value), false));
                i = value;
            } else {
                uri.setUriParameter(new NameValue(line.substring(i + 1, key), "", true));
                i = key;
            }
        }
        end[0] = i;
        return uri;
    }

    /**
     * {@code host[:port]} from {@code from}: a host name or IPv4 address (letters, digits, '-', '.', '_'), a port of
     * at most 5 digits; its end in {@code end[0]}. Null when the text is not that, or when JAIN-SIP would read it as
     * an IPv6 address (two colons before the first ';' or '?').
     */
    private static HostPort hostPort(String line, int from, int[] end) {
        int i = from;
        while (i < line.length() && hostChar(line.charAt(i))) i++;
        if (i == from || ipv6(line, from)) return null;
        HostPort hostPort = new HostPort();
        hostPort.setHost(new Host(line.substring(from, i)));
        if (at(line, i, ':')) {
            int digits = digits(line, i + 1, 5);
            if (digits == i + 1) return null;
            hostPort.setPort(Integer.parseInt(line, i + 1, digits, 10));
            i = digits;
        }
        end[0] = i;
        return hostPort;
    }

    /** JAIN-SIP's test for an IPv6 host: two colons in the text up to the first ',' and then the first ';' or '?'. */
    static boolean ipv6(String line, int from) {
        return ipv6(line, from, line.length());
    }

    static boolean ipv6(String line, int from, int end) {
        int comma = indexOf(line, ',', from, end);
        int limit = comma < 0 ? end : comma;
        int question = indexOf(line, '?', from, end);
        int semicolon = indexOf(line, ';', from, end);
        if (question >= limit) question = -1;
        if (semicolon >= limit) semicolon = -1;
        int hostEnd = question;
        if (hostEnd == -1 || (semicolon != -1 && hostEnd > semicolon)) hostEnd = semicolon;
        if (hostEnd == -1) hostEnd = limit;
        int colon = indexOf(line, ':', from, end);
        int second = colon < 0 ? -1 : indexOf(line, ':', colon + 1, end);
        return colon >= 0 && colon < hostEnd && second >= 0 && second < hostEnd;
    }

    /** The first {@code c} at or after {@code from} and before {@code end}, or -1. */
    private static int indexOf(String line, char c, int from, int end) {
        int i = line.indexOf(c, from);
        return i < end ? i : -1;
    }

    /** The closing quote of the quoted string at {@code open}: printable ASCII inside, no backslash; -1 if none. */
    static int quoted(String line, int open) {
        return quoted(line, open, line.length());
    }

    static int quoted(String line, int open, int end) {
        for (int i = open + 1; i < end; i++) {
            char c = line.charAt(i);
            if (c == '"') return i;
            if (c < ' ' || c > '~' || c == '\\') return -1;
        }
        return -1;
    }

    static int digits(String line, int from, int most) {
        return digits(line, from, line.length(), most);
    }

    static int digits(String line, int from, int end, int most) {
        int i = from;
        while (i < end && i - from <= most && line.charAt(i) >= '0' && line.charAt(i) <= '9') i++;
        return i - from > most ? from : i;
    }

    /** The end of the RFC 3261 token at {@code from} (ASCII letters, digits and {@code -.!%*_+`'~}). */
    static int token(String line, int from) {
        return token(line, from, line.length());
    }

    static int token(String line, int from, int end) {
        int i = from;
        while (i < end && tokenChar(line.charAt(i))) i++;
        return i;
    }

    /** The end of a URI user part of unreserved characters and '+' (no escapes, none of {@code ;?/#&=$,}). */
    static int user(String line, int from) {
        return user(line, from, line.length());
    }

    static int user(String line, int from, int end) {
        int i = from;
        while (i < end && (alphaDigit(line.charAt(i)) || mark(line.charAt(i)) || line.charAt(i) == '+')) i++;
        return i;
    }

    /** The end of a URI parameter's name or value: unreserved characters and {@code []/:&+$}, no escapes. */
    static int uriParam(String line, int from) {
        return uriParam(line, from, line.length());
    }

    static int uriParam(String line, int from, int end) {
        int i = from;
        while (i < end) {
            char c = line.charAt(i);
            if (!alphaDigit(c) && !mark(c) && "[]/:&+$".indexOf(c) < 0) break;
            i++;
        }
        return i;
    }

    private static boolean tokenChar(char c) {
        return alphaDigit(c) || "-.!%*_+`'~".indexOf(c) >= 0;
    }

    private static boolean mark(char c) {
        return "-_.!~*'()".indexOf(c) >= 0;
    }

    static boolean hostChar(char c) {
        return alphaDigit(c) || c == '-' || c == '.' || c == '_';
    }

    private static boolean alphaDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    static boolean blank(char c) {
        return c == ' ' || c == '\t';
    }

    static boolean at(String line, int i, char c) {
        return at(line, i, line.length(), c);
    }

    static boolean at(String line, int i, int end, char c) {
        return i < end && line.charAt(i) == c;
    }
}
