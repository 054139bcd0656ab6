package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import netwatcher.controller.TestController;
import netwatcher.controller.auth.AdminToken;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two real controllers on one PostgreSQL database: the admin token rotated through either is accepted by both and
 * the old one refused by both, without a restart. Controller B runs on a stopped clock, so its hashes never go stale
 * by time: what makes it re-read them is the rotation's {@code NOTIFY}. A controller whose {@code admin.token} was
 * copied before the rotation still starts.
 */
@Tag("external")
class ClusterAdminTokenRotationTest {
    static final String SUBSCRIPTIONS = "/subscriptions?api-version=2022-12-01";
    static TestDatabase pg;
    static Map<String, String> settings;
    static TestController a;
    static TestController b;

    @BeforeAll
    static void start() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        settings = Map.of("database.url", pg.config().jdbcUrl(), "database.user", pg.config().user(),
                "database.password", pg.config().password());
        a = new TestController(Duration.ofSeconds(3), settings);
        b = new TestController(Files.createTempDirectory("nwtest"), Duration.ofSeconds(3), settings, new MutableClock(Instant.now()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (pg != null) pg.close();
    }

    static int status(TestController c, String token) throws Exception {
        return c.send("GET", SUBSCRIPTIONS, null, "Bearer " + token).status();
    }

    /** Waits (at most 15 s) until {@code c} answers {@code token} with {@code expected}; returns the last status. */
    static int eventually(TestController c, String token, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int last = status(c, token);
        while (last != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            last = status(c, token);
        }
        return last;
    }

    @Test
    void rotatedThroughEitherController_bothAcceptOnlyTheNewToken_withoutARestart() throws Exception {
        assertNotNull(a.token, "the first controller made the token");
        assertNull(b.token, "the second knows its hash only");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(a.controller.wakeups().listening() && b.controller.wakeups().listening()) && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(a.controller.wakeups().listening() && b.controller.wakeups().listening());
        String old = a.token;
        Path copied = Files.createTempDirectory("nwtest");
        Files.copy(a.dir.resolve(AdminToken.FILE_NAME), copied.resolve(AdminToken.FILE_NAME)); // an operator's copy, before rotating
        assertEquals(200, status(b, old), "B has read the hash (and its clock never lets it go stale)");

        var rotated = a.send("POST", "/admin/v1/adminToken/rotate", null, "Bearer " + old);
        assertEquals(200, rotated.status(), rotated.body());
        String first = rotated.json().path("token").asText();

        assertEquals(401, status(a, old));
        assertEquals(200, status(a, first));
        assertEquals(401, eventually(b, old, 401), "B refuses the old token once the notification arrives");
        assertEquals(200, status(b, first));
        assertEquals(List.of(first), Files.readAllLines(a.dir.resolve(AdminToken.FILE_NAME)));

        // B rotates (it held only the hash): it writes the new token to its own directory; A follows
        var again = b.send("POST", "/admin/v1/adminToken/rotate", "{\"graceSeconds\":600}", "Bearer " + first);
        assertEquals(200, again.status(), again.body());
        String second = again.json().path("token").asText();
        assertEquals(List.of(second), Files.readAllLines(b.dir.resolve(AdminToken.FILE_NAME)));
        assertTrue(b.controller.security().adminTokenKnown(), "B holds the token it rotated to");
        assertEquals(200, eventually(a, second, 200));
        assertEquals(200, status(a, first), "in its grace period");
        assertFalse(a.controller.security().adminTokenKnown(), "A's file holds the replaced token");

        // a controller whose admin.token is a copy from before the rotations starts, knowing the hash only
        try (TestController late = new TestController(copied, Duration.ofSeconds(3), settings, Clock.systemUTC())) {
            assertNull(late.token);
            assertEquals(200, status(late, second));
            assertEquals(401, status(late, old));
        }
    }
}
