package org.screamrouter.sip.shell.internal;

import java.time.Duration;
import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.registrar.Binding;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;

@Service
@Command(scope = "sip", name = "devices", description = "Lists the known devices (online and offline); with -b, the raw bindings")
public class DevicesCommand implements Action {
    @Reference(optional = true)
    DeviceRegistry registry;

    @Option(name = "-b", aliases = "--bindings", description = "List every binding (address-of-record, contact, flow) instead")
    boolean bindings;

    @Override
    public Object execute() {
        Subsystems.require(registry, "devices", "registrar");
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        if (bindings) {
            table.column("Address-of-record");
            table.column("Contact");
            table.column("Transport");
            table.column("Source");
            table.column("Expires in").alignRight();
            for (Binding b : registry.bindings()) {
                table.addRow().addContent(b.addressOfRecord(), b.contactUri(), b.transport(), Format.address(b.source()),
                        b.expiresIn(now) + " s");
            }
        } else {
            table.column("UUID");
            table.column("Name");
            table.column("Role");
            table.column("Contact");
            table.column("Transport");
            table.column("Source");
            table.column("Online");
            table.column("Last seen").alignRight();
            table.column("Expires in").alignRight();
            for (Device d : registry.devices()) {
                table.addRow().addContent(d.uuid(), Format.name(d), d.role() == null ? "-" : d.role().attributeValue(),
                        d.contactUri(), d.transport(), Format.address(d.source()), d.online() ? "yes" : "no",
                        Format.ago(Duration.between(d.lastSeen(), now)),
                        d.expires().isAfter(now) ? Duration.between(now, d.expires()).toSeconds() + " s" : "expired");
            }
        }
        table.print(System.out);
        return null;
    }
}
