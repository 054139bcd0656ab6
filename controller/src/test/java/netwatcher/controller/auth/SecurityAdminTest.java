package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecurityAdminTest {
    private final TestDatabase testDatabase = TestDatabase.create(Dialect.H2);
    private final Database database = testDatabase.open();

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final JdbcEnrollmentTokenRepository tokens = new JdbcEnrollmentTokenRepository(database, clock);
    private final JdbcRoleAssignmentRepository assignments = new JdbcRoleAssignmentRepository(database, clock);
    private final SecurityAdmin admin = new SecurityAdmin(new JdbcServicePrincipalRepository(database), assignments, tokens, clock);

    @Test
    void createServicePrincipal_returnsSecretOnceAndListsWithoutIt() {
        SecurityAdmin.CreatedServicePrincipal created = admin.createServicePrincipal("ci");

        List<ServicePrincipal> listed = admin.listServicePrincipals();
        assertEquals(List.of(created.servicePrincipal()), listed);
        assertFalse(listed.getFirst().secretHash().contains(created.clientSecret()));
        assertFalse(created.toString().contains(created.clientSecret()));
        assertEquals(clock.instant(), listed.getFirst().createdAt());
    }

    @Test
    void revokeServicePrincipal_removesItAndItsRoleAssignments() {
        SecurityAdmin.CreatedServicePrincipal created = admin.createServicePrincipal("ci");
        String id = created.servicePrincipal().clientId().toString();
        admin.assignRole(id, Role.CONTRIBUTOR, "/subscriptions/s1");

        assertTrue(admin.revokeServicePrincipal(created.servicePrincipal().clientId()));

        assertTrue(admin.listServicePrincipals().isEmpty());
        assertTrue(admin.listRoleAssignments(Optional.of(id)).isEmpty());
        assertFalse(admin.revokeServicePrincipal(created.servicePrincipal().clientId()));
    }

    @Test
    void assignRole_whenServicePrincipalUnknown_fails() {
        assertThrows(IllegalArgumentException.class, () -> admin.assignRole(UUID.randomUUID().toString(), Role.READER, "/subscriptions/s1"));
        assertThrows(IllegalArgumentException.class, () -> admin.assignRole("kc:alice", Role.READER, "/subscriptions/s1/providers/x"));
        RoleAssignment assigned = admin.assignRole("kc:alice", Role.READER, "/subscriptions/s1/resourcegroups/rg");
        assertEquals("/subscriptions/s1/resourceGroups/rg", assigned.scope());
        assertTrue(admin.removeRoleAssignment(assigned.id()));
        assertTrue(admin.listRoleAssignments(Optional.empty()).isEmpty());
    }

    @Test
    void redeemEnrollmentToken_whenValid_countsUsesUpToMax() {
        SecurityAdmin.CreatedEnrollmentToken created = admin.createEnrollmentToken(Optional.of("s1"), Optional.of("rg"),
                Duration.ofHours(1), 2);
        assertTrue(created.token().startsWith("nwe." + created.enrollmentToken().id() + "."));

        assertInstanceOf(SecurityAdmin.Redemption.Accepted.class, admin.redeemEnrollmentToken(created.token(), "S1", "RG"));
        SecurityAdmin.Redemption.Accepted second = assertInstanceOf(SecurityAdmin.Redemption.Accepted.class,
                admin.redeemEnrollmentToken(created.token(), "s1", "rg"));
        assertEquals(2, second.token().uses());
        SecurityAdmin.Redemption.Rejected third = assertInstanceOf(SecurityAdmin.Redemption.Rejected.class,
                admin.redeemEnrollmentToken(created.token(), "s1", "rg"));
        assertTrue(third.message().contains("no uses left"), third.message());
    }

    @Test
    void redeemEnrollmentToken_whenScopedTokenRedeemedWithoutScope_acceptsAndReturnsScope() {
        // agent enrollment redeems without a scope and compares the returned token's scope itself
        SecurityAdmin.CreatedEnrollmentToken created = admin.createEnrollmentToken(Optional.of("s1"), Optional.of("lab"),
                Duration.ofHours(1), 1);
        SecurityAdmin.Redemption.Accepted accepted = assertInstanceOf(SecurityAdmin.Redemption.Accepted.class,
                admin.redeemEnrollmentToken(created.token(), null, null));
        assertEquals("s1", accepted.token().subscriptionId());
        assertEquals("lab", accepted.token().resourceGroup());
    }

    @Test
    void redeemEnrollmentToken_whenWrongSecretExpiredRevokedOrOutOfScope_rejects() {
        SecurityAdmin.CreatedEnrollmentToken created = admin.createEnrollmentToken(Optional.of("s1"), Optional.empty(),
                Duration.ofHours(1), 5);
        String token = created.token();

        assertRejected(admin.redeemEnrollmentToken(token.substring(0, token.length() - 2) + "xx", "s1", "rg"), "not valid");
        assertRejected(admin.redeemEnrollmentToken("garbage", "s1", "rg"), "malformed");
        assertRejected(admin.redeemEnrollmentToken(token, "s2", "rg"), "limited to /subscriptions/s1");
        clock.advance(Duration.ofHours(1));
        assertRejected(admin.redeemEnrollmentToken(token, "s1", "rg"), "expired");
        clock.set(Instant.parse("2030-01-01T00:00:00Z"));
        assertTrue(admin.revokeEnrollmentToken(created.enrollmentToken().id()));
        assertRejected(admin.redeemEnrollmentToken(token, "s1", "rg"), "revoked");
        assertEquals(0, admin.listEnrollmentTokens().getFirst().uses());
    }

    @Test
    void consume_whenAgentsRaceForLastUse_onlyOneWins() throws Exception {
        SecurityAdmin.CreatedEnrollmentToken created = admin.createEnrollmentToken(Optional.empty(), Optional.empty(),
                Duration.ofHours(1), 1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<SecurityAdmin.Redemption>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return admin.redeemEnrollmentToken(created.token(), "s", "rg");
                }));
            }
            start.countDown();
            List<SecurityAdmin.Redemption> outcomes = Collections.synchronizedList(new ArrayList<>());
            for (Future<SecurityAdmin.Redemption> result : results) {
                outcomes.add(result.get());
            }
            assertEquals(1, outcomes.stream().filter(r -> r instanceof SecurityAdmin.Redemption.Accepted).count());
            assertEquals(1, tokens.find(created.enrollmentToken().id()).orElseThrow().uses());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void createEnrollmentToken_whenTtlOrUsesInvalid_fails() {
        assertThrows(IllegalArgumentException.class,
                () -> admin.createEnrollmentToken(Optional.empty(), Optional.empty(), Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class,
                () -> admin.createEnrollmentToken(Optional.empty(), Optional.empty(), Duration.ofHours(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> admin.createEnrollmentToken(Optional.empty(), Optional.of("rg"), Duration.ofHours(1), 1));
    }

    private static void assertRejected(SecurityAdmin.Redemption redemption, String messagePart) {
        SecurityAdmin.Redemption.Rejected rejected = assertInstanceOf(SecurityAdmin.Redemption.Rejected.class, redemption);
        assertTrue(rejected.message().contains(messagePart), rejected.message());
    }
}
