package org.screamrouter.sip.shell.internal;

import java.time.Duration;
import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.calls.Calls;

@Service
@Command(scope = "sip", name = "calls", description = "Lists the calls in progress: who listens to which sink, how, and for how long")
public class CallsCommand implements Action {
    @Reference(optional = true)
    Calls calls;

    @Override
    public Object execute() {
        Subsystems.require(calls, "calls", "calls");
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        table.column("Call-ID");
        table.column("Sink");
        table.column("Peer");
        table.column("Kind");
        table.column("State");
        table.column("Duration").alignRight();
        table.column("Packets sent").alignRight();
        table.column("Media");
        for (CallInfo c : calls.calls()) {
            table.addRow().addContent(c.callId(), c.sink(), c.peer(), c.kind(), c.state(),
                    Duration.between(c.started(), now).toSeconds() + " s", c.packetsSent(), c.media());
        }
        table.print(System.out);
        return null;
    }
}
