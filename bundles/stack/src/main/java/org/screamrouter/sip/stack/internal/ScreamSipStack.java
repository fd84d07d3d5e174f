package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.SipStackImpl;
import java.util.Properties;
import javax.sip.PeerUnavailableException;
import java.util.function.Consumer;
import javax.sip.address.Router;
import org.screamrouter.sip.stack.Flow;

/**
 * The JAIN-SIP stack with a router chosen by instance. JAIN-SIP creates its router by class name from the
 * stack's class loader, which cannot see this bundle's private packages; the router is swapped in after
 * construction instead, and the stack is created without the static {@code SipFactory} registry so that a
 * new configuration can create a new stack of the same name. The parser adds RFC 3261 checks
 * ({@link StrictMessageParser}) and the TCP and WebSocket transports report CRLF keep-alives
 * ({@link KeepAliveProcessorFactory}).
 */
final class ScreamSipStack extends SipStackImpl {
    ScreamSipStack(Properties properties, Router router, Consumer<Flow> keepAlive, Consumer<Flow> closed) throws PeerUnavailableException {
        super(properties);
        setRouter(router);
        // both before any listening point exists: each message channel asks for its parser, each
        // listening point for its processor
        setMessageParserFactory(new StrictMessageParser.Factory());
        setMessageProcessorFactory(new KeepAliveProcessorFactory(keepAlive, closed));
    }
}
