package org.screamrouter.sip.shell.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;

/** Completes device UUIDs with Tab. */
@Service
public class DeviceUuidCompleter implements Completer {
    @Reference(optional = true)
    DeviceRegistry registry;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        if (registry == null) {
            return -1;
        }
        StringsCompleter uuids = new StringsCompleter();
        for (Device d : registry.devices()) {
            uuids.getStrings().add(d.uuid());
        }
        return uuids.complete(session, commandLine, candidates);
    }
}
