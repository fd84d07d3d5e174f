package org.screamrouter.sip.stack.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.ListeningPoint;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipSender;
import org.screamrouter.sip.stack.internal.EngineSettings;
import org.screamrouter.sip.stack.internal.StackEngine;
import org.screamrouter.sip.stack.internal.tls.TlsSettings;

/**
 * A SIP stack of its own, outside OSGi: the server's engine (dispatch by method, 405 with Allow, stateless
 * answers with the retransmission cache, requests to a {@link Flow}) on the listening points of
 * {@link StackSettings}. Handlers are given by method with {@link #handle}; they are called on the stack's
 * threads and must not block. Close it to free its sockets and threads.
 */
public final class StandaloneSipStack implements SipSender, SipMessages, AutoCloseable {
    private final StackEngine engine;
    private final AtomicLong keys = new AtomicLong();
    /** A temporary folder this stack made for its TLS certificate, removed on close; or null. */
    private final Path temporary;

    private StandaloneSipStack(StackEngine engine, Path temporary) {
        this.engine = engine;
        this.temporary = temporary;
    }

    /**
     * Opens the listening points of {@code settings}.
     *
     * @throws IllegalStateException when none of them could be bound
     */
    public static StandaloneSipStack open(StackSettings settings) {
        StackEngine engine = new StackEngine(null);
        // handlers here are closed on purpose, never replaced by a new revision: nothing to wait for
        engine.handlerWait(java.time.Duration.ZERO);
        String name = "screamrouter-sip-standalone-" + Integer.toHexString(System.identityHashCode(engine));
        StackSettings.Tls tls = settings.tls();
        Path temporary = null;
        TlsSettings tlsSettings;
        try {
            if (tls != null && tls.folder() == null) {
                temporary = Files.createTempDirectory("screamrouter-sip-tls");
            }
            Path folder = tls == null ? Path.of(System.getProperty("java.io.tmpdir")) : tls.folder() != null ? tls.folder() : temporary;
            tlsSettings = tls == null ? TlsSettings.generatedIn(folder)
                    : new TlsSettings("", "", "", "", tls.truststore() == null ? "" : tls.truststore().toString(),
                    tls.truststorePassword(), "none", folder, tls.pinnedFingerprint());
        } catch (IOException e) {
            engine.close();
            throw new IllegalStateException("cannot make a folder for the TLS certificate: " + e, e);
        }
        engine.apply(new EngineSettings(name, settings.bindAddress(),
                settings.udpPort() >= 0, Math.max(settings.udpPort(), 0),
                settings.tcpPort() >= 0, Math.max(settings.tcpPort(), 0),
                false, 0, 2, 16384, 1 << 20, 32, settings.userAgent(), true, tls == null ? -1 : tls.port(), tlsSettings));
        List<ListeningPoint> points = engine.listeningPoints();
        boolean complete = (settings.udpPort() < 0 || points.stream().anyMatch(p -> p.transport().equals("udp")))
                && (settings.tcpPort() < 0 || points.stream().anyMatch(p -> p.transport().equals("tcp")))
                && (tls == null || points.stream().anyMatch(p -> p.transport().equals("tls")));
        if (!complete) {
            engine.close();
            deleteQuietly(temporary);
            throw new IllegalStateException("cannot listen on " + settings + " (bound only " + points + ")");
        }
        return new StandaloneSipStack(engine, temporary);
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // a temporary folder: the system cleans it some day
        }
    }

    /** The SHA-256 fingerprint of the certificate this stack presents on TLS, or null without TLS. */
    public String tlsFingerprint() {
        return engine.tls().fingerprint();
    }

    /**
     * Serves requests of {@code method} with {@code handler} (replacing an earlier one for that method).
     * Methods nobody serves are answered 405 with an Allow header.
     *
     * @return something to close to stop serving
     */
    public AutoCloseable handle(String method, SipRequestHandler handler) {
        String key = "standalone:" + method.toUpperCase(java.util.Locale.ROOT);
        engine.putHandler(key, () -> handler, Map.of(SipRequestHandler.METHOD, method, "service.id", keys.incrementAndGet()));
        return () -> engine.removeHandler(key);
    }

    /** The bound listening points. */
    public List<ListeningPoint> listeningPoints() {
        return engine.listeningPoints();
    }

    /** The bound listening point of a transport ({@code udp}, {@code tcp}, {@code tls}). */
    public ListeningPoint listeningPoint(String transport) {
        return engine.listeningPoints().stream().filter(p -> p.transport().equals(transport)).findFirst()
                .orElseThrow(() -> new IllegalStateException("not listening on " + transport));
    }

    /** Monotonic counters: requests received per method, responses sent per status class, errors. */
    public Map<String, Long> counters() {
        return engine.counters();
    }

    @Override
    public CompletionStage<Response> send(Request request, Flow destination, Duration timeout) {
        return engine.send(request, destination, timeout);
    }

    @Override public MessageFactory messages() { return engine.messages(); }

    @Override public HeaderFactory headers() { return engine.headers(); }

    @Override public AddressFactory addresses() { return engine.addresses(); }

    @Override
    public void close() {
        engine.close();
        deleteQuietly(temporary);
    }
}
