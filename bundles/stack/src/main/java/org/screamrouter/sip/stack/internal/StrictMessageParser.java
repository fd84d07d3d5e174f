package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import java.text.ParseException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;

/**
 * JAIN-SIP's parser plus checks it lacks: the CSeq method of RFC 3261 8.2 (which JAIN-SIP makes later and
 * answers with a bare "400 Bad request") and name-addr brackets around URIs with headers (RFC 3261 20.10). A fault found here is a parse error, which JAIN-SIP answers with
 * "400 Bad Request (the fault)" before any transaction or handler sees the request.
 */
final class StrictMessageParser extends StringMsgParser {
    /** One parser per message channel, as JAIN-SIP asks for; the parser holds no state between messages. */
    static final class Factory implements MessageParserFactory {
        @Override
        public MessageParser createMessageParser(SIPTransactionStack stack) {
            return new StrictMessageParser();
        }
    }

    @Override
    public SIPMessage parseSIPMessage(byte[] msgBuffer, boolean readBody, boolean strict, ParseExceptionListener listener)
            throws ParseException {
        SIPMessage message = super.parseSIPMessage(msgBuffer, readBody, strict, listener);
        if (message instanceof SIPRequest request && request.getCSeq() != null && request.getRequestLine() != null) {
            String method = request.getMethod();
            String cseqMethod = request.getCSeq().getMethod();
            if (method != null && cseqMethod != null && !method.equalsIgnoreCase(cseqMethod)) {
                throw new ParseException("CSeq method " + cseqMethod + " does not match request method " + method, 0);
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
