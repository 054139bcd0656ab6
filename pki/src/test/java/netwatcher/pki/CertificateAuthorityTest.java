package netwatcher.pki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    @TempDir Path dir;

    @Test
    void loadOrCreate_whenDirectoryEmpty_writesCaCertificateAndKeyWithMode0600() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), "netwatcher test CA");

        Path keyFile = dir.resolve("ca/ca-key.pem");
        assertEquals(dir.resolve("ca/ca.pem"), ca.caCertificatePath());
        assertTrue(Files.readString(ca.caCertificatePath()).startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(Files.readString(keyFile).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        X509Certificate certificate = ca.certificate();
        assertTrue(certificate.getBasicConstraints() >= 0, "BasicConstraints CA");
        assertTrue(certificate.getKeyUsage()[5], "keyCertSign");
        assertTrue(certificate.getSubjectX500Principal().getName().contains("CN=netwatcher test CA"));
        Duration validity = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        assertTrue(validity.toDays() >= 3650, "10-year CA, was " + validity);
        certificate.verify(certificate.getPublicKey());
    }

    @Test
    void loadOrCreate_whenCalledAgain_loadsTheSameCa() {
        CertificateAuthority first = CertificateAuthority.loadOrCreate(dir, "ca");
        CertificateAuthority second = CertificateAuthority.loadOrCreate(dir, "another name");

        assertEquals(first.certificate(), second.certificate());
    }

    @Test
    void loadOrCreate_whenKeyFileMissing_failsInsteadOfReplacingTheCa() throws Exception {
        CertificateAuthority.loadOrCreate(dir, "ca");
        Files.delete(dir.resolve("ca-key.pem"));

        PkiException failure = assertThrows(PkiException.class, () -> CertificateAuthority.loadOrCreate(dir, "ca"));
        assertTrue(failure.getMessage().contains("holds only ca.pem"), failure.getMessage());
    }

    @Test
    void issueServer_withSans_isVerifiedByClientTrustingOnlyCaPem() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")), Duration.ofDays(90));
        char[] password = "secret".toCharArray();
        KeyStore keyStore = issued.toKeyStore(password);
        X509Certificate trusted = PemFiles.readCertificates(ca.caCertificatePath()).getFirst();
        SSLContext client = TlsHandshakes.clientTrusting(trusted);

        X509Certificate byName = TlsHandshakes.handshake(TlsHandshakes.server(keyStore, password), client, "localhost");
        X509Certificate byAddress = TlsHandshakes.handshake(TlsHandshakes.server(keyStore, password), client, "127.0.0.1");

        assertEquals(issued.certificate(), byName);
        assertEquals(issued.certificate(), byAddress);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), issued.certificate().getExtendedKeyUsage());
        assertEquals(2, keyStore.getCertificateChain(IssuedCertificate.KEY_ALIAS).length);
    }

    @Test
    void issueServer_whenHostNameNotInSan_clientRejectsHandshake() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(1));
        SSLContext client = TlsHandshakes.clientTrusting(ca.certificate());

        assertThrows(SSLHandshakeException.class,
                () -> TlsHandshakes.handshake(issued.toServerSslContext(), client, "127.0.0.1"));
    }

    @Test
    void issueServer_whenClientTrustsAnotherCa_clientRejectsHandshake() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("one"), "one");
        CertificateAuthority other = CertificateAuthority.loadOrCreate(dir.resolve("two"), "two");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(1));

        assertThrows(SSLHandshakeException.class, () -> TlsHandshakes.handshake(
                issued.toServerSslContext(), TlsHandshakes.clientTrusting(other.certificate()), "localhost"));
    }

    @Test
    void issueServer_usesInjectedClockForValidity() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca", Clock.fixed(now, ZoneOffset.UTC));

        IssuedCertificate issued = ca.issueServer(List.of("a.example"), List.of(), Duration.ofDays(30));

        assertEquals(now.plus(Duration.ofDays(30)), issued.certificate().getNotAfter().toInstant());
        assertTrue(issued.certificate().getNotBefore().toInstant().isBefore(now));
    }

    @Test
    void writePem_thenReadPem_roundTripsChainAndKey() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(1));
        Path certFile = dir.resolve("out/server.pem");
        Path keyFile = dir.resolve("out/server-key.pem");

        issued.writePem(certFile, keyFile);
        IssuedCertificate read = IssuedCertificate.readPem(certFile, keyFile);

        assertEquals(issued.certificate(), read.certificate());
        assertEquals(ca.certificate(), read.ca());
        assertArrayEquals(issued.key().getEncoded(), read.key().getEncoded());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    }

    @Test
    void readPem_whenOnlyLeaf_hasNoCa() {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(1));
        Path certFile = dir.resolve("leaf.pem");
        Path keyFile = dir.resolve("leaf-key.pem");
        PemFiles.writeCertificates(certFile, List.of(issued.certificate()));
        PemFiles.writePrivateKey(keyFile, issued.key());

        assertNull(IssuedCertificate.readPem(certFile, keyFile).ca());
    }

    @Test
    void newIssuedCertificate_whenKeyDoesNotMatch_fails() {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca");
        IssuedCertificate one = ca.issueServer(List.of("a"), List.of(), Duration.ofDays(1));
        IssuedCertificate two = ca.issueServer(List.of("b"), List.of(), Duration.ofDays(1));

        assertThrows(PkiException.class, () -> new IssuedCertificate(one.certificate(), two.key(), ca.certificate()));
    }

    @Test
    void newCaAndItsServerCertificates_useP384KeysAndSha384Signatures() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ca");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(1));

        assertEquals(384, curveBits(ca.certificate()));
        assertEquals(384, curveBits(issued.certificate()));
        assertEquals("SHA384withECDSA", ca.certificate().getSigAlgName());
        assertEquals("SHA384withECDSA", issued.certificate().getSigAlgName());
        issued.certificate().verify(ca.certificate().getPublicKey());
    }

    @Test
    void caMadeWithAP256Key_keepsSigningWithSha256AndItsCertificatesStillVerify() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair pair = generator.generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name subject = new org.bouncycastle.asn1.x500.X500Name("CN=old P-256 CA,O=netwatcher");
        Instant now = Instant.now();
        X509Certificate old = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(subject, java.math.BigInteger.TWO,
                        java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(30))),
                        subject, pair.getPublic())
                        .addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
                                new org.bouncycastle.asn1.x509.BasicConstraints(0))
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        PemFiles.writeCertificates(dir.resolve(CertificateAuthority.CERTIFICATE_FILE), List.of(old));
        PemFiles.writePrivateKey(dir.resolve(CertificateAuthority.KEY_FILE), pair.getPrivate());

        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "ignored: the CA exists");
        IssuedCertificate issued = ca.issueServer(List.of("localhost"), List.of(), Duration.ofDays(1));

        assertEquals(old, ca.certificate());
        assertEquals("SHA256withECDSA", issued.certificate().getSigAlgName());
        issued.certificate().verify(old.getPublicKey());
        SSLContext client = TlsHandshakes.clientTrusting(old);
        char[] password = "secret".toCharArray();
        assertEquals(issued.certificate(), TlsHandshakes.handshake(
                TlsHandshakes.server(issued.toKeyStore(password), password), client, "localhost"));
    }

    private static int curveBits(X509Certificate certificate) {
        return ((java.security.interfaces.ECPublicKey) certificate.getPublicKey()).getParams().getOrder().bitLength();
    }
}
