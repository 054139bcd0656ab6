package netwatcher.testing.postgres;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("external")
class PostgresServerTest {

    @Test
    void start_listensOnLoopbackAndCreatesDatabases_closeStopsAndDeletes() throws IOException {
        PostgresServer server = PostgresServer.start();
        try {
            assertTrue(accepts(server.port()), "server should accept connections on 127.0.0.1:" + server.port());
            String first = server.createDatabase();
            String second = server.createDatabase();
            assertNotEquals(first, second);
            assertTrue(first.startsWith("jdbc:postgresql://127.0.0.1:" + server.port() + "/nwt_"), first);
            assertTrue(Files.isDirectory(server.directory()));
        } finally {
            server.close();
        }

        assertFalse(Files.exists(server.directory()), "directory must be deleted");
        assertFalse(accepts(server.port()), "server must be stopped");
        assertThrows(IllegalStateException.class, server::createDatabase);
        server.close(); // idempotent
    }

    @Test
    void createDatabase_whenNameIsNotAnIdentifier_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> PostgresServer.shared().createDatabase("x; DROP"));
    }

    @Test
    void shared_returnsTheSameRunningServer() {
        assertSame(PostgresServer.shared(), PostgresServer.shared());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
