package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import netwatcher.controller.tls.TlsConfig;
import netwatcher.controller.tls.TlsMaterial;
import netwatcher.controller.tls.TlsSetup;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound on TLS handshakes at once ({@link HandshakeLimit}) on the controller's real Jetty listener: TCP
 * connections that have not finished their handshake hold the places; one more is closed before any TLS work
 * (the client's handshake fails at once), and a place freed lets the next handshake through.
 */
@Tag("e2e")
class HandshakeLimitTest {
    @TempDir
    Path dir;
    private HttpServer server;
    private int port;
    private SSLContext trust;
    private final List<Socket> held = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        TlsMaterial tls = TlsSetup.ensure(dir, TlsConfig.defaults());
        trust = TestController.sslContext(tls.caCertificate().orElseThrow());
        server = new HttpServer(new Router(), null, null,
                new HttpServer.Settings(1 << 20, new HttpServer.Tls(tls.keyStore(), tls.keyStorePassword()), null, 2));
        port = server.listen("127.0.0.1", 0);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : held) s.close();
        server.close();
    }

    @Test
    void connectionsBeyondTheBound_areClosedBeforeTheHandshake_andAFreedPlaceAdmitsTheNext() throws Exception {
        HandshakeLimit limit = server.handshakeLimits().getFirst();
        // two clients that connect and never send their hello hold both places
        held.add(new Socket("127.0.0.1", port));
        held.add(new Socket("127.0.0.1", port));
        await(() -> limit.running() == 2);

        IOException refused = assertThrows(IOException.class, this::handshake);
        assertEquals(1, limit.refused(), "the third connection was refused by the bound: " + refused);
        assertEquals(2, limit.running(), "a refused connection holds no place");

        held.removeFirst().close();
        await(() -> limit.running() == 1);
        handshake(); // admitted: it completes
        assertEquals(1, limit.refused());
        await(() -> limit.running() == 1); // a finished handshake gives its place back
    }

    @Test
    void handshakesThatFinish_giveTheirPlaceBack() throws Exception {
        HandshakeLimit limit = server.handshakeLimits().getFirst();
        for (int i = 0; i < 10; i++) handshake();
        await(() -> limit.running() == 0);
        assertEquals(0, limit.refused(), "handshakes one after another never reach a bound of 2");
    }

    @Test
    void aPlaceHeldPastTheDeadline_isTakenByTheNextConnection() throws Exception {
        long[] now = {0};
        HandshakeLimit limit = new HandshakeLimit(1, java.time.Duration.ofSeconds(15), () -> now[0]);
        // the same logic without Jetty's sockets: a stale place is closed when the bound is reached
        var first = new FakeSsl();
        var second = new FakeSsl();
        limit.onOpened(first.connection);
        now[0] = TimeUnit.SECONDS.toNanos(14);
        var early = new FakeSsl();
        limit.onOpened(early.connection);
        assertTrue(early.closed(), "within the deadline the place is still held");
        assertEquals(1, limit.refused());
        now[0] = TimeUnit.SECONDS.toNanos(16);
        limit.onOpened(second.connection);
        assertTrue(first.closed(), "past the deadline the holder is closed");
        assertTrue(!second.closed(), "and the new connection takes its place");
        assertEquals(1, limit.running());
    }

    /** An SslConnection on an in-memory endpoint: enough to see it closed. */
    private static final class FakeSsl {
        final org.eclipse.jetty.io.ByteArrayEndPoint endPoint = new org.eclipse.jetty.io.ByteArrayEndPoint();
        final org.eclipse.jetty.io.ssl.SslConnection connection;

        FakeSsl() throws Exception {
            var engine = SSLContext.getDefault().createSSLEngine();
            connection = new org.eclipse.jetty.io.ssl.SslConnection(new org.eclipse.jetty.io.ArrayByteBufferPool(), Runnable::run, endPoint,
                    engine);
        }

        boolean closed() { return !endPoint.isOpen(); }
    }

    private void handshake() throws IOException {
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            s.startHandshake();
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) Thread.sleep(20);
        assertTrue(condition.getAsBoolean(), "condition not reached within 6 s");
    }
}
