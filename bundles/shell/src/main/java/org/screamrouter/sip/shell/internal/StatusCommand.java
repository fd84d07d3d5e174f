package org.screamrouter.sip.shell.internal;

import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.presence.PresenceService;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.TlsStatus;
import org.screamrouter.sip.stack.SipStackStatus;

@Service
@Command(scope = "sip", name = "status", description = "Shows the SIP stack's listening points, request handlers and counters, and the health of the registrar's and presence server's store files")
public class StatusCommand implements Action {
    @Reference(optional = true)
    SipStackStatus status;

    @Reference(optional = true)
    DeviceRegistry registry;

    @Reference(optional = true)
    PresenceService presence;

    @Override
    public Object execute() {
        Subsystems.require(status, "status", "stack");
        ShellTable points = new ShellTable();
        points.column("Transport");
        points.column("Address");
        points.column("Port").alignRight();
        for (ListeningPoint lp : status.listeningPoints()) {
            points.addRow().addContent(lp.transport(), lp.address(), lp.port());
        }
        points.print(System.out);
        TlsStatus tls = status.tls();
        if (tls.fingerprint() != null) {
            System.out.println("TLS certificate (tls, wss): SHA-256 " + tls.fingerprint());
            System.out.println("  from " + tls.source() + (tls.generated() ? " (generated, self-signed)" : "") + ", valid until " + tls.notAfter());
        }
        if (tls.problem() != null) {
            System.out.println("TLS: " + tls.problem());
        }
        System.out.println();
        System.out.println("Methods served: " + String.join(", ", status.servedMethods()));
        System.out.println();
        ShellTable counters = new ShellTable();
        counters.column("Counter");
        counters.column("Value").alignRight();
        for (Map.Entry<String, Long> e : status.counters().entrySet()) {
            counters.addRow().addContent(e.getKey(), e.getValue());
        }
        counters.print(System.out);
        // a store file that could not be opened does not stop its bundle: say what became of it (issue 13 item 7)
        System.out.println();
        System.out.println("Registrar store: " + (registry == null ? "registrar not running" : registry.storeStatus().describe()));
        if (registry != null) {
            java.util.List<org.screamrouter.sip.registrar.Device> devices = registry.devices();
            System.out.println("Registrar: " + registry.bindings().size() + " bindings, " + devices.size() + " devices ("
                    + devices.stream().filter(org.screamrouter.sip.registrar.Device::online).count() + " online)");
        }
        System.out.println("Presence store: " + (presence == null ? "presence not running" : presence.storeStatus().describe()));
        return null;
    }
}
