package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.SipStackImpl;
import java.util.Properties;
import javax.sip.PeerUnavailableException;
import javax.sip.address.Router;

/**
 * The JAIN-SIP stack with a router chosen by instance. JAIN-SIP creates its router by class name from the
 * stack's class loader, which cannot see this bundle's private packages; the router is swapped in after
 * construction instead, and the stack is created without the static {@code SipFactory} registry so that a
 * new configuration can create a new stack of the same name.
 */
final class ScreamSipStack extends SipStackImpl {
    ScreamSipStack(Properties properties, Router router) throws PeerUnavailableException {
        super(properties);
        setRouter(router);
        // before any listening point exists: each message channel asks this factory for its parser
        setMessageParserFactory(new StrictMessageParser.Factory());
    }
}
