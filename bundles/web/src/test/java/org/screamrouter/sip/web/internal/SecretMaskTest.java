package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SecretMaskTest {
    /**
     * Every key of the project's configurations that is not a secret by name, each looked at: a path, a port, a
     * limit, a name. A new key fails {@link #everyKeyOfTheProjectIsASecretByNameOrReviewed} until it is added here or
     * the rule covers it. {@code url}, {@code screamrouter.url} and {@code ice.servers} carry credentials inside their
     * values; those parts are masked ({@link #credentialsInsideValuesAreMasked}).
     */
    private static final Set<String> REVIEWED_NOT_SECRET = Set.of("allowed.origins", "answer.deadline.ms", "answer.timeout.ms",
            "auth.algorithms", "auth.methods", "auth.mode", "auth.nonce.lifetime", "auth.realm", "auth.transports", "auth.users.file",
            "bind.address", "bye.timeout.ms", "candidate.poll.duration.ms", "candidate.poll.ms", "certificate", "connection.idle.timeout",
            "connections.max", "connections.per.source", "connectivity.timeout", "cors.allowed.origins", "default.expires", "device.expiry",
            "domain", "enabled", "event.queue.max.bytes", "event.queue.max.events", "handler.wait", "heartbeat.interval.ms",
            "heartbeat.timeout.ms", "login.require.https", "https.enabled", "https.port", "ice.answer.after.first.candidate.ms", "ice.gathering.timeout.ms", "ice.servers", "input.address",
            "instance.name", "interfaces", "jaas.realm", "keepalive.interval", "login.lockout.s", "login.max.failures", "login.window.s",
            "max.bindings", "max.bindings.per.source", "max.body.bytes", "max.calls", "max.calls.per.source", "max.contacts.per.aor",
            "max.devices", "max.devices.per.source", "max.expires", "max.message.size", "max.sessions", "max.sessions.per.client",
            "max.subscriptions", "max.subscriptions.per.source", "media.port.max", "media.port.min", "min.expires", "notify.timeout.ms",
            "offline.timeout", "opus.bitrate", "opus.frame.ms", "org.apache.felix.http.host", "org.osgi.service.http.port", "path",
            "ping.timeout.ms", "poll.interval.ms", "publish.sip.udp", "publish.sips.tcp", "rate.burst", "rate.per.source", "reg.all.watchers",
            "required.role", "retransmission.window", "router.user", "rtp.liveness.timeout.ms", "screamrouter.backoff.ms",
            "screamrouter.certificate", "screamrouter.probe.interval.ms", "screamrouter.timeout.ms", "screamrouter.tries", "screamrouter.url",
            "server.header", "service.ranking", "session.idle.timeout.s", "shutdown.grace.ms", "sinks", "sip.domain", "store.path", "t1.ms",
            "tcp.enabled", "tcp.port", "test.tone", "test.tone.frequency", "thread.pool.size", "timeout.ms", "tls.client.auth", "tls.enabled",
            "tls.key.alias", "tls.keystore", "tls.keystore.type", "tls.port", "tls.truststore", "udp.buffer.size", "udp.enabled", "udp.port",
            "unproven.notify.timeout.ms", "url", "webrtc.enabled", "write.delay.ms", "ws.allowed.origins", "ws.enabled", "ws.port",
            "wss.enabled", "wss.port");
    private static final Pattern CFG_KEY = Pattern.compile("^\\s*([^#!\\s=:][^=:\\s]*)\\s*[=:]");
    private static final Pattern ATTRIBUTE = Pattern.compile("@AttributeDefinition\\((?:[^()]|\\([^()]*\\))*\\)\\s*[\\w\\[\\]<>]+\\s+(\\w+)\\(\\)");

    @Test
    void secretKeysAreMaskedWhateverTheirCase() {
        for (String key : new String[] {"tls.keystore.password", "tls.truststore.password", "org.apache.felix.https.keystore.password",
                "org.apache.felix.https.keystore.key.password", "org.apache.felix.https.truststore.password", "relay.api.token",
                "client.secret", "ssh.passphrase", "turn.credential", "private.key", "Admin.PASSWORD", "db.passwd", "screamrouter.apikey",
                "screamrouter.api.key", "x.api_key"}) {
            assertThat(SecretMask.secretKey(key)).as(key).isTrue();
            assertThat(SecretMask.mask(key, "hunter2")).as(key).isEqualTo("********");
        }
        assertThat(SecretMask.mask("tls.keystore.password", "")).as("nothing set: nothing to hide").isEmpty();
        assertThat(SecretMask.mask("udp.port", "5060")).isEqualTo("5060");
        assertThat(SecretMask.secretKey("tls.keystore")).as("a path").isFalse();
    }

    @Test
    void credentialsInsideValuesAreMasked() {
        assertThat(SecretMask.mask("url", "https://relay:hunter2@192.168.1.10:8443/api")).isEqualTo("https://relay:********@192.168.1.10:8443/api");
        assertThat(SecretMask.mask("screamrouter.url", "https://192.168.1.10")).isEqualTo("https://192.168.1.10");
        assertThat(SecretMask.mask("url", "https://user@192.168.1.10")).as("no password").isEqualTo("https://user@192.168.1.10");
        assertThat(SecretMask.mask("ice.servers", "turn:192.168.1.2:3478|alice|hunter2")).isEqualTo("turn:192.168.1.2:3478|alice|********");
        assertThat(SecretMask.mask("ice.servers", "stun:192.168.1.2:3478")).isEqualTo("stun:192.168.1.2:3478");
        assertThat(SecretMask.mask("sinks", "kitchen:4010:440")).isEqualTo("kitchen:4010:440");
    }

    /** Every key of the distribution's cfg files and of every @AttributeDefinition: a secret by name, or looked at. */
    @Test
    void everyKeyOfTheProjectIsASecretByNameOrReviewed() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent().getParent(); // bundles/web -> the project
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> cfgs = Files.list(root.resolve("distribution/src/main/resources/etc"))) {
            for (Path cfg : cfgs.filter(p -> p.getFileName().toString().matches("org\\.(screamrouter\\.sip\\..*|apache\\.felix\\.http)\\.cfg")).toList()) {
                for (String line : Files.readAllLines(cfg)) {
                    Matcher m = CFG_KEY.matcher(line);
                    if (m.find()) keys.add(m.group(1));
                }
            }
        }
        try (Stream<Path> sources = Files.walk(root.resolve("bundles"))) {
            for (Path java : sources.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList()) {
                String text = Files.readString(java);
                if (!text.contains("@ObjectClassDefinition")) continue;
                Matcher m = ATTRIBUTE.matcher(text);
                while (m.find()) {
                    keys.add(m.group(1).replace("__", "\0").replace('_', '.').replace("\0", "_"));
                }
            }
        }
        assertThat(keys).as("keys found").hasSizeGreaterThan(100).contains("tls.keystore.password", "udp.port", "ice.servers", "jaas.realm");
        Set<String> secret = new TreeSet<>();
        for (String key : keys) {
            if (SecretMask.secretKey(key)) {
                secret.add(key);
            } else {
                assertThat(REVIEWED_NOT_SECRET).as("configuration key %s: a secret? (mask it in SecretMask, or add it here once looked at)", key)
                        .contains(key);
            }
        }
        assertThat(secret).containsExactly("tls.keystore.password", "tls.truststore.password");
        for (String key : REVIEWED_NOT_SECRET) {
            assertThat(SecretMask.secretKey(key)).as(key).isFalse();
        }
    }
}
