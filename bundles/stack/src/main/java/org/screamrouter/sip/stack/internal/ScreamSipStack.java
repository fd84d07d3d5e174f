package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;
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
 * ({@link StrictMessageParser}), the TCP, TLS and WebSocket transports report CRLF keep-alives
 * ({@link KeepAliveProcessorFactory}), and TLS takes its keys and trust from our provider, set the same way as the
 * router ({@link org.screamrouter.sip.stack.internal.tls.JainSipSecurity}).
 */
final class ScreamSipStack extends SipStackImpl {
    /**
     * A server transaction only for a request that RFC 3261 17.2.3 matches to it (branch, sent-by and method; JAIN-SIP
     * looks at the branch alone) and that comes from the same flow (transport, source address and port) as the
     * request that made it. JAIN-SIP dropped any request whose branch equalled a live transaction's ("transaction
     * already exists"): RFC 4475 baddn was never answered while baddate's INVITE transaction (same branch, other
     * sent-by and method) lived, and a stranger on the LAN who copies a UA's branch could silence it (issue 13).
     */
    @Override
    public SIPTransaction findTransaction(SIPMessage message, boolean isServer) {
        SIPTransaction found = super.findTransaction(message, isServer);
        if (isServer && found instanceof SIPServerTransaction tx && message instanceof SIPRequest request
                && !(tx.isMessagePartOfTransaction(request) && sameFlow(tx, request))) {
            return null;
        }
        return found;
    }

    private static boolean sameFlow(SIPServerTransaction tx, SIPRequest request) {
        if (!(tx.getRequest() instanceof SIPRequest original) || original == request) {
            return true;
        }
        java.net.InetAddress a = original.getPeerPacketSourceAddress();
        java.net.InetAddress b = request.getPeerPacketSourceAddress();
        Object channel = request.getMessageChannel();
        String transport = channel instanceof gov.nist.javax.sip.stack.MessageChannel mc ? mc.getTransport() : null;
        return a != null && a.equals(b) && original.getPeerPacketSourcePort() == request.getPeerPacketSourcePort()
                && (transport == null || transport.equalsIgnoreCase(tx.getTransport()));
    }

    ScreamSipStack(Properties properties, Router router, Consumer<Flow> keepAlive, Consumer<Flow> closed, ConnectionGuard guard, SourceRates rates,
                   gov.nist.core.net.SecurityManagerProvider security) throws PeerUnavailableException {
        super(properties);
        setRouter(router);
        // JAIN-SIP made its own provider by class name (it could not name ours); TLS listening points ask this field
        securityManagerProvider = security;
        // both before any listening point exists: each message channel asks for its parser, each
        // listening point for its processor
        setMessageParserFactory(new StrictMessageParser.Factory());
        setMessageProcessorFactory(new KeepAliveProcessorFactory(keepAlive, closed, guard, rates));
    }
}
