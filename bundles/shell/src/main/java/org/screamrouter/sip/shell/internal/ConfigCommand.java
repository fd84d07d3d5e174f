package org.screamrouter.sip.shell.internal;

import java.util.Map;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.screamrouter.sip.config.ConfigFileStatus;
import org.screamrouter.sip.config.ConfigurationManager;
import org.screamrouter.sip.config.ScreamRouterApiStatus;

@Service
@Command(scope = "sip", name = "config", description = "Shows the state of ScreamRouter's config.yaml, or one device's entry in it")
public class ConfigCommand implements Action {
    @Reference(optional = true)
    ConfigurationManager configuration;

    @Argument(index = 0, name = "uuid", description = "A device UUID: print its entry", required = false)
    @Completion(DeviceUuidCompleter.class)
    String uuid;

    @Override
    public Object execute() {
        Subsystems.require(configuration, "config", "config");
        if (uuid != null) {
            Optional<Map<String, Object>> entry = configuration.getSipConfigForDevice(uuid);
            if (entry.isEmpty()) {
                System.err.println("No entry in config.yaml for " + uuid + " (a device without a role gets none)");
            } else {
                entry.get().forEach((k, v) -> System.out.printf("%-18s %s%n", k, v));
            }
            return null;
        }
        ConfigFileStatus s = configuration.status();
        System.out.printf("%-18s %s%n", "File", s.path());
        System.out.printf("%-18s %s%n", "State", s.healthy() ? "ok" : s.error());
        System.out.printf("%-18s %s%n", "Last write", s.lastWrite() == null ? "none since start" : s.lastWrite());
        System.out.printf("%-18s %d%n", "Writes", s.writes());
        System.out.printf("%-18s %d%n", "Pending devices", s.pendingDevices());
        System.out.printf("%-18s %d%n", "SIP entries", s.sipEntries());
        ScreamRouterApiStatus api = s.api();
        if (api == null) {
            System.out.printf("%-18s %s%n", "ScreamRouter API", "off (screamrouter.url not set): changes go to the file");
        } else {
            System.out.printf("%-18s %s %s%n", "ScreamRouter API", api.url(), api.up() ? "up: changes go to the API"
                    : "down since " + api.downSince() + ": changes go to the file");
            System.out.printf("%-18s %d accepted, %d refused, last %s%n", "API pushes", api.pushes(), api.refused(),
                    api.lastPush() == null ? "none since start" : api.lastPush());
            if (api.lastError() != null) {
                System.out.printf("%-18s %s%n", "API last error", api.lastError());
            }
        }
        return null;
    }
}
