package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.controller.testsupport.MutableClock;

/** The security repositories against both engines: embedded H2 and a real PostgreSQL. */
class SecurityRepositoriesTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00.123456Z"));

    @DatabaseTest
    void servicePrincipals_roundTripUpdateAndDelete(Database db) {
        JdbcServicePrincipalRepository repository = new JdbcServicePrincipalRepository(db);
        ServicePrincipal sp = new ServicePrincipal(UUID.randomUUID(), "ci", Secrets.hash("s"), clock.instant());

        repository.insert(sp);

        assertEquals(Optional.of(sp), repository.find(sp.clientId()));
        assertTrue(repository.updateSecretHash(sp.clientId(), Secrets.hash("t")));
        assertTrue(Secrets.matches("t", repository.find(sp.clientId()).orElseThrow().secretHash()));
        assertEquals(1, repository.list().size());
        assertTrue(repository.delete(sp.clientId()));
        assertFalse(repository.delete(sp.clientId()));
        assertEquals(Optional.empty(), repository.find(sp.clientId()));
    }

    @DatabaseTest
    void roleAssignments_uniquePerPrincipalRoleAndScopeIgnoringCase(Database db) {
        JdbcRoleAssignmentRepository repository = new JdbcRoleAssignmentRepository(db, clock);
        RoleAssignment first = repository.insert(new RoleAssignment("a1", "kc:alice", Role.READER, "/subscriptions/S/resourceGroups/RG"));

        RoleAssignment again = repository.insert(new RoleAssignment("a2", "kc:alice", Role.READER, "/subscriptions/s/resourceGroups/rg"));
        repository.insert(new RoleAssignment("a3", "kc:alice", Role.OWNER, "/subscriptions/s"));
        repository.insert(new RoleAssignment("a4", "kc:bob", Role.READER, "/subscriptions/s"));

        assertEquals(first, again);
        assertEquals(List.of("a1", "a3"), repository.findByPrincipal("kc:alice").stream().map(RoleAssignment::id).toList());
        assertEquals(3, repository.list().size());
        assertEquals(2, repository.deleteByPrincipal("kc:alice"));
        assertTrue(repository.delete("a4"));
        assertTrue(repository.list().isEmpty());
    }

    @DatabaseTest
    void enrollmentTokens_consumeStopsAtMaxUsesExpiryAndRevocation(Database db) {
        JdbcEnrollmentTokenRepository repository = new JdbcEnrollmentTokenRepository(db, clock);
        Instant expires = clock.instant().plusSeconds(3600);
        repository.insert(new EnrollmentToken("tok-00001", Secrets.hash("x"), "s", null, expires, 2, 0, false));
        repository.insert(new EnrollmentToken("tok-00002", Secrets.hash("y"), null, null, expires, 5, 0, false));

        assertEquals(Optional.of(new EnrollmentToken("tok-00001", Secrets.hash("x"), "s", null, expires, 2, 0, false)),
                repository.find("tok-00001"));
        assertTrue(repository.consume("tok-00001", clock.instant()));
        assertTrue(repository.consume("tok-00001", clock.instant()));
        assertFalse(repository.consume("tok-00001", clock.instant()));
        assertEquals(2, repository.find("tok-00001").orElseThrow().uses());
        assertFalse(repository.consume("tok-00002", expires));
        assertTrue(repository.revoke("tok-00002"));
        assertFalse(repository.consume("tok-00002", clock.instant()));
        assertTrue(repository.find("tok-00002").orElseThrow().revoked());
        assertEquals(2, repository.list().size());
    }
}
