package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared identity's rules on embedded H2 and a real PostgreSQL: one admin token per database whoever starts
 * first, existing data directories taken over, and OAuth signing keys that rotate with the previous key still
 * verifying.
 */
class SharedIdentityTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    @TempDir
    Path first;
    @TempDir
    Path second;

    @DatabaseTest
    void adminToken_firstControllerMakesIt_laterOnesAcceptItByHash(Database db) {
        AdminTokenRepository repository = new AdminTokenRepository(db, new MutableClock(T0));
        AdminToken made = AdminToken.establish(first, repository, false);
        AdminToken joined = AdminToken.establish(second, repository, false);

        assertTrue(made.known());
        assertFalse(joined.known());
        assertTrue(joined.matches(made.value()));
        assertFalse(joined.matches("x" + made.value()));
        assertFalse(Files.exists(second.resolve(AdminToken.FILE_NAME)));
        assertThrows(IllegalStateException.class, joined::value);
    }

    @DatabaseTest
    void adminToken_existingDataDirectory_keepsItsToken(Database db) {
        String before = AdminToken.loadOrCreate(first).value();
        AdminToken after = AdminToken.establish(first, new AdminTokenRepository(db, new MutableClock(T0)), false);
        assertEquals(before, after.value());
    }

    @DatabaseTest
    void adminToken_otherFileOnSharedDatabase_refusesToStart_butEmbeddedRotates(Database db) {
        AdminTokenRepository repository = new AdminTokenRepository(db, new MutableClock(T0));
        AdminToken made = AdminToken.establish(first, repository, false);
        String other = AdminToken.loadOrCreate(second).value();

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> AdminToken.establish(second, repository, false));
        assertTrue(refused.getMessage().contains("not the admin token of the shared database"), refused.getMessage());

        AdminToken rotated = AdminToken.establish(second, repository, true);
        assertEquals(other, rotated.value());
        AdminToken reread = AdminToken.establish(first, repository, true);
        assertNotEquals(made.value(), rotated.value());
        assertEquals(made.value(), reread.value(), "the embedded database follows its own data directory's file");
    }

    @DatabaseTest
    void signingKeys_twoControllers_signWithOneKey_andRotateTogether(Database db) {
        Duration rotation = Duration.ofDays(30);
        // at the start of a period, so that one rotation later the first key's last tokens are still valid
        MutableClock clock = new MutableClock(Instant.ofEpochSecond(Math.floorDiv(T0.getEpochSecond(), rotation.toSeconds()) * rotation.toSeconds()));
        SharedSigningKeys a = SharedSigningKeys.open(new SigningKeyRepository(db), rotation, clock, Optional.empty());
        SharedSigningKeys b = SharedSigningKeys.open(new SigningKeyRepository(db), rotation, clock, Optional.empty());
        String firstKid = a.current().keyId();
        assertEquals(firstKid, b.current().keyId());
        assertEquals(List.of(firstKid), kids(b));

        clock.advance(rotation);
        String secondKid = b.current().keyId();
        assertNotEquals(firstKid, secondKid);
        assertEquals(secondKid, a.current().keyId());
        assertEquals(List.of(secondKid, firstKid), kids(a), "the previous key still verifies tokens it signed");
        assertEquals(1, a.keys(firstKid).size());

        clock.advance(SharedSigningKeys.VERIFY_GRACE.plusSeconds(1));
        assertEquals(List.of(secondKid), kids(a), "a key leaves the JWKS once no token it signed can be valid");
        assertEquals(List.of(), a.keys(firstKid));
    }

    @DatabaseTest
    void signingKeys_existingDataDirectoryKey_becomesTheCurrentKey(Database db) {
        OAuthSigningKey legacy = OAuthSigningKey.loadOrCreate(first);
        SharedSigningKeys keys = SharedSigningKeys.open(new SigningKeyRepository(db), Duration.ofDays(30), new MutableClock(T0),
                OAuthSigningKey.legacy(first));
        assertEquals(legacy.keyId(), keys.current().keyId());
    }

    private static List<String> kids(SharedSigningKeys keys) {
        return keys.publicJwkSet().getKeys().stream().map(k -> k.getKeyID()).toList();
    }
}
