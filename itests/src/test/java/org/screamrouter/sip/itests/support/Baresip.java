package org.screamrouter.sip.itests.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * baresip's configuration for the peer tests (docs/peers.md): headless audio (a 440 Hz sine in, nothing out), SIP on
 * 127.0.0.1 at the given port, G.711; the test adds what it needs (modules, RTP ports, ctrl_tcp) after it.
 */
public final class Baresip {
    private Baresip() {
    }

    /** Writes {@code config} with the common lines and {@code extra} into {@code dir}. */
    public static void config(Path dir, int sipPort, String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "poll_method epoll",
                "sip_listen 127.0.0.1:" + sipPort,
                "net_interface 127.0.0.1",
                "audio_player aubridge,null",
                "audio_source ausine,440",
                "audio_alert aubridge,null",
                "ausrc_srate 48000",
                "ausrc_channels 2",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module ausine.so",
                "module aubridge.so"));
        lines.addAll(List.of(extra));
        lines.add("");
        Files.writeString(dir.resolve("config"), String.join("\n", lines));
    }

    /** Deletes a configuration folder and what baresip wrote into it (its log); a test calls it once baresip ended. */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
