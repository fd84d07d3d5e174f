package org.screamrouter.sip.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.screamrouter.sip.calls.Calls;

@Service
@Command(scope = "sip", name = "hangup", description = "Ends a call from the server side (BYE when answered, an error response before)")
public class HangupCommand implements Action {
    @Reference(optional = true)
    Calls calls;

    @Argument(index = 0, name = "call-id", description = "The call's Call-ID (sip:calls lists them)", required = true)
    @Completion(CallIdCompleter.class)
    String callId;

    @Override
    public Object execute() {
        Subsystems.require(calls, "hangup", "calls");
        if (calls.hangup(callId)) {
            System.out.println("Ending call " + callId);
        } else {
            System.err.println("No call " + callId + " in progress (sip:calls lists them)");
        }
        return null;
    }
}
