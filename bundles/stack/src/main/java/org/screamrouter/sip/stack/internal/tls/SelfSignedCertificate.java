package org.screamrouter.sip.stack.internal.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a self-signed X.509 v3 server certificate with an EC P-256 key, signed SHA256withECDSA, for the names and
 * addresses of this machine: the TBSCertificate is written in DER here ({@link Der}) and signed with
 * {@link Signature}, so neither BouncyCastle nor the JDK's internal {@code sun.security.x509} is needed (neither is
 * visible to an OSGi bundle). The result is parsed back with {@link CertificateFactory} and its signature checked.
 *
 * <p>Valid from an hour ago (clocks differ) for {@value #VALID_DAYS} days, the longest that Apple's and the browsers'
 * rules accept for a server certificate; {@code basicConstraints} says it is no CA, {@code keyUsage} allows
 * digital signatures (ECDHE), {@code extendedKeyUsage} server and client authentication.
 */
final class SelfSignedCertificate {
    static final int VALID_DAYS = 825;
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String ORGANIZATION = "2.5.4.10";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** A key and its certificate. */
    record Made(PrivateKey key, X509Certificate certificate) {}

    private SelfSignedCertificate() {
    }

    /** A new key and a certificate for {@code names}, valid from {@code now} minus an hour. */
    static Made make(LocalNames names, Instant now, SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = generator.generateKeyPair();

        byte[] serial = new byte[16];
        random.nextBytes(serial);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // and of full length
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
        String host = names.dnsNames().size() > 1 ? names.dnsNames().get(1) : "localhost";
        byte[] name = Der.sequence(
                Der.set(Der.sequence(Der.oid(ORGANIZATION), Der.utf8String("ScreamRouter SIP"))),
                Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String(host))));
        Instant from = now.minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Instant to = from.plus(Duration.ofDays(VALID_DAYS));
        byte[] publicKey = pair.getPublic().getEncoded(); // already a SubjectPublicKeyInfo

        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
                Der.integer(new BigInteger(serial)),
                algorithm,
                name,
                Der.sequence(Der.time(from), Der.time(to)),
                name,
                publicKey,
                Der.explicit(3, Der.sequence(
                        extension(SUBJECT_ALT_NAME, false, subjectAltNames(names)),
                        extension(BASIC_CONSTRAINTS, true, Der.sequence()),
                        extension(KEY_USAGE, true, Der.bitString(new byte[] {(byte) 0x80}, 7)), // digitalSignature
                        extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH), Der.oid(CLIENT_AUTH))),
                        extension(SUBJECT_KEY_ID, false, Der.octetString(keyIdentifier(publicKey))))));

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate(), random);
        signer.update(tbs);
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));

        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        certificate.verify(pair.getPublic());
        return new Made(pair.getPrivate(), certificate);
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    private static byte[] subjectAltNames(LocalNames names) {
        List<byte[]> entries = new ArrayList<>();
        for (String dns : names.dnsNames()) {
            entries.add(Der.implicit(2, dns.getBytes(StandardCharsets.US_ASCII))); // dNSName
        }
        for (InetAddress address : names.addresses()) {
            entries.add(Der.implicit(7, address.getAddress())); // iPAddress
        }
        return Der.sequence(entries.toArray(byte[][]::new));
    }

    /** RFC 5280 4.2.1.2 method (1) in spirit: a SHA-1 of the key, which only has to tell keys apart. */
    private static byte[] keyIdentifier(byte[] publicKeyInfo) throws GeneralSecurityException {
        return java.security.MessageDigest.getInstance("SHA-1").digest(publicKeyInfo);
    }

    /** The certificate in PEM, as openssl writes it. */
    static String pem(X509Certificate certificate) throws GeneralSecurityException {
        String base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded());
        return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
    }
}
