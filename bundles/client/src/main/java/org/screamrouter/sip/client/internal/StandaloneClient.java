package org.screamrouter.sip.client.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.message.Request;
import org.screamrouter.sip.client.standalone.StandaloneSipClient;
import org.screamrouter.sip.stack.standalone.StackSettings;
import org.screamrouter.sip.stack.standalone.StandaloneSipStack;

/** A client on a {@link StandaloneSipStack} of its own, with its own executor; closing it frees both. */
public final class StandaloneClient extends ForwardingClient implements StandaloneSipClient {
    private final StandaloneSipStack stack;
    private final ScheduledExecutorService executor;

    private StandaloneClient(StandaloneSipStack stack, ScheduledExecutorService executor, ClientCore core) {
        super(core);
        this.stack = stack;
        this.executor = executor;
    }

    public static StandaloneSipClient open(StackSettings settings, Duration defaultTimeout) {
        StandaloneSipStack stack = StandaloneSipStack.open(settings);
        String n = Integer.toHexString(System.identityHashCode(stack));
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-client-standalone-" + n);
            t.setDaemon(true);
            return t;
        });
        ClientCore core = new ClientCore(stack, stack, stack::listeningPoints, Scheduler.of(executor), defaultTimeout);
        stack.handle(Request.NOTIFY, core::handleNotify);
        return new StandaloneClient(stack, executor, core);
    }

    @Override
    public StandaloneSipStack stack() {
        return stack;
    }

    @Override
    public void close() {
        core().close();
        stack.close();
        executor.shutdownNow();
    }
}
