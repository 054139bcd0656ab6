package netwatcher.controller.console;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * The console's sessions on a real (embedded) database: cookie parsing, lifetime on a fake clock, the CSRF rule, the
 * cookie's flags, and what the database holds (no credential, no session id).
 */
class ConsoleSessionsTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    TestDatabase testDb;
    Database db;
    ConsoleSessions sessions;

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(Dialect.H2);
        db = testDb.open();
        sessions = new ConsoleSessions(db, clock);
    }

    @AfterEach
    void close() {
        testDb.close();
    }

    @Test
    void theDatabaseHoldsNeitherTheIdNorTheCredential_andAnotherControllerOnItFindsTheSession() {
        ConsoleSessions.Session s = sessions.open("Bearer secret-admin-token", null);
        List<String> rows = db.query("SELECT id_hash, credential, csrf_token FROM console_session",
                row -> row.getString("id_hash") + " " + row.getString("credential"));
        assertEquals(1, rows.size());
        assertFalse(rows.get(0).contains(s.id()), "the row is keyed by a hash of the cookie");
        assertFalse(rows.get(0).contains("secret-admin-token"), "the credential is sealed");
        ConsoleSessions other = new ConsoleSessions(db, clock); // a second controller on the same database
        assertEquals("Bearer secret-admin-token", other.find(ConsoleSessions.COOKIE + "=" + s.id()).orElseThrow().authorization());
        other.end(s);
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=" + s.id()).isEmpty(), "a logout on one ends it on the other");
    }

    @Test
    void aRowCopiedUnderAnotherIdOpensNothing() {
        ConsoleSessions.Session s = sessions.open("Bearer a", null);
        String forged = ConsoleSessions.random();
        db.update("INSERT INTO console_session (id_hash, credential, csrf_token, expires_at, created_at)"
                + " SELECT ?, credential, csrf_token, expires_at, created_at FROM console_session WHERE id_hash = ?",
                ConsoleSessions.hash(forged), ConsoleSessions.hash(s.id()));
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=" + forged).isEmpty(), "the credential opens only under its own id");
    }

    @Test
    void open_givesRandomIdAndCsrfToken_foundByItsCookie() {
        ConsoleSessions.Session a = sessions.open("Bearer a", null);
        ConsoleSessions.Session b = sessions.open("Bearer b", null);
        assertNotEquals(a.id(), b.id());
        assertNotEquals(a.id(), a.csrf());
        assertTrue(a.id().length() >= 43, "256 random bits");
        assertEquals("Bearer b", sessions.find("other=1; " + ConsoleSessions.COOKIE + "=" + b.id() + "; x=y").orElseThrow().authorization());
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=nonsense").isEmpty());
        assertTrue(sessions.find((String) null).isEmpty());
    }

    @Test
    void session_endsAfterItsLifetime_orEarlierWithItsCredential() {
        ConsoleSessions.Session opaque = sessions.open("Bearer admin", null);
        ConsoleSessions.Session jwt = sessions.open("Bearer jwt", clock.instant().plus(Duration.ofHours(1)));
        assertEquals(clock.instant().plus(ConsoleSessions.LIFETIME), opaque.expires());
        clock.advance(Duration.ofMinutes(61));
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=" + jwt.id()).isEmpty(), "the token's expiry ends the session");
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=" + opaque.id()).isPresent());
        clock.advance(ConsoleSessions.LIFETIME);
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=" + opaque.id()).isEmpty());
    }

    @Test
    void end_removesTheSession() {
        ConsoleSessions.Session s = sessions.open("Bearer a", null);
        sessions.end(s);
        assertTrue(sessions.find(ConsoleSessions.COOKIE + "=" + s.id()).isEmpty());
        assertEquals(0, sessions.size());
    }

    @Test
    void csrf_requiredOnEveryMethodButGetAndHead() {
        ConsoleSessions.Session s = sessions.open("Bearer a", null);
        assertDoesNotThrow(() -> ConsoleSessions.requireCsrf("GET", null, s));
        assertDoesNotThrow(() -> ConsoleSessions.requireCsrf("HEAD", null, s));
        for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
            ArmException missing = assertThrows(ArmException.class, () -> ConsoleSessions.requireCsrf(method, null, s));
            assertEquals(ArmErrorCode.AuthorizationFailed, missing.code());
            assertEquals(403, missing.status());
            assertThrows(ArmException.class, () -> ConsoleSessions.requireCsrf(method, s.csrf() + "x", s));
            assertDoesNotThrow(() -> ConsoleSessions.requireCsrf(method, s.csrf(), s));
        }
    }

    @Test
    void cookie_isHttpOnlySecureSameSiteStrict_andClearedAtLogout() {
        ConsoleSessions.Session s = sessions.open("Bearer a", null);
        String set = sessions.setCookie(s, true);
        assertTrue(set.startsWith(ConsoleSessions.COOKIE + "=" + s.id() + ";"), set);
        assertTrue(set.contains("; HttpOnly") && set.contains("; Secure") && set.contains("; SameSite=Strict") && set.contains("; Path=/"), set);
        assertTrue(set.contains("Max-Age=" + ConsoleSessions.LIFETIME.toSeconds()), set);
        assertTrue(ConsoleSessions.clearCookie(true).contains("Max-Age=0"));
        assertNull(ConsoleSessions.cookie(ConsoleSessions.COOKIE + "="));
    }
}
