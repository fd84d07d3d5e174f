package org.screamrouter.sip.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.screamrouter.sip.auth.SipCredentials;

@Service
@Command(scope = "sip", name = "users", description = "Lists the users of the credentials file and the extra addresses-of-record they may register (no hashes)")
public class UsersCommand implements Action {
    @Reference(optional = true)
    SipCredentials credentials;

    @Override
    public Object execute() {
        Subsystems.require(credentials, "users", "auth");
        ShellTable table = new ShellTable();
        table.column("User");
        table.column("Extra addresses-of-record");
        for (SipCredentials.User u : credentials.users()) {
            table.addRow().addContent(u.name(), u.extraAddressesOfRecord().isEmpty() ? "-" : String.join(" ", u.extraAddressesOfRecord()));
        }
        table.print(System.out);
        System.out.println("Realm: " + credentials.realm());
        return null;
    }
}
