package org.screamrouter.sip.shell.internal;

import java.util.Arrays;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.screamrouter.sip.auth.SipCredentials;

@Service
@Command(scope = "sip", name = "passwd", description = "Adds a SIP user or sets its password in the credentials file "
        + "(only H(A1) hashes are written); asks for the password, without echo, when it is not given")
public class PasswdCommand implements Action {
    @Reference(optional = true)
    SipCredentials credentials;

    @Reference
    Session session;

    @Argument(index = 0, name = "user", description = "The digest user name", required = true)
    @Completion(SipUserCompleter.class)
    String user;

    @Argument(index = 1, name = "password", description = "Omit it to be asked (a password typed here stays in the shell history)")
    String password;

    @Option(name = "-a", aliases = "--aor", multiValued = true,
            description = "An extra address-of-record the user may register besides sip:<user>@<domain>, e.g. sip:<device-uuid>@<domain>")
    List<String> aors;

    @Option(name = "-d", aliases = "--delete", description = "Remove the user instead")
    boolean delete;

    @Override
    public Object execute() throws Exception {
        Subsystems.require(credentials, "passwd", "auth");
        if (delete) {
            System.out.println(credentials.remove(user) ? "Removed " + user : "No user " + user);
            return null;
        }
        char[] secret;
        if (password != null) {
            secret = password.toCharArray();
        } else {
            String first = session.readLine("Password for " + user + ": ", '*');
            String again = session.readLine("Again: ", '*');
            if (first == null || first.isEmpty() || !first.equals(again)) {
                System.err.println(first == null || first.isEmpty() ? "No password given; nothing changed" : "The two passwords differ; nothing changed");
                return null;
            }
            secret = first.toCharArray();
        }
        try {
            credentials.setPassword(user, secret, aors == null ? List.of() : aors);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "; nothing changed");
            return null;
        } finally {
            Arrays.fill(secret, '\0');
        }
        SipCredentials.User u = credentials.user(user).orElseThrow();
        System.out.println("Credentials of " + user + " set for realm " + credentials.realm()
                + (u.extraAddressesOfRecord().isEmpty() ? "" : "; may also register " + String.join(", ", u.extraAddressesOfRecord())));
        return null;
    }
}
