package netwatcher.controller.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.pki.TlsHandshakes;
import netwatcher.pki.CertificateAuthority;
import netwatcher.pki.IssuedCertificate;
import netwatcher.pki.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSetupTest {
    @TempDir Path dataDir;
    private final MutableClock clock = new MutableClock(Instant.now());

    private TlsMaterial ensure(TlsConfig config) {
        return new TlsSetup(dataDir, config, clock).ensure();
    }

    private static TlsConfig named(String host, List<String> extras) {
        return new TlsConfig(Optional.empty(), Optional.empty(), extras, Optional.of(host), null, null);
    }

    @Test
    void ensure_whenDataDirEmpty_createsFilesWithRequiredSans() throws Exception {
        TlsMaterial material = ensure(named("ctl-host", List.of()));

        Path tls = dataDir.resolve("tls");
        assertTrue(material.reissued());
        assertEquals(Optional.of(tls.resolve("ca.pem")), material.caCertificate());
        assertTrue(Files.exists(tls.resolve("server.pem")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("server-key.pem"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("ca-key.pem"))));
        assertEquals(Set.of("2:localhost", "2:ctl-host", "7:127.0.0.1", "7:0:0:0:0:0:0:0:1", "7:198.19.255.1"),
                sans(material.certificate()));
        assertEquals(material.certificate(), material.keyStore().getCertificate(IssuedCertificate.KEY_ALIAS));
    }

    @Test
    void ensure_serverCertificate_verifiesWithOnlyCaPemForEveryRequiredName() throws Exception {
        TlsMaterial material = ensure(named("ctl-host", List.of("nw.example", "198.18.0.10")));
        X509Certificate ca = PemFiles.readCertificates(material.caCertificate().orElseThrow()).getFirst();
        SSLContext client = TlsHandshakes.clientTrusting(ca);

        for (String name : List.of("localhost", "ctl-host", "nw.example", "127.0.0.1", "198.19.255.1", "198.18.0.10")) {
            X509Certificate seen = TlsHandshakes.handshake(material.sslContext(), client, name);
            assertEquals(material.certificate(), seen, name);
        }
    }

    @Test
    void ensure_whenNameNotInSan_clientRejects() throws Exception {
        TlsMaterial material = ensure(named("ctl-host", List.of()));
        X509Certificate ca = PemFiles.readCertificates(material.caCertificate().orElseThrow()).getFirst();

        assertThrows(SSLHandshakeException.class,
                () -> TlsHandshakes.handshake(material.sslContext(), TlsHandshakes.clientTrusting(ca), "other-host"));
    }

    @Test
    void ensure_whenCalledAgain_keepsCertificate() {
        TlsMaterial first = ensure(named("ctl-host", List.of()));
        TlsMaterial second = ensure(named("ctl-host", List.of()));

        assertFalse(second.reissued(), second.reason());
        assertEquals(first.certificate(), second.certificate());
    }

    @Test
    void ensure_whenRequiredSanMissing_reissuesWithSameCa() throws Exception {
        TlsMaterial first = ensure(named("ctl-host", List.of()));
        TlsMaterial second = ensure(named("ctl-host", List.of("nw.example", "2001:2::5")));

        assertTrue(second.reissued());
        assertTrue(second.reason().contains("nw.example"), second.reason());
        assertNotEquals(first.certificate(), second.certificate());
        assertTrue(sans(second.certificate()).containsAll(Set.of("2:nw.example", "7:2001:2:0:0:0:0:0:5")));
        second.certificate().verify(PemFiles.readCertificates(dataDir.resolve("tls/ca.pem")).getFirst().getPublicKey());
    }

    @Test
    void ensure_whenExistingCertificateLacksLabAddress_reissues() throws Exception {
        // A certificate from an older version: right CA, but without 198.19.255.1.
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dataDir.resolve("tls"), "ca", clock);
        ca.issueServer(List.of("localhost", "ctl-host"), List.of(InetAddress.ofLiteral("127.0.0.1"), InetAddress.ofLiteral("::1")),
                Duration.ofDays(300)).writePem(dataDir.resolve("tls/server.pem"), dataDir.resolve("tls/server-key.pem"));

        TlsMaterial material = ensure(named("ctl-host", List.of()));

        assertTrue(material.reissued());
        assertTrue(material.reason().contains("198.19.255.1"), material.reason());
        assertTrue(sans(material.certificate()).contains("7:198.19.255.1"));
    }

    @Test
    void ensure_whenExpiringWithin30Days_reissues() {
        TlsMaterial first = ensure(named("ctl-host", List.of()));
        clock.set(first.certificate().getNotAfter().toInstant().minus(Duration.ofDays(31)));
        assertFalse(ensure(named("ctl-host", List.of())).reissued());

        clock.advance(Duration.ofDays(2));
        TlsMaterial renewed = ensure(named("ctl-host", List.of()));

        assertTrue(renewed.reissued());
        assertTrue(renewed.reason().contains("expires"), renewed.reason());
        assertTrue(renewed.certificate().getNotAfter().after(first.certificate().getNotAfter()));
    }

    @Test
    void ensure_whenUserSuppliedCertificate_servesItAndGeneratesNothing() throws Exception {
        Path elsewhere = dataDir.resolve("../user-" + System.nanoTime()).normalize();
        CertificateAuthority userCa = CertificateAuthority.loadOrCreate(elsewhere, "user CA");
        IssuedCertificate issued = userCa.issueServer(List.of("api.example"), List.of(), Duration.ofDays(90));
        issued.writePem(elsewhere.resolve("cert.pem"), elsewhere.resolve("key.pem"));

        TlsMaterial material = ensure(TlsConfig.userSupplied(elsewhere.resolve("cert.pem"), elsewhere.resolve("key.pem")));

        assertEquals(Optional.empty(), material.caCertificate());
        assertFalse(Files.exists(dataDir.resolve("tls")));
        assertEquals(issued.certificate(), TlsHandshakes.handshake(material.sslContext(),
                TlsHandshakes.clientTrusting(userCa.certificate()), "api.example"));
    }

    @Test
    void tlsConfig_whenOnlyCertificateGiven_failsNamingSettings() {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> new TlsConfig(
                Optional.of(Path.of("c.pem")), Optional.empty(), List.of(), Optional.empty(), null, null));
        assertTrue(failure.getMessage().contains("tls.certificateFile and tls.keyFile"));
    }

    private static Set<String> sans(X509Certificate certificate) throws Exception {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        return names.stream().map(entry -> entry.get(0) + ":" + entry.get(1)).collect(Collectors.toSet());
    }
}
