package org.screamrouter.sip.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.calls.Calls;

/** Completes the Call-IDs of calls in progress with Tab. */
@Service
public class CallIdCompleter implements Completer {
    @Reference(optional = true)
    Calls calls;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        if (calls == null) {
            return -1;
        }
        StringsCompleter ids = new StringsCompleter();
        for (CallInfo c : calls.calls()) {
            ids.getStrings().add(c.callId());
        }
        return ids.complete(session, commandLine, candidates);
    }
}
