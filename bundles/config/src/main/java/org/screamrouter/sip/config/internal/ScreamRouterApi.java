package org.screamrouter.sip.config.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * ScreamRouter's HTTP API for sinks and sources, and nothing else: one request per method, no retries (the caller,
 * {@link ScreamRouterPush}, decides those). Routes as ScreamRouter's {@code screamrouter/api/api_configuration.py}
 * declares them (docs/screamrouter.md): {@code GET /sinks} (the permanent sinks, a JSON list of SinkDescription),
 * {@code POST /sinks} (body: a SinkDescription), {@code PUT /sinks/{name}} (the fields in the body are set),
 * {@code GET /sinks/{name}/enable|disable}; the same under {@code /sources}. Entries are named by their current
 * {@code name} in the path; ScreamRouter answers {@code true} on success, {@code 422} with {@code {"detail": [...]}}
 * when the body fails validation, and {@code 500} with {@code {"error": ..., "traceback": ...}} when its
 * configuration manager raises (duplicate name, unknown name, a lock it could not get).
 *
 * <p>The URL is checked once ({@link #checkUrl}): http or https, an IP literal or {@code localhost} (used as
 * {@code 127.0.0.1}), so no name is ever resolved. No proxy, no redirects. Callers run on the config bundle's own
 * thread; the client's threads come from the executor the component gives it.
 */
final class ScreamRouterApi {

    /** A request that did not succeed. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        /** HTTP status, or 0 when nothing was answered (refused connection, timeout, not HTTP). */
        final int status;

        Failure(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /**
         * ScreamRouter is not there, or something between us answered for it (a gateway, a server that is not
         * ScreamRouter): the change cannot go through the API now.
         */
        boolean unreachable() {
            return status == 0 || status == 404 || status == 405 || status == 502 || status == 503 || status == 504;
        }

        /** ScreamRouter refused the request itself; sending the same again may help only for its 500s (a lock timeout). */
        boolean worthRetrying() {
            return unreachable() || status >= 500;
        }
    }

    private final URI base;
    private final HttpClient client;
    private final Duration timeout;

    /**
     * @param pinned for https: the one certificate to trust (ScreamRouter's self-signed one), or {@code null} for the
     *               JVM's trusted authorities and its host check
     */
    ScreamRouterApi(URI base, Duration timeout, Executor executor, X509Certificate pinned) {
        this.base = base;
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(executor);
        if (pinned != null) {
            b.sslContext(pinnedContext(pinned));
        }
        this.client = b.build();
    }

    /** Reads the first certificate of a PEM (or DER) file. */
    static X509Certificate readCertificate(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException | ClassCastException e) {
            throw new IOException(pem + " holds no X.509 certificate: " + e.getMessage(), e);
        }
    }

    /**
     * TLS that trusts exactly one certificate: the server's leaf must be it (byte for byte). The name check is left
     * out on purpose: the pin says more than a name, and ScreamRouter's own certificate rarely names the IP.
     */
    private static SSLContext pinnedContext(X509Certificate pinned) {
        X509ExtendedTrustManager tm = new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                    throw new CertificateException("the server's certificate is not the one configured (screamrouter.certificate)");
                }
            }

            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { check(chain); }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { check(chain); }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException { throw new CertificateException("client side only"); }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { throw new CertificateException("client side only"); }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { throw new CertificateException("client side only"); }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[] {pinned}; }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {tm}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }

    URI base() {
        return base;
    }

    /**
     * The configured URL as the client uses it: {@code http(s)://<IP literal or localhost>[:port][/path]}, without user
     * info, query or fragment, and without a trailing slash; {@link IllegalArgumentException} says what is wrong.
     */
    static URI checkUrl(String url) {
        URI u;
        try {
            u = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("only http and https URLs are used, not '" + (u.getScheme() == null ? "" : u.getScheme()) + ":'");
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("user info, query and fragment are not allowed");
        }
        String host = u.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host");
        }
        if (host.equalsIgnoreCase("localhost")) {
            host = "127.0.0.1";
        } else {
            String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (IpAddresses.literal(literal).isEmpty()) {
                throw new IllegalArgumentException("the host must be an IP literal or localhost, not the name '" + host + "' (names are never resolved)");
            }
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
        try {
            return new URI(scheme + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                    + (u.getPort() >= 0 ? ":" + u.getPort() : "") + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** {@code GET /sinks} or {@code /sources}: ScreamRouter's permanent entries, each a map of its fields. */
    List<Map<String, Object>> list(String section) throws Failure, InterruptedException {
        Object answer = send("GET", "/" + section, null);
        if (!(answer instanceof List<?> items)) {
            throw new Failure(0, "GET /" + section + " did not answer a JSON list: not ScreamRouter?", null);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : items) {
            if (o instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) m;
                out.add(entry);
            }
        }
        return out;
    }

    /** {@code POST /sinks} or {@code /sources} with the entry's fields. */
    void add(String section, Map<String, Object> entry) throws Failure, InterruptedException {
        send("POST", "/" + section, entry);
    }

    /** {@code PUT /<section>/<name>}: ScreamRouter sets the fields the body names and leaves the others. */
    void update(String section, String name, Map<String, Object> fields) throws Failure, InterruptedException {
        send("PUT", "/" + section + "/" + segment(name), fields);
    }

    /** {@code GET /<section>/<name>/enable} or {@code /disable}. */
    void enable(String section, String name, boolean enabled) throws Failure, InterruptedException {
        send("GET", "/" + section + "/" + segment(name) + (enabled ? "/enable" : "/disable"), null);
    }

    private Object send(String method, String path, Map<String, Object> body) throws Failure, InterruptedException {
        URI uri = URI.create(base + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        }
        HttpResponse<String> response;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(0, method + " " + path + ": " + e, e);
        }
        int status = response.statusCode();
        Object json;
        try {
            json = response.body().isEmpty() ? null : Json.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new Failure(status / 100 == 2 ? 0 : status, method + " " + path + ": HTTP " + status + ", " + e.getMessage(), null);
        }
        if (status / 100 != 2) {
            throw new Failure(status, method + " " + path + ": HTTP " + status + " " + reason(json), null);
        }
        return json;
    }

    /** ScreamRouter's reason: {@code error} of its exception handler, or the {@code detail} of FastAPI's answers. */
    private static String reason(Object json) {
        if (json instanceof Map<?, ?> m) {
            if (m.get("error") != null) {
                return String.valueOf(m.get("error"));
            }
            if (m.get("detail") instanceof List<?> details) {
                List<String> out = new ArrayList<>();
                for (Object d : details) {
                    if (d instanceof Map<?, ?> dm) {
                        out.add(dm.get("loc") + ": " + dm.get("msg"));
                    }
                }
                return String.join("; ", out);
            }
            if (m.get("detail") != null) {
                return String.valueOf(m.get("detail"));
            }
        }
        return String.valueOf(json);
    }

    private static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
