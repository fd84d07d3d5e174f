package org.screamrouter.sip.shell.internal;

import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.mdns.MdnsAnnouncement;
import org.screamrouter.sip.mdns.MdnsPublication;

/** {@code sip:mdns}: what the router announces over mDNS (RFC 6762/6763), on which interfaces, with which TXT. */
@Service
@Command(scope = "sip", name = "mdns", description = "Shows the mDNS/DNS-SD announcements: service, interface, port and TXT record")
public class MdnsCommand implements Action {

    @Reference(optional = true)
    MdnsPublication publication;

    @Override
    public Object execute() {
        Subsystems.require(publication, "mdns", "mdns");
        System.out.println("router_uuid: " + publication.routerUuid());
        System.out.println("state:       " + publication.state());
        ShellTable table = new ShellTable();
        table.column("Interface");
        table.column("Address");
        table.column("Service");
        table.column("Instance");
        table.column("Port").alignRight();
        table.column("TXT");
        for (MdnsAnnouncement a : publication.announcements()) {
            String txt = a.txt().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
            table.addRow().addContent(a.interfaceName(), a.address(), a.serviceType(), a.instanceName(), a.port(), txt);
        }
        table.print(System.out);
        return null;
    }
}
