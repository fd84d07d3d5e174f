package org.screamrouter.sip.client.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.screamrouter.sip.client.ManagedRegistration;
import org.screamrouter.sip.client.Registration;
import org.screamrouter.sip.client.RegistrationState;
import org.screamrouter.sip.client.RegistrationState.Phase;
import org.screamrouter.sip.client.SipRejectedException;
import org.screamrouter.sip.client.SipReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one binding: registers, refreshes at 85% of the granted expiry ({@link RefreshSchedule}), retries
 * with a backoff after a failure, unregisters when closed. Every transition happens on the scheduler.
 */
final class ManagedRegistrationImpl implements ManagedRegistration {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedRegistrationImpl.class);

    private final Function<Registration, CompletionStage<Registration>> register;
    private final Function<Registration, CompletionStage<SipReply>> unregister;
    private final Scheduler scheduler;
    private final String name;
    private final List<Consumer<RegistrationState>> listeners = new CopyOnWriteArrayList<>();
    private volatile RegistrationState state = new RegistrationState(Phase.REGISTERING, null, null, null, 0);
    private Runnable pending;
    private boolean closed;

    /**
     * @param register given the previous registration (null the first time), REGISTERs or refreshes
     */
    ManagedRegistrationImpl(Function<Registration, CompletionStage<Registration>> register,
                            Function<Registration, CompletionStage<SipReply>> unregister, Scheduler scheduler, String name) {
        this.register = register;
        this.unregister = unregister;
        this.scheduler = scheduler;
        this.name = name;
    }

    void start() {
        scheduler.execute(this::attempt);
    }

    private void attempt() {
        Registration previous;
        synchronized (this) {
            if (closed) return;
            pending = null;
            previous = state.registration();
            if (previous != null) {
                set(new RegistrationState(state.phase() == Phase.FAILED ? Phase.FAILED : Phase.REFRESHING,
                        previous, state.lastReply(), state.failure(), state.attempts()));
            }
        }
        CompletionStage<Registration> stage;
        try {
            stage = register.apply(previous);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((registration, failure) -> scheduler.execute(() -> {
            if (failure == null) succeeded(registration);
            else failed(ClientCore.unwrap(failure));
        }));
    }

    private synchronized void succeeded(Registration registration) {
        if (closed) {
            // closed while this REGISTER was on its way: do not leave the binding behind
            unregister.apply(registration);
            return;
        }
        boolean first = state.phase() != Phase.REGISTERED && state.phase() != Phase.REFRESHING;
        set(new RegistrationState(Phase.REGISTERED, registration, registration.reply(), null, 0));
        if (first) LOG.info("registered {} for {} s", name, registration.grantedExpires());
        else LOG.debug("refreshed {} for {} s", name, registration.grantedExpires());
        pending = scheduler.schedule(this::attempt, RefreshSchedule.refreshAfter(registration.grantedExpires()));
    }

    private synchronized void failed(Throwable failure) {
        if (closed) return;
        int attempts = state.attempts() + 1;
        SipReply reply = failure instanceof SipRejectedException r ? r.reply() : null;
        if (attempts == 1) LOG.info("registration {} failed: {}", name, failure.getMessage());
        set(new RegistrationState(Phase.FAILED, state.registration(), reply, failure, attempts));
        pending = scheduler.schedule(this::attempt, RefreshSchedule.backoff(attempts));
    }

    private void set(RegistrationState next) {
        state = next;
        for (Consumer<RegistrationState> l : listeners) {
            scheduler.execute(() -> l.accept(next));
        }
    }

    @Override
    public RegistrationState state() {
        return state;
    }

    @Override
    public AutoCloseable onChange(Consumer<RegistrationState> listener) {
        listeners.add(listener);
        RegistrationState now = state;
        scheduler.execute(() -> listener.accept(now));
        return () -> listeners.remove(listener);
    }

    @Override
    public CompletionStage<SipReply> unregister() {
        Registration registration;
        synchronized (this) {
            if (closed) return CompletableFuture.completedFuture(null);
            closed = true;
            if (pending != null) pending.run();
            pending = null;
            registration = state.registration();
            set(new RegistrationState(Phase.CLOSED, registration, state.lastReply(), state.failure(), state.attempts()));
        }
        LOG.info("closing registration {}", name);
        if (registration == null) return CompletableFuture.completedFuture(null);
        return unregister.apply(registration);
    }

    @Override
    public void close() {
        unregister();
    }
}
