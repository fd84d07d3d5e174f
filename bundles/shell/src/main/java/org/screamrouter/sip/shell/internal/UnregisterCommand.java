package org.screamrouter.sip.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.screamrouter.sip.registrar.DeviceRegistry;

@Service
@Command(scope = "sip", name = "unregister", description = "Removes a device's binding as Expires: 0 would; the device is kept, offline")
public class UnregisterCommand implements Action {
    @Reference(optional = true)
    DeviceRegistry registry;

    @Argument(index = 0, name = "uuid", description = "The device UUID", required = true)
    @Completion(DeviceUuidCompleter.class)
    String uuid;

    @Override
    public Object execute() {
        Subsystems.require(registry, "unregister", "registrar");
        if (registry.device(uuid).isEmpty()) {
            System.err.println("No device with UUID " + uuid + " (sip:devices lists them)");
        } else if (registry.unregister(uuid)) {
            System.out.println("Unregistered " + uuid);
        } else {
            System.out.println(uuid + " had no binding; it is offline");
        }
        return null;
    }
}
