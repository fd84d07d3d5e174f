package org.screamrouter.sip.shell.internal;

import java.time.Duration;
import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.presence.PresenceService;
import org.screamrouter.sip.presence.PublicationInfo;
import org.screamrouter.sip.presence.SubscriptionInfo;

@Service
@Command(scope = "sip", name = "subscriptions", description = "Lists the presence and reg subscriptions (watchers); with -p, the publications")
public class SubscriptionsCommand implements Action {
    @Reference(optional = true)
    PresenceService presence;

    @Option(name = "-p", aliases = "--publications", description = "List the devices' publications (PUBLISH) instead")
    boolean publications;

    @Override
    public Object execute() {
        Subsystems.require(presence, "subscriptions", "presence");
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        if (publications) {
            table.column("Entity tag");
            table.column("Resource");
            table.column("Basic");
            table.column("Expires in").alignRight();
            for (PublicationInfo p : presence.publications()) {
                table.addRow().addContent(p.entityTag(), p.resource(), p.basic(), expiresIn(p.expires(), now));
            }
        } else {
            table.column("Id");
            table.column("Watcher");
            table.column("Resource");
            table.column("Event");
            table.column("Flow");
            table.column("State");
            table.column("Expires in").alignRight();
            table.column("NOTIFYs sent").alignRight();
            for (SubscriptionInfo s : presence.subscriptions()) {
                table.addRow().addContent(s.id(), s.watcher(), s.resource(), s.event(), s.flow(), s.state(),
                        expiresIn(s.expires(), now), s.notifiesSent());
            }
        }
        table.print(System.out);
        return null;
    }

    private static String expiresIn(Instant expires, Instant now) {
        return expires.isAfter(now) ? Duration.between(now, expires).toSeconds() + " s" : "expired";
    }
}
