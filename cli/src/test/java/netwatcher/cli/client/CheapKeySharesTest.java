package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import netwatcher.pki.CertificateAuthority;
import netwatcher.pki.IssuedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order of key-exchange groups the CLI offers, and that every group stays usable. */
class CheapKeySharesTest {
    @TempDir java.nio.file.Path dir;

    @Test
    void reorder_putsX25519AndP384First_keepsEveryOtherGroupInItsOrder() {
        String[] jdk = {"x25519", "secp256r1", "secp384r1", "secp521r1", "x448", "ffdhe2048"};
        assertArrayEquals(new String[] {"x25519", "secp384r1", "secp256r1", "secp521r1", "x448", "ffdhe2048"},
                CheapKeyShares.reorder(jdk));
        assertArrayEquals(new String[] {"secp256r1", "ffdhe2048"}, CheapKeyShares.reorder(new String[] {"secp256r1", "ffdhe2048"}),
                "a group the JDK does not offer is not added");
    }

    @Test
    void sockets_offerTheReorderedGroups() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        try (SSLSocket socket = (SSLSocket) new CheapKeyShares(context).createSocket()) {
            List<String> groups = List.of(socket.getSSLParameters().getNamedGroups());
            assertEquals(List.of("x25519", "secp384r1"), groups.subList(0, 2));
            assertEquals(List.of(CheapKeyShares.reorder(context.getDefaultSSLParameters().getNamedGroups())), groups);
        }
    }

    /** A server that accepts only P-256 still answers: the client retries with the group it asks for. */
    @Test
    void transport_reachesAServerThatSupportsOnlyP256() throws Exception {
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir, "test CA");
        IssuedCertificate leaf = ca.issueServer(List.of("localhost"), List.of(InetAddress.getLoopbackAddress()), Duration.ofHours(1));
        char[] password = "pw".toCharArray();
        KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
        keys.init(leaf.toKeyStore(password), password);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        AtomicReference<Throwable> serverFailure = new AtomicReference<>();
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SSLParameters only256 = server.getSSLParameters();
            only256.setNamedGroups(new String[] {"secp256r1"});
            server.setSSLParameters(only256);
            Thread.ofPlatform().daemon().start(() -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (Exception | Error e) {
                    serverFailure.set(e);
                }
            });
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(ca.trustStore());
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trust.getTrustManagers(), null);
            HttpTransport.Answer answer = new HttpTransport(client)
                    .send("GET", "https://localhost:" + server.getLocalPort() + "/", Map.of(), null, Duration.ofSeconds(20));
            assertEquals(200, answer.status(), String.valueOf(serverFailure.get()));
            assertEquals("ok", answer.body());
        }
    }

}
