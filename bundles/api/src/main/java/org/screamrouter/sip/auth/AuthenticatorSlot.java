package org.screamrouter.sip.auth;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sip.InvalidArgumentException;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.HandlerClosedException;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;

/**
 * A handler's dynamic reference to the {@link SipAuthenticator}, and the one behaviour of every handler while it is
 * away (a {@code bundle:update} of the auth bundle, or the bundle stopped): a request waits for it a short bounded time
 * ({@link #WAIT}, at most {@link #MAX_WAITERS} requests at once) and proceeds as soon as it is back; when it does not
 * come back in time, or too many requests wait already, the request gets {@code 503 Authentication Unavailable} with
 * {@code Retry-After: }{@value #RETRY_AFTER_SECONDS} and is not served: authentication fails closed, never open.
 *
 * <p>The component binds and unbinds the service ({@code @Reference(policy = DYNAMIC)} on {@link #bind} /
 * {@link #unbind}), so an update of the auth bundle never restarts it: calls and subscriptions in progress survive.
 * The slot is itself a {@link SipAuthenticator}: handlers call {@link #authenticate} and {@link #owns} on it.
 *
 * <p>Why wait rather than answer 503 at once: an update takes a few hundred milliseconds, shorter than a UA's first
 * retransmission; a 503 would make the UA wait Retry-After and lose a registration meanwhile. Why bounded: a waiting
 * request holds the stack's thread, so only a few may wait and only briefly.
 */
public final class AuthenticatorSlot implements SipAuthenticator {
    /**
     * How long a request waits for the authenticator to come back: as long as the stack holds a request for a handler
     * that left (its {@code handler.wait} default). A refresh of an API bundle stops the auth bundle seconds before
     * the registrar, which goes on taking requests meanwhile (seen: 2.2 s on a 2-core machine, and with a 2 s wait one
     * REGISTER got this 503 in {@code HotSwapUnderLoadIT}); once the registrar stops, its waiting requests go back to
     * the stack ({@link #close}).
     */
    public static final Duration WAIT = Duration.ofSeconds(5);
    /** Requests waiting at once; one more gets the 503 at once. */
    public static final int MAX_WAITERS = 64;
    /** The Retry-After of the 503. */
    public static final int RETRY_AFTER_SECONDS = 5;
    /** The reason phrase of the 503. */
    public static final String REASON = "Authentication Unavailable";

    private final Supplier<SipMessages> messages;
    private final long waitNanos;
    private final int maxWaiters;
    private volatile SipAuthenticator current;
    private int waiting;
    /** Counts {@link #releaseWaiters} calls: a waiter leaves when it changes. */
    private long released;
    private boolean closed;

    /**
     * @param messages the component's message factory, asked only for a 503 (a supplier: a component whose references
     *                 are injected into fields binds the authenticator before it has its {@code SipMessages})
     */
    public AuthenticatorSlot(Supplier<SipMessages> messages) {
        this(messages, WAIT, MAX_WAITERS);
    }

    /** With another wait and bound (tests). */
    public AuthenticatorSlot(Supplier<SipMessages> messages, Duration wait, int maxWaiters) {
        this.messages = messages;
        this.waitNanos = wait.toNanos();
        this.maxWaiters = maxWaiters;
    }

    /** The authenticator came (or was replaced); the requests waiting for it proceed. */
    public synchronized void bind(SipAuthenticator authenticator) {
        current = authenticator;
        notifyAll();
    }

    /** The authenticator left; nothing if it is not the one held (a replacement was bound first). */
    public synchronized void unbind(SipAuthenticator authenticator) {
        if (current == authenticator) {
            current = null;
        }
    }

    /**
     * The component holding the slot is deactivating: a request waiting for the authenticator, and any later one,
     * leaves with {@link HandlerClosedException}, so the stack holds it for the component's next revision instead of
     * it being answered 503 (a stack update takes the authenticator and its consumers down together: waiting here would
     * only delay the consumer's deactivation until the wait ran out). Call it before draining the requests in progress.
     */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Whether an authenticator is bound now. */
    public boolean present() {
        return current != null;
    }

    /**
     * The requests waiting for the authenticator now leave with {@link HandlerClosedException}: their handler is being
     * removed ({@link org.screamrouter.sip.stack.SipRequestHandler#leaving}), and the stack holds them for the next
     * one. Later requests wait as before.
     *
     * @since 1.1
     */
    public synchronized void releaseWaiters() {
        if (waiting > 0) {
            released++;
            notifyAll();
        }
    }

    /** Requests waiting for the authenticator now. */
    public synchronized int waiting() {
        return waiting;
    }

    /**
     * The authenticator; while it is away, waits for it at most the slot's wait. Empty when it did not come back in
     * time, or when {@code maxWaiters} requests wait already, or when the thread was interrupted.
     *
     * @throws HandlerClosedException when the slot is closed ({@link #close}) while the authenticator is away
     */
    public Optional<SipAuthenticator> await() {
        SipAuthenticator now = current;
        return now != null ? Optional.of(now) : awaitReturn();
    }

    private synchronized Optional<SipAuthenticator> awaitReturn() {
        if (current != null) {
            return Optional.of(current);
        }
        if (closed) {
            throw new HandlerClosedException("its handler is stopping while authentication is away");
        }
        if (waiting >= maxWaiters) {
            return Optional.empty();
        }
        waiting++;
        long generation = released;
        try {
            long deadline = System.nanoTime() + waitNanos;
            while (current == null) {
                if (closed || released != generation) {
                    throw new HandlerClosedException("its handler is stopping while authentication is away");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return Optional.of(current);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            waiting--;
        }
    }

    /**
     * The authenticator's outcome, once it is there; when it is not, answers {@code 503 Authentication Unavailable}
     * with Retry-After and refuses.
     */
    @Override
    public Outcome authenticate(SipExchange exchange) {
        Optional<SipAuthenticator> authenticator = await();
        if (authenticator.isEmpty()) {
            unavailable(exchange);
            return Outcome.refused();
        }
        return authenticator.get().authenticate(exchange);
    }

    /** The authenticator's answer, once it is there; false (the caller refuses) when it does not come back. */
    @Override
    public boolean owns(String user, String addressOfRecord) {
        return await().map(a -> a.owns(user, addressOfRecord)).orElse(false);
    }

    private void unavailable(SipExchange exchange) {
        Response response = exchange.createResponse(Response.SERVICE_UNAVAILABLE, REASON);
        try {
            response.setHeader(messages.get().headers().createRetryAfterHeader(RETRY_AFTER_SECONDS));
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
        exchange.respond(response);
    }
}
