package org.screamrouter.sip.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.screamrouter.sip.auth.SipCredentials;

/** Completes the user names of the credentials file with Tab. */
@Service
public class SipUserCompleter implements Completer {
    @Reference(optional = true)
    SipCredentials credentials;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        if (credentials == null) {
            return -1;
        }
        StringsCompleter names = new StringsCompleter();
        for (SipCredentials.User u : credentials.users()) {
            names.getStrings().add(u.name());
        }
        return names.complete(session, commandLine, candidates);
    }
}
