package org.screamrouter.sip.stack.internal;

import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;

/** One request being handled; answers through the {@link RequestDispatcher} that received it. */
final class Exchange implements SipExchange {
    private final RequestDispatcher dispatcher;
    private final Request request;
    private final Flow flow;
    private final String cacheKey;
    private volatile ServerTransaction transaction;
    private volatile boolean answered;
    private final java.util.concurrent.atomic.AtomicBoolean inProgress = new java.util.concurrent.atomic.AtomicBoolean(true);

    Exchange(RequestDispatcher dispatcher, Request request, Flow flow, ServerTransaction transaction, String cacheKey) {
        this.dispatcher = dispatcher;
        this.request = request;
        this.flow = flow;
        this.transaction = transaction;
        this.cacheKey = cacheKey;
    }

    @Override public Request request() { return request; }

    @Override public Flow flow() { return flow; }

    @Override public Response createResponse(int status) {
        return dispatcher.createResponse(request, status, null);
    }

    @Override public Response createResponse(int status, String reasonPhrase) {
        return dispatcher.createResponse(request, status, reasonPhrase);
    }

    @Override public void respond(Response response) {
        dispatcher.send(this, response);
        if (response.getStatusCode() >= 200) {
            answered = true;
        }
    }

    @Override public boolean answered() { return answered; }

    @Override public synchronized ServerTransaction serverTransaction() {
        if (transaction == null) {
            transaction = dispatcher.newServerTransaction(request);
        }
        return transaction;
    }

    ServerTransaction existingTransaction() { return transaction; }

    String cacheKey() { return cacheKey; }

    /** True the first time only: the dispatcher's in-progress mark of this request is to be removed now. */
    boolean releaseInProgress() { return inProgress.compareAndSet(true, false); }
}
