package org.screamrouter.sip.stack.internal;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.ServerRequestInterface;
import java.io.IOException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.PeerUnavailableException;
import java.util.function.Consumer;
import javax.sip.address.Router;
import javax.sip.message.Request;
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
     * The request this thread is matching to a transaction. JAIN-SIP looks transactions up by their id (the branch)
     * in {@code newSIPServerRequest} and in its event scanner, without the request; both run on the thread that
     * handles the request (the listener is reentrant), right after {@link #newSIPServerRequest} or
     * {@link #findTransaction(SIPMessage, boolean)} named it here.
     */
    private final ThreadLocal<SIPRequest> matching = new ThreadLocal<>();

    /** REGISTER and OPTIONS outside a dialog: answered without a transaction (issue 15). */
    private final StatelessRequests stateless;

    /**
     * Live server transactions that a handler asked for ({@code SipExchange.serverTransaction}) on a request that came
     * without one, by branch. Their retransmissions go to JAIN-SIP, whose transaction answers them (RFC 3261 17.2.2)
     * with what the handler sent through it; empty unless a handler does so.
     */
    private final ConcurrentHashMap<String, Set<SIPServerTransaction>> promoted = new ConcurrentHashMap<>();

    /**
     * Live server transactions that JAIN-SIP's table (one transaction per branch, {@code putIfAbsent}) could not hold
     * because another flow's transaction had their branch, by branch.
     */
    private final ConcurrentHashMap<String, Set<SIPServerTransaction>> sharing = new ConcurrentHashMap<>();

    /**
     * Transactions whose request the listener is handling, by branch. JAIN-SIP kept one per branch, and any request
     * with that branch that came meanwhile was taken for a retransmission of it and dropped, whatever its sent-by,
     * method or flow: RFC 4475 cparam02 right after cparam01 (another socket) was not answered while the registrar
     * was still busy with cparam01 after its answer.
     */
    private final ConcurrentHashMap<String, Set<SIPServerTransaction>> pending = new ConcurrentHashMap<>();

    /**
     * A server transaction only for a request that RFC 3261 17.2.3 matches to it (branch, sent-by and method; JAIN-SIP
     * looks at the branch alone) and that comes from the same flow (transport, source address and port) as the
     * request that made it. JAIN-SIP dropped any request whose branch equalled a live transaction's ("transaction
     * already exists"): RFC 4475 baddn was never answered while baddate's INVITE transaction (same branch, other
     * sent-by and method) lived, and a stranger on the LAN who copies a UA's branch could silence it (issue 13).
     */
    @Override
    public SIPTransaction findTransaction(SIPMessage message, boolean isServer) {
        if (!isServer || !(message instanceof SIPRequest request)) {
            return super.findTransaction(message, isServer);
        }
        matching.set(request);
        SIPTransaction found = super.findTransaction(message, true);
        if (found instanceof SIPServerTransaction tx && matches(tx, request)) {
            return tx;
        }
        return sharingMatch(request.getTransactionId(), request);
    }

    /** As {@link #findTransaction(SIPMessage, boolean)} for the request being matched on this thread. */
    @Override
    public SIPTransaction findTransaction(String transactionId, boolean isServer) {
        SIPRequest request = isServer ? matching(transactionId) : null;
        if (request == null) {
            return super.findTransaction(transactionId, isServer);
        }
        SIPTransaction found = super.findTransaction(transactionId, true);
        if (found instanceof SIPServerTransaction tx && matches(tx, request)) {
            return tx;
        }
        return sharingMatch(transactionId, request);
    }

    /**
     * REGISTER and OPTIONS outside a dialog go to {@link StatelessRequests}, past JAIN-SIP's transaction layer; every
     * other request gets (or matches) a server transaction as before.
     */
    @Override
    public ServerRequestInterface newSIPServerRequest(SIPRequest request, MessageChannel channel) {
        if (request.getMessageChannel() == null) {
            request.setMessageChannel(channel); // what sameFlow and the dispatcher read; JAIN-SIP sets it too, first thing
        }
        if (StatelessRequests.applies(request) && (promoted.isEmpty() || !promoted.containsKey(request.getTransactionId()))) {
            matching.remove();
            return stateless;
        }
        matching.set(request);
        return super.newSIPServerRequest(request, channel);
    }

    @Override
    public void putPendingTransaction(SIPServerTransaction tx) {
        add(pending, tx);
    }

    @Override
    public void removePendingTransaction(SIPServerTransaction tx) {
        remove(pending, tx);
    }

    /**
     * The pending transaction the request being matched on this thread belongs to (branch, sent-by, method, flow).
     * Never for an ACK: a pending INVITE is one no handler took a JAIN-SIP transaction for (that one would be in the
     * table), so it has no transaction layer to absorb the ACK of its error answer; the handler waits for that ACK
     * itself. Tied to the INVITE, the ACK waited for the INVITE's handler to return and was then dropped as a copy of
     * a request in progress, when a CANCEL had ended the call before that handler was done.
     */
    @Override
    public SIPServerTransaction findPendingTransaction(String transactionId) {
        Set<SIPServerTransaction> set = pending.get(transactionId);
        if (set == null) {
            return null;
        }
        SIPRequest request = matching(transactionId);
        if (request != null && Request.ACK.equals(request.getMethod())) {
            return null;
        }
        for (SIPServerTransaction tx : set) {
            if (request == null || matches(tx, request)) {
                return tx;
            }
        }
        return null;
    }

    @Override
    public void addTransaction(SIPServerTransaction tx) throws IOException {
        super.addTransaction(tx);
        keepIfTheTableHoldsAnother(tx);
        keepIfPromoted(tx);
    }

    @Override
    public void mapTransaction(SIPServerTransaction tx) {
        super.mapTransaction(tx);
        keepIfTheTableHoldsAnother(tx);
        keepIfPromoted(tx);
    }

    private void keepIfPromoted(SIPServerTransaction tx) {
        SIPRequest request = tx.getOriginalRequest();
        if (request != null && StatelessRequests.applies(request)) {
            add(promoted, tx);
        }
    }

    /**
     * JAIN-SIP removes a server transaction by its branch: ending one that is not the table's would take out the one
     * that is (another flow's, live). Such a transaction leaves {@link #sharing} instead; when the table's own ends, a
     * transaction sharing its branch takes its place.
     */
    @Override
    public void removeTransaction(SIPTransaction transaction) {
        if (!(transaction instanceof SIPServerTransaction tx)) {
            super.removeTransaction(transaction);
            return;
        }
        remove(promoted, tx);
        String id = tx.getTransactionId();
        SIPServerTransaction inTable = serverTransactionTable.get(id);
        if (inTable != null && inTable != tx) {
            remove(sharing, tx);
            removePendingTransaction(tx);
            if (tx.isInviteTransaction()) {
                removeFromMergeTable(tx);
            }
            return;
        }
        super.removeTransaction(transaction);
        Set<SIPServerTransaction> others = sharing.get(id);
        if (others != null) {
            for (SIPServerTransaction other : others) {
                if (serverTransactionTable.putIfAbsent(id, other) == null) {
                    remove(sharing, other);
                }
                break;
            }
        }
    }

    /** A CANCEL for an INVITE transaction of its own flow first, the table's or one sharing its branch. */
    @Override
    public SIPTransaction findCancelTransaction(SIPRequest cancel, boolean isServer) {
        SIPTransaction found = super.findCancelTransaction(cancel, isServer);
        if (!isServer || found instanceof SIPServerTransaction tx && sameFlow(tx, cancel)) {
            return found;
        }
        for (Set<SIPServerTransaction> set : sharing.values()) {
            for (SIPServerTransaction tx : set) {
                if (tx.doesCancelMatchTransaction(cancel) && sameFlow(tx, cancel)) {
                    return tx;
                }
            }
        }
        return found;
    }

    private void keepIfTheTableHoldsAnother(SIPServerTransaction tx) {
        SIPServerTransaction inTable = serverTransactionTable.get(tx.getTransactionId());
        if (inTable != null && inTable != tx) {
            add(sharing, tx);
        }
    }

    private SIPServerTransaction sharingMatch(String transactionId, SIPRequest request) {
        Set<SIPServerTransaction> set = sharing.get(transactionId);
        if (set != null) {
            for (SIPServerTransaction tx : set) {
                if (matches(tx, request)) {
                    return tx;
                }
            }
        }
        return null;
    }

    private SIPRequest matching(String transactionId) {
        SIPRequest request = matching.get();
        return request != null && transactionId != null && transactionId.equals(request.getTransactionId()) ? request : null;
    }

    private static void add(ConcurrentHashMap<String, Set<SIPServerTransaction>> map, SIPServerTransaction tx) {
        map.compute(tx.getTransactionId(), (id, set) -> {
            Set<SIPServerTransaction> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(tx);
            return s;
        });
    }

    private static void remove(ConcurrentHashMap<String, Set<SIPServerTransaction>> map, SIPServerTransaction tx) {
        map.computeIfPresent(tx.getTransactionId(), (id, set) -> {
            set.remove(tx);
            return set.isEmpty() ? null : set;
        });
    }

    private static boolean matches(SIPServerTransaction tx, SIPRequest request) {
        return tx.isMessagePartOfTransaction(request) && sameFlow(tx, request);
    }

    private static boolean sameFlow(SIPServerTransaction tx, SIPRequest request) {
        if (!(tx.getRequest() instanceof SIPRequest original) || original == request) {
            return true;
        }
        java.net.InetAddress a = original.getPeerPacketSourceAddress();
        java.net.InetAddress b = request.getPeerPacketSourceAddress();
        Object channel = request.getMessageChannel();
        String transport = channel instanceof MessageChannel mc ? mc.getTransport() : null;
        return a != null && a.equals(b) && original.getPeerPacketSourcePort() == request.getPeerPacketSourcePort()
                && (transport == null || transport.equalsIgnoreCase(tx.getTransport()));
    }

    ScreamSipStack(Properties properties, Router router, Consumer<Flow> keepAlive, Consumer<Flow> closed, ConnectionGuard guard, SourceRates rates,
                   gov.nist.core.net.SecurityManagerProvider security, UdpHandOver handOver, Counters counters, PlainAnswers plain)
            throws PeerUnavailableException {
        super(properties);
        stateless = new StatelessRequests(counters);
        // UDP sockets a previous stack parked are adopted rather than bound again (UdpHandOver)
        networkLayer = handOver.networkLayer(getNetworkLayer());
        setRouter(router);
        // JAIN-SIP made its own provider by class name (it could not name ours); TLS listening points ask this field
        securityManagerProvider = security;
        // both before any listening point exists: each message channel asks for its parser, each
        // listening point for its processor
        setMessageParserFactory(new StrictMessageParser.Factory());
        setMessageProcessorFactory(new KeepAliveProcessorFactory(keepAlive, closed, guard, rates, handOver, plain));
    }
}
