package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.testing.postgres.PostgresServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A controller whose database is out of reach answers 503 {@code ServiceUnavailable} with {@code Retry-After}, never
 * 500: when every pooled connection is taken ({@code database.poolSize}) and when the server is gone; {@code /readyz}
 * says so, {@code /healthz} (no database) stays 200.
 */
@Tag("external")
class DatabasePressureTest {
    static final String V = "?api-version=2025-05-01";

    @Test
    void poolExhausted_answers503WithRetryAfter_andReadyzSaysNotReady() throws Exception {
        try (TestDatabase pg = TestDatabase.create(Dialect.POSTGRESQL);
             TestController c = new TestController(Duration.ofSeconds(3), Map.of("database.url", pg.config().jdbcUrl(),
                     "database.user", pg.config().user(), "database.password", pg.config().password(),
                     "database.poolSize", "2", "database.poolWaitMillis", "300"))) {
            String list = "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers" + V;
            List<CompletableFuture<TestController.Reply>> held = new ArrayList<>();
            try (Connection locker = DriverManager.getConnection(pg.config().jdbcUrl(), pg.config().user(), pg.config().password());
                 Connection observer = DriverManager.getConnection(pg.config().jdbcUrl(), pg.config().user(), pg.config().password())) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE nw_watcher IN ACCESS EXCLUSIVE MODE");
                }
                // two requests wait on the lock, each holding one of the pool's two connections
                for (int i = 0; i < 2; i++) held.add(CompletableFuture.supplyAsync(() -> send(c, list)));
                awaitLockWaiters(observer, 2);

                TestController.Reply refused = c.send("GET", list, null);
                assertEquals(503, refused.status(), refused.body());
                assertEquals("ServiceUnavailable", refused.errorCode());
                assertEquals("2", refused.header("Retry-After"));
                assertEquals(503, c.send("GET", "/readyz", null, null).status());
                assertEquals(200, c.send("GET", "/healthz", null, null).status());
                locker.rollback();
            }
            for (CompletableFuture<TestController.Reply> h : held) assertEquals(200, h.join().status(), h.join().body());
            assertEquals(200, c.send("GET", "/readyz", null, null).status());
        }
    }

    @Test
    void databaseGone_answers503WithRetryAfter_andHealthzStaysUp() throws Exception {
        PostgresServer server = PostgresServer.start();
        try (TestController c = new TestController(Duration.ofSeconds(3), Map.of("database.url", server.createDatabase(),
                "database.user", server.user(), "database.password", server.password(), "database.poolWaitMillis", "500"))) {
            String list = "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers" + V;
            assertEquals(200, c.send("GET", list, null).status());
            server.close();

            for (int i = 0; i < 3; i++) { // pooled connections die one by one: each failure is a 503, never a 500
                TestController.Reply refused = c.send("GET", list, null);
                assertEquals(503, refused.status(), refused.body());
                assertEquals("ServiceUnavailable", refused.errorCode());
                assertTrue(refused.header("Retry-After") != null, "Retry-After");
            }
            assertEquals(503, c.send("GET", "/readyz", null, null).status());
            assertEquals(200, c.send("GET", "/healthz", null, null).status());
        } finally {
            server.close();
        }
    }

    private static TestController.Reply send(TestController c, String path) {
        try {
            return c.send("GET", path, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code n} other sessions wait for a lock (the requests hold their pooled connections). */
    private static void awaitLockWaiters(Connection observer, int n) throws Exception {
        for (int attempt = 0; attempt < 200; attempt++) {
            try (Statement s = observer.createStatement();
                 ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
                r.next();
                if (r.getInt(1) >= n) return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(n + " requests never waited for the lock");
    }
}
