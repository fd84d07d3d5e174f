package org.screamrouter.sip.auth.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.screamrouter.sip.registrar.AddressOfRecord;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials file: one user a line, {@code name md5-ha1 sha256-ha1 [extra-aor ...]}, fields separated by
 * white space, {@code #} starts a comment. H(A1) = H(name:realm:password) for the configured realm; a password is
 * never stored. A malformed line is logged with its number and skipped, the other users are kept. The file is
 * read again when its modification time or size changes ({@link #refresh()}); writes replace it atomically and
 * keep every other line, comments included.
 */
final class UsersFile {
    private static final Logger LOG = LoggerFactory.getLogger(UsersFile.class);
    private static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** One user as the file holds it; hashes in lower case, extra addresses-of-record canonical. */
    record Entry(String name, String md5Ha1, String sha256Ha1, List<String> extraAors) {
        Entry {
            extraAors = List.copyOf(extraAors);
        }

        @Override
        public String toString() {
            return "Entry[" + name + ", " + extraAors + "]"; // never the hashes
        }
    }

    private final Path file;
    private volatile Map<String, Entry> users = Map.of();
    private FileTime readTime;
    private long readSize = -1;

    UsersFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** The users as last read. */
    Map<String, Entry> users() {
        return users;
    }

    /** Reads the file again if it changed since the last read (or has gone: then no user is known). */
    synchronized boolean refresh() {
        FileTime time;
        long size;
        try {
            time = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            if (readSize != -2) {
                if (readSize != -1) LOG.warn("credentials file {} is gone: no user is known", file);
                users = Map.of();
                readSize = -2;
                readTime = null;
                return true;
            }
            return false;
        } catch (IOException e) {
            LOG.warn("cannot read credentials file {}: {}", file, e.getMessage());
            return false;
        }
        if (time.equals(readTime) && size == readSize) return false;
        try {
            users = parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
            readTime = time;
            readSize = size;
            LOG.info("credentials file {}: {} user(s)", file, users.size());
            return true;
        } catch (IOException e) {
            LOG.warn("cannot read credentials file {}: {}", file, e.getMessage());
            return false;
        }
    }

    static Map<String, Entry> parse(List<String> lines, String source) {
        Map<String, Entry> out = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i)).trim();
            if (line.isEmpty()) continue;
            String[] f = line.split("\\s+");
            String fault = null;
            List<String> aors = new ArrayList<>();
            if (f.length < 3) {
                fault = "expected: name md5-ha1 sha256-ha1 [extra-aor ...]";
            } else if (!validName(f[0])) {
                fault = "bad user name";
            } else if (!MD5.matcher(f[1]).matches()) {
                fault = "the second field is not an MD5 H(A1) (32 hex digits)";
            } else if (!SHA256.matcher(f[2]).matches()) {
                fault = "the third field is not a SHA-256 H(A1) (64 hex digits)";
            } else if (out.containsKey(f[0])) {
                fault = "user " + f[0] + " appears twice (the first line is kept)";
            } else {
                for (int k = 3; k < f.length && fault == null; k++) {
                    String aor = canonicalAor(f[k]);
                    if (aor == null) fault = "not a sip: or sips: address-of-record with user and host: " + f[k];
                    else aors.add(aor);
                }
            }
            if (fault != null) {
                LOG.warn("{} line {} skipped: {}", source, i + 1, fault);
                continue;
            }
            out.put(f[0], new Entry(f[0], f[1].toLowerCase(Locale.ROOT), f[2].toLowerCase(Locale.ROOT), aors));
        }
        return Map.copyOf(out);
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    /** A user name that fits a line of this file and a quoted digest {@code username}. */
    static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 128) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '#' || c == '"' || c == '\\') return false;
        }
        return true;
    }

    /**
     * {@code sip:user@host} as the registrar files addresses-of-record (scheme and host in lower case, no port, no
     * parameters, no angle brackets); null if it is not a SIP or SIPS URI with a user and a host.
     */
    static String canonicalAor(String text) {
        String s = text.trim();
        if (s.startsWith("<") && s.endsWith(">")) s = s.substring(1, s.length() - 1);
        String lower = s.toLowerCase(Locale.ROOT);
        String scheme = lower.startsWith("sip:") ? "sip:" : lower.startsWith("sips:") ? "sips:" : null;
        if (scheme == null) return null;
        s = s.substring(scheme.length());
        for (char stop : new char[] {';', '?'}) {
            int at = s.indexOf(stop);
            if (at >= 0) s = s.substring(0, at);
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) return null;
        String user = AddressOfRecord.unescape(s.substring(0, at));
        String host = s.substring(at + 1).toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) return null;
            host = host.substring(0, close + 1);
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.isEmpty() || host.equals("[]")) return null;
        return scheme + user + "@" + host;
    }

    /**
     * Adds or replaces the user's line, keeping its extra addresses-of-record and adding {@code addAors}; every
     * other line stays as it is. Written to a temporary file in the same folder, forced to disk, then renamed over the
     * file ({@link DurableFiles}).
     */
    synchronized void put(String name, String md5Ha1, String sha256Ha1, Collection<String> addAors) throws IOException {
        if (!validName(name)) throw new IllegalArgumentException("a user name without white space, #, quotes or control characters");
        List<String> canonical = new ArrayList<>();
        for (String a : addAors) {
            String c = canonicalAor(a);
            if (c == null) throw new IllegalArgumentException("not a sip: address-of-record with user and host: " + a);
            canonical.add(c);
        }
        List<String> lines = read();
        List<String> out = new ArrayList<>();
        boolean replaced = false;
        for (String line : lines) {
            String[] f = stripComment(line).trim().split("\\s+");
            if (!replaced && f[0].equals(name)) {
                LinkedHashSet<String> aors = new LinkedHashSet<>();
                for (int k = 3; k < f.length; k++) {
                    String c = canonicalAor(f[k]);
                    if (c != null) aors.add(c);
                }
                aors.addAll(canonical);
                out.add(line(name, md5Ha1, sha256Ha1, aors));
                replaced = true;
            } else {
                out.add(line);
            }
        }
        if (!replaced) out.add(line(name, md5Ha1, sha256Ha1, new LinkedHashSet<>(canonical)));
        write(out);
    }

    /** Removes the user's line; false if there was none. */
    synchronized boolean remove(String name) throws IOException {
        List<String> lines = read();
        List<String> out = new ArrayList<>(lines.size());
        boolean removed = false;
        for (String line : lines) {
            if (!removed && stripComment(line).trim().split("\\s+")[0].equals(name)) {
                removed = true;
            } else {
                out.add(line);
            }
        }
        if (removed) write(out);
        return removed;
    }

    private static String line(String name, String md5, String sha256, Collection<String> aors) {
        StringBuilder s = new StringBuilder(name).append(' ').append(md5).append(' ').append(sha256);
        for (String a : aors) s.append(' ').append(a);
        return s.toString();
    }

    private List<String> read() throws IOException {
        return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    private void write(List<String> lines) throws IOException {
        Path dir = Objects.requireNonNullElse(file.toAbsolutePath().getParent(), Path.of("."));
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the file's folder is what protects it then
            }
            StringBuilder text = new StringBuilder();
            for (String l : lines) text.append(l).append(System.lineSeparator());
            DurableFiles.replace(tmp, text.toString().getBytes(StandardCharsets.UTF_8), file);
        } finally {
            Files.deleteIfExists(tmp);
        }
        readTime = null; // read it back even if the clock's tick and the size did not change
        refresh();
    }
}
