package org.screamrouter.sip.itests.support;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.screamrouter.sip.itests.Await;

/**
 * The server's HTTPS as a client that trusts exactly its certificate ({@code etc/sip-tls.crt}, as a user imports it):
 * what a port presents, an {@link HttpClient} trusting one certificate, and the key pin Chromium takes
 * ({@code --ignore-certificate-errors-spki-list}).
 */
public final class PinnedHttps {
    private PinnedHttps() {
    }

    /** The PEM certificate in {@code file}. */
    public static X509Certificate pem(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** SHA-256 of the certificate as openssl prints it ({@code AB:CD:...}). */
    public static String fingerprint(Certificate c) throws CertificateEncodingException, NoSuchAlgorithmException {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    /** Base64 of SHA-256 of the certificate's public key (SubjectPublicKeyInfo): Chromium's pin of one key. */
    public static String spkiPin(Certificate c) throws NoSuchAlgorithmException {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded()));
    }

    /** The fingerprint of the certificate {@code host:port} presents, or null when it takes no TLS connection. */
    public static String served(String host, int port) {
        try {
            SSLContext any = SSLContext.getInstance("TLS");
            any.init(null, new TrustManager[] {new ReadOnly()}, null);
            try (Socket tcp = new Socket()) {
                tcp.connect(new InetSocketAddress(host, port), 2000);
                tcp.setSoTimeout(3000);
                try (SSLSocket tls = (SSLSocket) any.getSocketFactory().createSocket(tcp, host, port, false)) {
                    tls.startHandshake();
                    return fingerprint(tls.getSession().getPeerCertificates()[0]);
                }
            }
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Waits until the server's HTTPS on 127.0.0.1 serves its certificate ({@code etc/sip-tls.crt}) and the console's
     * API behind it (401 to {@code GET /api/session}): after the restart of Jetty that turning HTTPS on makes.
     */
    public static void awaitServing(Path etc, int port, Duration within) throws Exception {
        Await.until("HTTPS on 127.0.0.1:" + port, within, () -> served("127.0.0.1", port), f -> f != null);
        HttpClient client = trusting(pem(etc.resolve("sip-tls.crt")));
        Await.until("the console's API over HTTPS", within, () -> {
            try {
                return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/session")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.io.IOException e) {
                return -1;
            }
        }, status -> status == 401);
    }

    /** An HTTP client that trusts {@code cert} and nothing else (host names are checked as usual). */
    public static HttpClient trusting(Certificate cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Accepts whatever is presented: only to read which certificate a port presents, never to send anything. */
    private static final class ReadOnly implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
