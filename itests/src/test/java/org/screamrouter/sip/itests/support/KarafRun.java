package org.screamrouter.sip.itests.support;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.CoreOptions.when;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.screamrouter.sip.itests.Ports;

/**
 * The Pax Exam options every Registrar*IT boots the built distribution with (as DistributionIT does): unusual
 * ports on 127.0.0.1, mDNS pinned to 127.0.0.1, Maven offline, plus the test's own options. The SIP UDP port
 * reaches the probe as system property {@code itest.sip.udp.port}, the RFC 4475 folder of the
 * repository's corpus ({@code <checkout>/corpus/rfc4475}) as {@code itest.corpus}.
 */
public final class KarafRun {
    public static final String STACK_CFG = "etc/org.screamrouter.sip.stack.cfg";
    public static final String REGISTRAR_CFG = "etc/org.screamrouter.sip.registrar.cfg";
    public static final String AUTH_CFG = "etc/org.screamrouter.sip.auth.cfg";
    /** Felix HTTP (the WHEP endpoint): each container gets a free port, in system property {@code itest.http.port}. */
    public static final String HTTP_CFG = "etc/org.apache.felix.http.cfg";
    /** The web console; its HTTPS port is a free one too, in system property {@code itest.https.port}. */
    public static final String WEB_CFG = "etc/org.screamrouter.sip.web.cfg";

    private KarafRun() {
    }

    /** The console's HTTPS on (the default of the distribution; {@link #options} turns it off). */
    public static Option httpsOn() {
        return editConfigurationFilePut(WEB_CFG, "https.enabled", "true");
    }

    public static Option[] options(Option... extra) {
        return options(Duration.ofSeconds(90), extra);
    }

