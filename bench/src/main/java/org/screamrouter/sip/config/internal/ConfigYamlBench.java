package org.screamrouter.sip.config.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.screamrouter.sip.sdp.DeviceRole;

/**
 * config.yaml under many devices (issue 15), a plain harness (no JMH: one run of each phase is minutes on the old code,
 * and its shape, not its third digit, is the point). It lives in the config bundle's internal package because
 * {@link ConfigFile} and {@link ConfigDocument} are package-private there; the shaded benchmarks jar holds both.
 *
 * <p>Per device count N, in a fresh temp directory, with the real {@link AtomicFileWriter}:
 * <ol>
 * <li><b>add</b>: N devices register, as the registrar's ONLINE events reach the component: in batches of
 *     {@code batch} changes (one coalesced write each; 1,000 is 2,000 registrations/s with the 500 ms window). UUIDs
 *     share their first 8 characters (as sipp's do), so every name is {@code sink_00000000_<n>}.</li>
 * <li><b>merge</b>: the file is edited by hand (an entry renamed, a top-level key added), then one merge of all N
 *     devices, as the registry sync after a restart brings them, every other one now offline.</li>
 * <li><b>write</b>: the whole file parsed ("parse"; since the entries are kept as text, every entry's text is made here) and
 *     serialized ({@code dump}: "cold", every entry's text made before that change), then one
 *     device changed and serialized again ("serialize": what each write does) and written atomically.</li>
 * </ol>
 * Prints one line per N. Usage: {@code ConfigYamlBench [--batch 1000] N...}
 */
public final class ConfigYamlBench {

    public static void main(String[] args) throws Exception {
        int batch = 1000;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--batch")) {
                batch = Integer.parseInt(args[++i]);
            } else {
                sizes.add(Integer.parseInt(args[i].replace("_", "").replace("k", "000")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1000, 10000, 100000);
        }
        System.out.printf(Locale.ROOT, "%-8s %-10s %-14s %-8s %-10s %-10s %-10s %-13s %-10s %-10s %-8s%n", "devices", "add s",
                "per device us", "writes", "merge s", "parse ms", "cold ms", "serialize ms", "write ms", "file MB", "check");
        for (int n : sizes) {
            run(n, batch);
        }
    }

    private static void run(int n, int batch) throws Exception {
        Path dir = Files.createTempDirectory("config-bench");
        try {
            Path path = dir.resolve("config.yaml");
            CountingWriter writer = new CountingWriter();
            ConfigFile file = new ConfigFile(path, writer, Clock.systemUTC());
            file.read();

            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += batch) {
                List<PendingChange> changes = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + batch); i++) {
                    changes.add(PendingChange.registration(entry(i), true));
                }
                expectDone(file.apply(changes), "add");
            }
            long add = System.nanoTime() - t0;
            int addWrites = writer.writes;

            // the user renames the first sink and adds a section of their own, while the server runs
            String text = Files.readString(path);
            String edited = text.replaceFirst("name: sink_00000000\n", "name: Kitchen\n") + "user_notes:\n  owner: me\n";
            Files.writeString(path, edited);
            Files.setLastModifiedTime(path, FileTime.from(Instant.now().minusSeconds(5))); // settled, as an editor's save is
            List<PendingChange> sync = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sync.add(PendingChange.registration(entry(i), i % 2 == 0));
            }
            long t1 = System.nanoTime();
            expectDone(file.apply(sync), "merge");
            long merge = System.nanoTime() - t1;

            String merged = Files.readString(path);
            boolean ok = merged.contains("name: Kitchen\n") && merged.contains("user_notes:")
                    && file.entries().size() == n && count(merged, "config_id:") == n;

            long tp = System.nanoTime();
            ConfigDocument doc = ConfigDocument.parse(merged);
            long parse = System.nanoTime() - tp;
            long t2 = System.nanoTime();
            String cold = doc.dump();
            long coldDump = System.nanoTime() - t2;
            ok &= cold.equals(merged);
            DeviceIds scratch = new DeviceIds(dir.resolve("scratch" + DeviceIds.SUFFIX), new AtomicFileWriter());
            doc.apply(PendingChange.registration(entry(n + 1), true), scratch);
            long t3 = System.nanoTime();
            String dumped = doc.dump();
            long serialize = System.nanoTime() - t3;
            long t4 = System.nanoTime();
            new AtomicFileWriter().write(path, dumped);
            long write = System.nanoTime() - t4;

            System.out.printf(Locale.ROOT, "%-8d %-10.2f %-14.1f %-8d %-10.2f %-10.0f %-10.0f %-13.0f %-10.0f %-10.1f %-8s%n", n,
                    add / 1e9, add / 1e3 / n, addWrites, merge / 1e9, parse / 1e6, coldDump / 1e6, serialize / 1e6, write / 1e6,
                    Files.size(path) / 1e6, ok ? "ok" : "FAILED");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Device i: sipp-like UUIDs (same first 8 characters); three sinks for each source. */
    static SipEntry entry(int i) {
        String uuid = String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", i);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ip", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255 | 1));
        boolean sink = i % 4 != 3;
        if (sink) {
            f.put("port", 4010 + i % 1000);
            f.put("protocol", "rtp");
        }
        f.put("sample_rate", 48000);
        f.put("channels", 2);
        if (sink) {
            f.put("channel_layout", "stereo");
        }
        f.put("bit_depth", 16);
        return new SipEntry(uuid, sink ? DeviceRole.SINK : DeviceRole.SOURCE, f);
    }

    private static void expectDone(ConfigFile.Outcome outcome, String phase) {
        if (outcome != ConfigFile.Outcome.DONE) {
            throw new IllegalStateException(phase + ": " + outcome);
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static final class CountingWriter implements ConfigFileWriter {
        private final AtomicFileWriter delegate = new AtomicFileWriter();
        int writes;

        @Override
        public void write(Path target, String content) throws IOException {
            delegate.write(target, content);
            writes++;
        }
    }
}
