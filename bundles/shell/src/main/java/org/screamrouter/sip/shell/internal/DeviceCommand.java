package org.screamrouter.sip.shell.internal;

import java.time.Duration;
import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.screamrouter.sip.registrar.Device;
import org.screamrouter.sip.registrar.DeviceRegistry;
import org.screamrouter.sip.sdp.AudioFormat;
import org.screamrouter.sip.sdp.DeviceCapabilities;

@Service
@Command(scope = "sip", name = "device", description = "Shows everything known of one device, with its capabilities; "
        + "--reassign releases it from the address-of-record, user and address that own it")
public class DeviceCommand implements Action {
    @Reference(optional = true)
    DeviceRegistry registry;

    @Argument(index = 0, name = "uuid", description = "The device UUID", required = true)
    @Completion(DeviceUuidCompleter.class)
    String uuid;

    @Option(name = "-r", aliases = "--reassign", description = "Unregister the device and release its UUID: the next REGISTER "
            + "naming it, from any address-of-record, user or address, owns it (a device that moved, or was replaced)")
    boolean reassign;

    @Override
    public Object execute() {
        Subsystems.require(registry, "device", "registrar");
        Device d = registry.device(uuid).orElse(null);
        if (d == null) {
            System.err.println("No device with UUID " + uuid + " (sip:devices lists them)");
            return null;
        }
        if (reassign) {
            if (registry.release(uuid)) {
                System.out.println("Released " + uuid + " (was " + d.addressOfRecord() + " from " + Format.address(d.source())
                        + "): the next REGISTER naming it owns it");
            } else {
                System.err.println("No device with UUID " + uuid + " (sip:devices lists them)");
            }
            return null;
        }
        Instant now = Instant.now();
        row("UUID", d.uuid());
        row("Name", Format.name(d));
        row("Online", d.online() ? "yes" : "no");
        row("Address-of-record", d.addressOfRecord());
        row("Contact", d.contactUri());
        row("Flow", d.transport() + " " + Format.address(d.source()));
        row("User-Agent", d.userAgent() == null ? "-" : d.userAgent());
        row("First seen", d.firstSeen().toString());
        row("Last seen", Format.ago(Duration.between(d.lastSeen(), now)));
        row("Expires", d.expires() + (d.expires().isAfter(now) ? " (in " + Duration.between(now, d.expires()).toSeconds() + " s)" : " (expired)"));
        DeviceCapabilities c = d.capabilities();
        if (c == null) {
            row("Capabilities", "none (no SDP in its REGISTER)");
            return null;
        }
        row("Role", c.role() == null ? "-" : c.role().attributeValue());
        row("Protocols", c.protocols().isEmpty() ? "-" : String.join(",", c.protocols()));
        row("RTP", (c.connectionAddress() == null ? "-" : c.connectionAddress()) + ":" + c.rtpPort() + " " + c.direction().attributeName());
        for (AudioFormat f : c.audioFormats()) {
            row("Format", f.payloadType() + " " + f.codec() + "/" + f.clockRate() + "/" + f.channels());
        }
        if (c.webRtc()) {
            row("ICE", c.iceUfrag() + " / " + c.icePwd());
            row("DTLS", c.fingerprint() + " setup=" + (c.setup() == null ? "-" : c.setup().attributeValue()));
        }
        return null;
    }

    private static void row(String name, String value) {
        System.out.printf("%-18s %s%n", name, value);
    }
}
