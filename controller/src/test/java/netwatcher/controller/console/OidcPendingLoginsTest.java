package netwatcher.controller.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Starting an OIDC login needs no credential, so the pre-logins it stores are bounded: at {@link OidcLogin#MAX_PENDING}
 * live rows a new login is refused until old ones expire, and expired rows never count (real embedded database).
 */
class OidcPendingLoginsTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    TestDatabase testDb;
    Database db;
    OidcLogin login;

    @BeforeEach
    void open() {
        testDb = TestDatabase.create(Dialect.H2);
        db = testDb.open();
        login = new OidcLogin(db, List.of(), HttpClient.newHttpClient(), clock);
    }

    @AfterEach
    void close() {
        testDb.close();
    }

    void insertPending(int count, Instant expires) {
        List<Object[]> rows = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) rows.add(new Object[] {"h" + expires.toEpochMilli() + "-" + i, "idp", "s", "n", "v", expires, clock.instant()});
        db.batch("INSERT INTO console_login (id_hash, provider, state, nonce, code_verifier, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows);
    }

    long rows() {
        return db.queryOne("SELECT COUNT(*) AS n FROM console_login", row -> row.getLong("n")).orElseThrow();
    }

    @Test
    void atTheBound_aNewLoginIsRefused_untilOldOnesExpire() {
        Instant soon = clock.instant().plus(OidcLogin.PRE_LOGIN_LIFETIME);
        insertPending(OidcLogin.MAX_PENDING - 1, soon);
        assertTrue(login.roomForAnother(clock.instant()), "one below the bound leaves room for one more");
        insertPending(1, soon.plusSeconds(1));
        assertFalse(login.roomForAnother(clock.instant()), "at the bound");
        assertEquals(OidcLogin.MAX_PENDING, rows(), "refusing deletes nothing alive");

        clock.advance(OidcLogin.PRE_LOGIN_LIFETIME);
        assertTrue(login.roomForAnother(clock.instant()), "expired pre-logins are dropped and never count");
        assertEquals(1, rows(), "only the one expiring a second later is left");
    }
}