    /** The same with another time for the container to come up (a test that expects it never to). */
    public static Option[] options(Duration bootTimeout, Option... extra) {
        File distribution = new File(System.getProperty("itest.distribution"));
        if (!distribution.isFile()) {
            throw new IllegalStateException(distribution + " is missing: build the reactor first (mvn -o install -DskipTests)");
        }
        requireExamFeaturesOffline();
        String version = System.getProperty("itest.projectVersion");
        Path bundles = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize();
        String udp = Integer.toString(Ports.free());
        String http = Integer.toString(Ports.free());
        String tls = Integer.toString(Ports.free());
        String wss = Integer.toString(Ports.free());
        String https = Integer.toString(Ports.free());
        String mvnCfg = "etc/org.ops4j.pax.url.mvn.cfg";
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(distribution.toURI().toString())
                        .karafVersion(System.getProperty("itest.karafVersion"))
                        .name("ScreamRouter SIP")
                        .unpackDirectory(new File(System.getProperty("itest.target"), "karaf-exam"))
                        .useDeployFolder(false),
                when(Boolean.getBoolean("itest.keepKaraf")).useOptions(keepRuntimeFolder()),
                configureConsole().ignoreLocalConsole(),
                // the container halts if this JVM dies before it could stop it (ParentWatchdog)
                vmOption("-javaagent:" + watchdogAgent() + "=" + ProcessHandle.current().pid()),
                // what bin/karaf gives Java 9 and later (Pax Exam starts the JVM itself, in the container's folder):
                // without Karaf's spec locator patched into java.base, every resolve of a bundle with META-INF/services
                // logged an ERROR (NoClassDefFoundError: org/apache/karaf/specs/locator/OsgiLocator)
                vmOption("--add-reads=java.xml=java.logging"),
                vmOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
                vmOption("--patch-module=java.base=lib/endorsed/org.apache.karaf.specs.locator-" + System.getProperty("itest.karafVersion") + ".jar"),
                vmOption("--patch-module=java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + System.getProperty("itest.karafVersion") + ".jar"),
                systemTimeout(bootTimeout.toMillis()),
                logLevel(LogLevel.WARN),
                // Jetty's "Started ServerConnector" lines: which address and port the HTTP server ever opened (DistributionIT)
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.jettyconnector.name", "org.eclipse.jetty.server.AbstractConnector"),
                editConfigurationFilePut("etc/org.ops4j.pax.logging.cfg", "log4j2.logger.jettyconnector.level", "INFO"),
                editConfigurationFilePut(STACK_CFG, "bind.address", "127.0.0.1"),
                editConfigurationFilePut(STACK_CFG, "udp.port", udp),
                editConfigurationFilePut(STACK_CFG, "tcp.port", Integer.toString(Ports.free())),
                editConfigurationFilePut(STACK_CFG, "ws.port", Integer.toString(Ports.free())),
                // TLS and secure WebSocket with the certificate the stack generates into the container's etc/
                editConfigurationFilePut(STACK_CFG, "tls.port", tls),
                editConfigurationFilePut(STACK_CFG, "wss.port", wss),
                systemProperty("itest.sip.tls.port").value(tls),
                systemProperty("itest.sip.wss.port").value(wss),
                // the tests stand for many devices from one address (127.0.0.1): no per-source request rate; OverloadIT
                // tests the default
                editConfigurationFilePut(STACK_CFG, "rate.per.source", "0"),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(Ports.free())),
                editConfigurationFilePut(HTTP_CFG, "org.osgi.service.http.port", http),
                // and the framework property that is its default until the cfg is read (distribution's custom.properties)
                editConfigurationFilePut("etc/custom.properties", "org.osgi.service.http.port", http),
                systemProperty("itest.http.port").value(http),
                // the console's HTTPS on the same server, off: turning it on restarts Jetty once the stack's certificate
                // is loaded, a few seconds after start, which would cut the HTTP requests of tests about something else;
                // the tests of HTTPS and of the console in a browser turn it on (httpsOn) and wait for it (PinnedHttps)
                editConfigurationFilePut(WEB_CFG, "https.enabled", "false"),
                editConfigurationFilePut(WEB_CFG, "https.port", https),
                systemProperty("itest.https.port").value(https),
                // never announce on a real interface of this machine
                editConfigurationFilePut("etc/org.screamrouter.sip.mdns.cfg", "interfaces", "127.0.0.1"),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.localRepository", System.getProperty("itest.localRepository")),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.repositories", ""),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.offline", "true"),
                systemProperty("itest.sip.udp.port").value(udp),
                systemProperty("itest.corpus").value(Path.of(System.getProperty("corpus.dir"), "rfc4475").toAbsolutePath().normalize().toString()),
                systemProperty("itest.registrar.jar").value(bundles.resolve("registrar/target/org.screamrouter.sip.registrar-" + version + ".jar").toString()),
                systemProperty("itest.auth.jar").value(bundles.resolve("auth/target/org.screamrouter.sip.auth-" + version + ".jar").toString())));
        options.addAll(Arrays.asList(extra));
        return options.toArray(new Option[0]);
    }

    /**
     * A sink named {@code kitchen} that calls reach: in a config.yaml of the test's own (in {@code itest.target/<folder>})
     * and in the embedded engine, its Scream input on 127.0.0.1.
     */
    public static Option kitchenSink(String folder) throws IOException {
        Path dir = Path.of(System.getProperty("itest.target"), folder);
        Files.createDirectories(dir);
        Path yaml = dir.resolve("config.yaml");
        Files.writeString(yaml, "sinks:\n- name: kitchen\n  ip: 127.0.0.1\n  port: 4010\n  enabled: true\nsources: []\n", StandardCharsets.UTF_8);
        return composite(
                editConfigurationFilePut("etc/org.screamrouter.sip.config.cfg", "path", yaml.toString()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "sinks", "kitchen:" + Ports.free()),
                editConfigurationFilePut("etc/org.screamrouter.sip.audio.cfg", "input.address", "127.0.0.1"));
    }

    /**
     * Feature {@code screamrouter-sip-standalone} of the distribution's feature repository, from the local Maven
     * repository: the library bundle that exports the standalone stack and client, for a probe that acts as a device with
     * a SIP stack of its own. The server's own bundles export no such package (their API is the API bundle's).
     */
    public static Option standalone() {
        return features(maven("org.screamrouter.sip", "screamrouter-sip-features").type("xml").classifier("features")
                .version(System.getProperty("itest.projectVersion")), "screamrouter-sip-standalone");
    }

    /**
     * The container installs Pax Exam's feature repository and every bundle it names from the local Maven repository,
     * offline. A missing one makes the container wait out its whole timeout and fail with "Cannot get the remote bundle
     * context"; this names it at once instead.
     */
    static void requireExamFeaturesOffline() {
        Path repo = Path.of(System.getProperty("itest.localRepository"));
        String exam = System.getProperty("itest.paxExamVersion");
        Path features = repo.resolve("org/ops4j/pax/exam/pax-exam-features/" + exam + "/pax-exam-features-" + exam + ".xml");
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(features)) {
            missing.add(features.toString());
        } else {
            try {
                Matcher m = Pattern.compile("<bundle[^>]*>\\s*mvn:([^<\\s]+)\\s*</bundle>").matcher(Files.readString(features));
                while (m.find()) {
                    Path artifact = mavenPath(repo, m.group(1));
                    if (!Files.isRegularFile(artifact)) {
                        missing.add(artifact.toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the Karaf test container would install these offline, and they are not in the local "
                    + "Maven repository (add them to the exam-bundles execution of itests/pom.xml): " + missing);
        }
    }

    /** Where {@code group/artifact/version[/type[/classifier]]} of an {@code mvn:} URL lies in a local repository. */
    static Path mavenPath(Path repo, String coordinates) {
        String[] c = coordinates.split("/");
        String type = c.length > 3 && !c[3].isEmpty() ? c[3] : "jar";
        String classifier = c.length > 4 && !c[4].isEmpty() ? "-" + c[4] : "";
        return repo.resolve(c[0].replace('.', '/')).resolve(c[1]).resolve(c[2]).resolve(c[1] + "-" + c[2] + classifier + "." + type);
    }

    /** {@link ParentWatchdog} packed as an agent jar in the build folder, written anew for each container. */
    public static synchronized Path watchdogAgent() {
        Path jar = Path.of(System.getProperty("itest.target"), "parent-watchdog.jar");
        String entry = ParentWatchdog.class.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", ParentWatchdog.class.getName());
        try (InputStream in = ParentWatchdog.class.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) {
                throw new IllegalStateException(entry + " is not on the test class path");
            }
            Path tmp = Files.createTempFile(jar.getParent(), "parent-watchdog", ".jar");
            try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
                jarOut.putNextEntry(new JarEntry(entry));
                in.transferTo(jarOut);
                jarOut.closeEntry();
            }
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int sipPort() {
        return Integer.getInteger("itest.sip.udp.port");
    }

    /** The SIP-over-TLS port. */
    public static int tlsPort() {
        return Integer.getInteger("itest.sip.tls.port");
    }
}
