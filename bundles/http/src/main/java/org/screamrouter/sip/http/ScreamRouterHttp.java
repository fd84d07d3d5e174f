package org.screamrouter.sip.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How this server talks HTTP to ScreamRouter, in one place: the URL check, the pinned certificate and the client.
 *
 * <p>A configured URL is {@code http(s)://<IP literal or localhost>[:port][/path]}: no name is ever resolved (the
 * server never sends to a name), no user info, query or fragment. The client follows no redirect and uses no proxy,
 * so a request goes exactly where the URL says. With a pinned certificate, TLS trusts that one certificate and
 * nothing else; the host name check is left out on purpose, as the pin says more than a name and ScreamRouter's own
 * self-signed certificate rarely names its IP address.
 */
public final class ScreamRouterHttp {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private ScreamRouterHttp() {}

    /**
     * The configured URL as clients use it, without a trailing slash ({@code localhost} becomes {@code 127.0.0.1}).
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static URI checkUrl(String url) {
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
            if (!isLiteral(literal)) {
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

    private static boolean isLiteral(String text) {
        if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
            return false;
        }
        try {
            InetAddress.getByName(text); // a literal: parsed, not resolved
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Resolves a {@code Location} (or any link) a server answered against the base URL, and accepts it only when it
     * stays on that server (same scheme, host and port) under the base path: an answer never sends us elsewhere.
     *
     * @throws IllegalArgumentException when it points anywhere else or is not a URI
     */
    public static URI sameServer(URI base, String link) {
        URI resolved;
        try {
            resolved = base.resolve(new URI(link.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URI: '" + link + "'");
        }
        boolean same = base.getScheme().equalsIgnoreCase(String.valueOf(resolved.getScheme()))
                && base.getHost().equalsIgnoreCase(String.valueOf(resolved.getHost()))
                && base.getPort() == resolved.getPort()
                && resolved.getRawUserInfo() == null
                && resolved.getRawPath() != null && resolved.getRawPath().startsWith(base.getRawPath());
        if (!same) {
            throw new IllegalArgumentException("'" + link + "' leaves " + base);
        }
        return resolved;
    }

    /** Reads the first certificate of a PEM (or DER) file. */
    public static X509Certificate readCertificate(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException | ClassCastException e) {
            throw new IOException(pem + " holds no X.509 certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The client: connect timeout as given, no redirects, no proxy, HTTP/1.1, threads from {@code executor}.
     *
     * @param pinned for https: the one certificate to trust, or {@code null} for the JVM's authorities and host check
     * @param setting the configuration key that names the pin, for the refusal's message
     */
    public static HttpClient client(Duration connectTimeout, Executor executor, X509Certificate pinned, String setting) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(executor);
        if (pinned != null) {
            b.sslContext(pinnedContext(pinned, setting));
        }
        return b.build();
    }

    /** TLS that trusts exactly one certificate: the server's leaf must be it, byte for byte. */
    private static SSLContext pinnedContext(X509Certificate pinned, String setting) {
        X509ExtendedTrustManager tm = new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                    throw new CertificateException("the server's certificate is not the one configured (" + setting + ")");
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
}
