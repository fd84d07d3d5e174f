package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;

/**
 * JAIN-SIP's parser plus the checks of RFC 3261 8.2 that JAIN-SIP makes later and answers with a bare
 * "400 Bad request". A fault found here is a parse error, which JAIN-SIP answers with
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
        return message;
    }
}
