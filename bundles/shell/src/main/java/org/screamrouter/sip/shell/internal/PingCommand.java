package org.screamrouter.sip.shell.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.registrar.PingResult;

@Service
@Command(scope = "sip", name = "ping", description = "Sends OPTIONS to a device on its flow and prints the answer and round-trip time")
public class PingCommand implements Action {
    @Reference(optional = true)
    DeviceRegistry registry;

    @Argument(index = 0, name = "uuid", description = "The device UUID", required = true)
    @Completion(DeviceUuidCompleter.class)
    String uuid;

    @Override
    public Object execute() throws InterruptedException {
        Subsystems.require(registry, "ping", "registrar");
        if (registry.device(uuid).isEmpty()) {
            System.err.println("No device with UUID " + uuid + " (sip:devices lists them)");
            return null;
        }
        try {
            PingResult r = registry.ping(uuid).toCompletableFuture().get(10, TimeUnit.SECONDS);
            System.out.printf("%d %s in %.1f ms%n", r.status(), r.reason(), r.roundTrip().toNanos() / 1e6);
        } catch (ExecutionException e) {
            System.err.println("No answer from " + uuid + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            System.err.println("No answer from " + uuid + " within 10 s");
        }
        return null;
    }
}
