package org.screamrouter.sip.shell.internal;

import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.DeviceRegistry;

@Service
@Command(scope = "sip", name = "devices", description = "Lists the registered devices: one row per binding")
public class DevicesCommand implements Action {
    @Reference
    DeviceRegistry registry;

    @Override
    public Object execute() {
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        table.column("Address-of-record");
        table.column("Contact");
        table.column("Transport");
        table.column("Source");
        table.column("Expires in").alignRight();
        for (Binding b : registry.bindings()) {
            table.addRow().addContent(b.addressOfRecord(), b.contactUri(), b.transport(),
                    b.source().getAddress().getHostAddress() + ":" + b.source().getPort(), b.expiresIn(now) + " s");
        }
        table.print(System.out);
        return null;
    }
}
