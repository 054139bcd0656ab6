package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
    void adminToken_rotated_newVerifies_oldStopsAtOnce_andTheFileHoldsTheNewTokenWithMode0600(Database db) throws Exception {
        AdminToken token = AdminToken.establish(first, new AdminTokenRepository(db, new MutableClock(T0)), false);
        String old = token.value();

        AdminToken.Rotation rotation = token.rotate(Duration.ZERO);

        assertNotEquals(old, rotation.token());
        assertTrue(token.matches(rotation.token()));
        assertFalse(token.matches(old), "no grace: the old token stops verifying on the controller that rotated at once");
        assertEquals(rotation.token(), token.value());
        Path file = first.resolve(AdminToken.FILE_NAME);
        assertEquals(file.toAbsolutePath(), rotation.file());
        assertEquals(List.of(rotation.token()), Files.readAllLines(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(Optional.empty(), rotation.fileError());
        assertEquals(null, rotation.hashes().previousUntil());
        try (var leftovers = Files.list(first)) {
            assertEquals(List.of(file.getFileName().toString()), leftovers.map(p -> p.getFileName().toString()).toList(),
                    "written through a temporary file that is gone");
        }
    }

    @DatabaseTest
    void adminToken_rotatedWithGrace_oldVerifiesUntilTheGraceEnds_thenOnlyTheNew(Database db) {
        MutableClock clock = new MutableClock(T0);
        AdminToken token = AdminToken.establish(first, new AdminTokenRepository(db, clock), false);
        String old = token.value();

        AdminToken.Rotation rotation = token.rotate(Duration.ofMinutes(10));

        assertEquals(T0.plus(Duration.ofMinutes(10)), rotation.hashes().previousUntil());
        assertTrue(token.matches(old));
        assertTrue(token.matches(rotation.token()));
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertTrue(token.matches(old), "still in its grace period");
        clock.advance(Duration.ofMillis(1));
        assertFalse(token.matches(old), "the grace ended");
        assertTrue(token.matches(rotation.token()));

        AdminToken.Rotation again = token.rotate(Duration.ZERO);
        assertFalse(token.matches(rotation.token()));
        assertTrue(token.matches(again.token()));
    }

    /** A second controller on the database {@code made}'s token is in, which accepts that token by its hash. */
    private AdminToken joinedTo(AdminToken made, Database db, MutableClock clock) {
        AdminToken joined = AdminToken.establish(second, new AdminTokenRepository(db, clock), false);
        assertTrue(joined.matches(made.value()));
        return joined;
    }

    @DatabaseTest
    void adminToken_rotatedOnOneController_isSeenByAnother_withinMaxStaleness_orAtOnceWhenInvalidated(Database db) {
        MutableClock clock = new MutableClock(T0);
        AdminToken made = AdminToken.establish(first, new AdminTokenRepository(db, clock), false);
        AdminToken joined = joinedTo(made, db, clock);
        String old = made.value();

        String rotated = made.rotate(Duration.ZERO).token();

        // no notification reached the other controller: it trusts what it read for at most MAX_STALENESS
        assertTrue(joined.matches(old), "read less than MAX_STALENESS ago");
        clock.advance(AdminToken.MAX_STALENESS);
        assertFalse(joined.matches(old), "re-read after MAX_STALENESS: the old token is refused without a restart");
        assertTrue(joined.matches(rotated));
        assertFalse(joined.known(), "the other controller has only the hash");

        String third = made.rotate(Duration.ZERO).token();
        joined.invalidate(); // the NOTIFY hint
        assertFalse(joined.matches(rotated), "invalidated: re-read at once");
        assertTrue(joined.matches(third));
    }

    @DatabaseTest
    void adminToken_readAhead_keepsTheHashesFresh_andReadsAtOnceWhenInvalidated(Database db) {
        MutableClock clock = new MutableClock(T0);
        AdminToken made = AdminToken.establish(first, new AdminTokenRepository(db, clock), false);
        AdminToken joined = joinedTo(made, db, clock);
        String old = made.value();

        String rotated = made.rotate(Duration.ZERO).token();
        clock.advance(AdminToken.MAX_STALENESS.dividedBy(2).minusMillis(1));
        joined.refreshAhead();
        assertTrue(joined.matches(old), "read less than half of MAX_STALENESS ago: not read ahead yet");
        clock.advance(Duration.ofMillis(1));
        joined.refreshAhead();
        clock.advance(AdminToken.MAX_STALENESS.dividedBy(2).minusMillis(1));
        assertFalse(joined.matches(old), "read ahead at half of MAX_STALENESS: the rotation is seen before the check had to read");
        assertTrue(joined.matches(rotated));

        String third = made.rotate(Duration.ZERO).token();
        joined.invalidate();
        joined.refreshAhead();
        db.close();
        assertFalse(joined.matches(rotated), "invalidated: read ahead at once, the check answers from that read");
        assertTrue(joined.matches(third), "no read on the check: the database is closed");
    }

    @DatabaseTest
    void adminToken_copiedFileRotatedAway_controllerStartsKnowingTheHashOnly_andLearnsTheTokenWhenTheNewFileIsCopied(Database db)
            throws Exception {
        AdminTokenRepository repository = new AdminTokenRepository(db, new MutableClock(T0));
        AdminToken made = AdminToken.establish(first, repository, false);
        Files.copy(first.resolve(AdminToken.FILE_NAME), second.resolve(AdminToken.FILE_NAME));
        String rotated = made.rotate(Duration.ZERO).token();

        AdminToken restarted = AdminToken.establish(second, repository, false);

        assertFalse(restarted.known(), "its file holds the rotated-away token");
        assertTrue(restarted.matches(rotated));
        assertTrue(Files.exists(second.resolve(AdminToken.FILE_NAME)), "the operator's file is left alone");
        Files.copy(first.resolve(AdminToken.FILE_NAME), second.resolve(AdminToken.FILE_NAME), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(restarted.known(), "the new file copied over: read again");
        assertEquals(rotated, restarted.value());
    }

    @DatabaseTest
    void adminToken_whenTheHashCannotBeReadAgain_refusesRatherThanTrustingAStaleHash(Database db) {
        MutableClock clock = new MutableClock(T0);
        AdminToken token = AdminToken.establish(first, new AdminTokenRepository(db, clock), false);
        String value = token.value();
        assertTrue(token.matches(value));

        db.close();
        assertTrue(token.matches(value), "read less than MAX_STALENESS ago");
        clock.advance(AdminToken.MAX_STALENESS);
        RuntimeException failure = assertThrows(RuntimeException.class, () -> token.matches(value)); // the pool is closed
        assertEquals(failure, assertThrows(RuntimeException.class, () -> token.matches(value)),
                "within MAX_STALENESS of a failed re-read the same failure answers, without another wait for a connection");
    }

    @DatabaseTest
    void adminToken_rotate_refusesAGraceOutsideZeroToOneDay(Database db) {
        AdminToken token = AdminToken.establish(first, new AdminTokenRepository(db, new MutableClock(T0)), false);
        String before = token.value();
        assertThrows(IllegalArgumentException.class, () -> token.rotate(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> token.rotate(AdminToken.MAX_GRACE.plusSeconds(1)));
        assertTrue(token.matches(before), "nothing rotated");
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
