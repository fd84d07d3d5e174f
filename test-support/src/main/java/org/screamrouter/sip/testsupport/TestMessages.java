package org.screamrouter.sip.testsupport;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.nio.charset.StandardCharsets;
import javax.sip.address.AddressFactory;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import org.screamrouter.sip.stack.SipHeaders;
import org.screamrouter.sip.stack.SipMessages;

/** Real JAIN-SIP messages for unit tests, as the stack's {@link SipMessages} makes them, and the reads tests make of them. */
public final class TestMessages {
    /** The factories: stateless, one for every test. */
    public static final SipMessages MESSAGES = new SipMessages() {
        private final MessageFactory m = new MessageFactoryImpl();
        private final HeaderFactory h = new HeaderFactoryImpl();
        private final AddressFactory a = new AddressFactoryImpl();
        @Override public MessageFactory messages() { return m; }
        @Override public HeaderFactory headers() { return h; }
        @Override public AddressFactory addresses() { return a; }
    };

    private TestMessages() {
    }

    /** The value of a message's header (what follows the colon), or null when the message has none. */
    public static String header(Message message, String name) {
        Header h = message.getHeader(name);
        return h == null ? null : SipHeaders.value(h);
    }

    /** A message's body as UTF-8 text, or null when it has none. */
    public static String body(Message message) {
        return message.getRawContent() == null ? null : new String(message.getRawContent(), StandardCharsets.UTF_8);
    }
}
