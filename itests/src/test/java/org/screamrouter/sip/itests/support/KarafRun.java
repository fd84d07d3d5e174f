package org.screamrouter.sip.itests.support;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.when;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.screamrouter.sip.itests.Ports;

/**
 * The Pax Exam options every Registrar*IT boots the built distribution with (as DistributionIT does): unusual
 * ports on 127.0.0.1, mDNS pinned to 127.0.0.1, Maven offline, plus the test's own options. The SIP UDP port
 * reaches the probe as system property {@code itest.sip.udp.port}, the corpus folder as {@code itest.corpus}.
 */
public final class KarafRun {
    public static final String STACK_CFG = "etc/org.screamrouter.sip.stack.cfg";
    public static final String REGISTRAR_CFG = "etc/org.screamrouter.sip.registrar.cfg";

    private KarafRun() {
    }

    public static Option[] options(Option... extra) {
        File distribution = new File(System.getProperty("itest.distribution"));
        if (!distribution.isFile()) {
            throw new IllegalStateException(distribution + " is missing: build the reactor first (mvn -o install -DskipTests)");
        }
        String version = System.getProperty("itest.projectVersion");
        Path bundles = Path.of(System.getProperty("itest.bundles")).toAbsolutePath().normalize();
        String udp = Integer.toString(Ports.free());
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
                systemTimeout(90_000),
                logLevel(LogLevel.WARN),
                editConfigurationFilePut(STACK_CFG, "bind.address", "127.0.0.1"),
                editConfigurationFilePut(STACK_CFG, "udp.port", udp),
                editConfigurationFilePut(STACK_CFG, "tcp.port", Integer.toString(Ports.free())),
                editConfigurationFilePut(STACK_CFG, "ws.port", Integer.toString(Ports.free())),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(Ports.free())),
                // never announce on a real interface of this machine
                editConfigurationFilePut("etc/org.screamrouter.sip.mdns.cfg", "interfaces", "127.0.0.1"),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.localRepository", System.getProperty("itest.localRepository")),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.repositories", ""),
                editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.offline", "true"),
                systemProperty("itest.sip.udp.port").value(udp),
                systemProperty("itest.corpus").value(bundles.getParent().getParent().resolve("shared/corpus/rfc4475").toString()),
                systemProperty("itest.registrar.jar").value(bundles.resolve("registrar/target/org.screamrouter.sip.registrar-" + version + ".jar").toString())));
        options.addAll(Arrays.asList(extra));
        return options.toArray(new Option[0]);
    }

    public static int sipPort() {
        return Integer.getInteger("itest.sip.udp.port");
    }
}
