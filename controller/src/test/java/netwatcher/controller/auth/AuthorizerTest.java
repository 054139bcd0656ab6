package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
    private final TestDatabase testDatabase = TestDatabase.create(Dialect.H2);
    private final Database database = testDatabase.open();

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    private static final String NW = "/providers/Microsoft.Network/networkWatchers/nw1";
    private final JdbcRoleAssignmentRepository assignments =
            new JdbcRoleAssignmentRepository(database, new MutableClock(Instant.parse("2030-01-01T00:00:00Z")));
    private final Authorizer authorizer = new Authorizer(assignments);
    private final Principal alice = new Principal("kc:alice", Principal.Kind.OIDC_USER, "alice");

    private void grant(Principal principal, Role role, String scope) {
        assignments.insert(new RoleAssignment(UUID.randomUUID().toString(), principal.id(), role, scope));
    }

    @Test
    void scopeCovers_isCaseInsensitiveAndStopsAtSegmentBoundaries() {
        Scope group = Scope.parse("/subscriptions/a/resourceGroups/rg");

        assertTrue(group.covers("/SUBSCRIPTIONS/A/resourcegroups/RG/providers/Microsoft.Network/networkWatchers/x"));
        assertTrue(group.covers("/subscriptions/a/resourceGroups/rg"));
        assertFalse(group.covers("/subscriptions/a/resourceGroups/rg2"));
        assertFalse(group.covers("/subscriptions/a/resourceGroups/rg2/providers/x"));
        assertFalse(group.covers("/subscriptions/a"));
        assertFalse(group.covers("/subscriptions/ab/resourceGroups/rg"));
        assertFalse(group.covers("/subscriptions/a/resourceGroups/rg/../rg2/providers/x"));
        assertTrue(Scope.parse("/subscriptions/a").covers("/subscriptions/A/resourceGroups/anything"));
        assertFalse(Scope.parse("/subscriptions/a").covers("/subscriptions/a2"));
    }

    @Test
    void scopeParse_whenNotSubscriptionOrGroup_fails() {
        assertThrows(IllegalArgumentException.class, () -> Scope.parse("/subscriptions"));
        assertThrows(IllegalArgumentException.class, () -> Scope.parse("/subscriptions/a/resourceGroups"));
        assertThrows(IllegalArgumentException.class, () -> Scope.parse("/subscriptions/a/providers/x"));
        assertThrows(IllegalArgumentException.class, () -> Scope.parse("/tenants/a"));
        assertEquals("/subscriptions/a/resourceGroups/rg", Scope.parse("/Subscriptions/a/resourcegroups/rg/").path());
    }

    @Test
    void check_whenReaderOnGroup_allowsGetButNotPut() {
        grant(alice, Role.READER, "/subscriptions/a/resourceGroups/rg");
        String path = "/subscriptions/a/resourceGroups/RG" + NW + "?api-version=2024-05-01";

        assertTrue(authorizer.check(alice, "GET", path).allowed());
        assertTrue(authorizer.check(alice, "HEAD", path).allowed());
        Decision put = authorizer.check(alice, "PUT", path);
        assertFalse(put.allowed());
        assertEquals(Role.CONTRIBUTOR, put.required());
        assertTrue(put.armMessage(alice, "PUT", path).contains("does not have authorization to perform action 'PUT "));
    }

    @Test
    void check_whenRoleOnGroup_doesNotCoverSiblingGroupWithSamePrefix() {
        grant(alice, Role.CONTRIBUTOR, "/subscriptions/a/resourceGroups/rg");

        assertTrue(authorizer.check(alice, "PUT", "/subscriptions/a/resourceGroups/rg" + NW).allowed());
        assertFalse(authorizer.check(alice, "GET", "/subscriptions/a/resourceGroups/rg2" + NW).allowed());
        assertFalse(authorizer.check(alice, "GET", "/subscriptions/b/resourceGroups/rg" + NW).allowed());
    }

    @Test
    void check_postActions_readOnlyNeedReaderOthersContributor() {
        grant(alice, Role.READER, "/subscriptions/a");
        String capture = "/subscriptions/a/resourceGroups/rg" + NW + "/packetCaptures/pc1";

        assertTrue(authorizer.check(alice, "POST", capture + "/queryStatus").allowed());
        assertTrue(authorizer.check(alice, "POST", "/subscriptions/a/resourceGroups/rg" + NW + "/topology").allowed());
        assertFalse(authorizer.check(alice, "POST", capture + "/stop").allowed());
        assertFalse(authorizer.check(alice, "POST", "/subscriptions/a/resourceGroups/rg" + NW + "/connectivityCheck").allowed());
        assertFalse(authorizer.check(alice, "DELETE", capture).allowed());
    }

    @Test
    void check_roleAssignmentWrites_needOwner() {
        grant(alice, Role.CONTRIBUTOR, "/subscriptions/a");
        String assignment = "/subscriptions/a/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID();

        assertTrue(authorizer.check(alice, "GET", assignment).allowed());
        assertFalse(authorizer.check(alice, "PUT", assignment).allowed());
        grant(alice, Role.OWNER, "/subscriptions/a/resourceGroups/rg");
        assertTrue(authorizer.canManageAssignments(alice, Scope.parse("/subscriptions/a/resourceGroups/rg")));
        assertFalse(authorizer.canManageAssignments(alice, Scope.parse("/subscriptions/a")));
    }

    @Test
    void check_adminPassesEverythingAgentNothing() {
        Principal agent = new Principal("agent-1", Principal.Kind.AGENT, "agent");

        assertTrue(authorizer.check(Principal.ADMIN, "DELETE", "/subscriptions/x/resourceGroups/y").allowed());
        assertTrue(authorizer.check(Principal.ADMIN, "PUT", "/providers/Microsoft.Whatever").allowed());
        assertFalse(authorizer.check(agent, "GET", "/subscriptions/x").allowed());
    }

    @Test
    void subscriptions_listShowsOnlySubscriptionsWithAnyRole() {
        grant(alice, Role.READER, "/subscriptions/a/resourceGroups/rg");
        grant(alice, Role.CONTRIBUTOR, "/subscriptions/B");
        grant(new Principal("kc:bob", Principal.Kind.OIDC_USER, "bob"), Role.OWNER, "/subscriptions/c");

        assertTrue(authorizer.check(alice, "GET", "/subscriptions").allowed());
        assertEquals(Set.of("a", "B"), authorizer.visibleSubscriptions(alice));
        assertTrue(authorizer.canSeeSubscription(alice, "b"));
        assertFalse(authorizer.canSeeSubscription(alice, "c"));
        assertTrue(authorizer.check(alice, "GET", "/subscriptions/a").allowed());
        assertFalse(authorizer.check(alice, "GET", "/subscriptions/c").allowed());
        assertFalse(authorizer.check(alice, "GET", "/subscriptions/a/resourceGroups").allowed());
        assertTrue(authorizer.seesAllSubscriptions(Principal.ADMIN));
    }

    @Test
    void check_outsideSubscriptions_readsAllowedWritesAdminOnly() {
        assertTrue(authorizer.check(alice, "GET", "/providers/Microsoft.Network/operations").allowed());
        assertTrue(authorizer.check(alice, "GET", "/tenants").allowed());
        assertFalse(authorizer.check(alice, "PUT", "/subscriptions").allowed());
        assertFalse(authorizer.check(alice, "POST", "/providers/Microsoft.Network/queryStatus").allowed());
    }

    @Test
    void insert_whenSameGrantDifferentCase_returnsExisting() {
        RoleAssignment first = assignments.insert(new RoleAssignment("id-1", alice.id(), Role.READER, "/subscriptions/a/resourceGroups/rg"));
        RoleAssignment second = assignments.insert(new RoleAssignment("id-2", alice.id(), Role.READER, "/subscriptions/A/resourceGroups/RG"));

        assertEquals(first, second);
        assertEquals(1, assignments.findByPrincipal(alice.id()).size());
    }

    private static netwatcher.arm.ArmResourceId vm(String sub, String rg, String name) {
        return netwatcher.arm.ArmResourceId.of(sub, rg, "Microsoft.Compute", "virtualMachines", name);
    }

    @Test
    void referencedResource_needsTheRoleAtItsSubscriptionOrResourceGroup() {
        grant(alice, Role.CONTRIBUTOR, "/subscriptions/a/resourceGroups/apps");
        grant(alice, Role.READER, "/subscriptions/a/resourceGroups/db");

        assertTrue(authorizer.check(alice, Role.CONTRIBUTOR, vm("A", "APPS", "vm1")).allowed());
        assertTrue(authorizer.check(alice, Role.READER, vm("a", "db", "vm2")).allowed());
        assertFalse(authorizer.check(alice, Role.CONTRIBUTOR, vm("a", "db", "vm2")).allowed());
        assertFalse(authorizer.check(alice, Role.READER, vm("a", "apps2", "vm3")).allowed());
        assertFalse(authorizer.check(alice, Role.READER, vm("b", "apps", "vm1")).allowed());
        assertEquals(Role.CONTRIBUTOR, authorizer.check(alice, Role.CONTRIBUTOR, vm("a", "db", "vm2")).required());
    }

    @Test
    void referencedResource_withPathTricksInItsId_isDenied() {
        grant(alice, Role.OWNER, "/subscriptions/a/resourceGroups/apps");

        assertFalse(authorizer.check(alice, Role.READER, vm("a", "apps", "..")).allowed());
        assertFalse(authorizer.check(alice, Role.READER, vm("a", "apps", "x?y")).allowed());
        assertFalse(authorizer.check(alice, Role.READER, vm("a", "apps", "x#y")).allowed());
        assertFalse(authorizer.check(alice, Role.READER, vm("a", "apps", " vm1")).allowed());
        assertFalse(authorizer.check(alice, Role.READER, vm("a?", "apps", "vm1")).allowed());
    }

    @Test
    void referencedResource_adminAlways_agentNever() {
        assertTrue(authorizer.check(Principal.ADMIN, Role.OWNER, vm("a", "apps", "vm1")).allowed());
        Principal agent = new Principal("agent-1", Principal.Kind.AGENT, "agent");
        grant(agent, Role.OWNER, "/subscriptions/a");
        assertFalse(authorizer.check(agent, Role.READER, vm("a", "apps", "vm1")).allowed());
    }
}
