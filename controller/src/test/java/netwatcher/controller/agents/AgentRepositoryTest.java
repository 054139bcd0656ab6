package netwatcher.controller.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;

/** {@link AgentRepository} on embedded H2 and a real PostgreSQL. */
class AgentRepositoryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00.123456Z");
    final AgentRepository repo = new AgentRepository();

    @DatabaseTest
    void insert_thenFindAndList_returnEqualRecords(Database db) {
        AgentRecord a = new AgentRecord("a1", "hash1", "vm-key-1", T, null, null, false);
        AgentRecord b = new AgentRecord("a2", "hash2", "vm-key-1", T.plusSeconds(1), T.plusSeconds(2), "1.0", false);
        repo.insert(db, a);
        repo.insert(db, b);

        assertEquals(Optional.of(a), repo.find(db, "a1"));
        assertEquals(Optional.empty(), repo.find(db, "nope"));
        assertEquals(List.of(a, b), repo.all(db));
        assertEquals(List.of(a, b), repo.forVm(db, "vm-key-1"));
    }

    @DatabaseTest
    void revoke_removesFromVmButKeepsRecord(Database db) {
        repo.insert(db, new AgentRecord("a1", "h", "vm1", T, null, null, false));
        repo.insert(db, new AgentRecord("a2", "h", "vm1", T.plusSeconds(1), null, null, false));
        repo.insert(db, new AgentRecord("a3", "h", "vm2", T.plusSeconds(2), null, null, false));

        repo.revoke(db, "a1");
        assertEquals(List.of("a2"), repo.forVm(db, "vm1").stream().map(AgentRecord::agentId).toList());
        assertTrue(repo.find(db, "a1").orElseThrow().revoked());

        repo.revokeForVm(db, "vm1");
        assertEquals(List.of(), repo.forVm(db, "vm1"));
        assertEquals(1, repo.forVm(db, "vm2").size());
    }

    @DatabaseTest
    void seen_withoutVersion_keepsTheKnownVersion(Database db) {
        repo.insert(db, new AgentRecord("a1", "h", "vm1", T, null, null, false));
        repo.seen(db, "a1", T.plusSeconds(5), "2.1");
        repo.seen(db, "a1", T.plusSeconds(9), null);

        AgentRecord r = repo.find(db, "a1").orElseThrow();
        assertEquals(T.plusSeconds(9), r.lastSeenAt());
        assertEquals("2.1", r.agentVersion());
    }
}
