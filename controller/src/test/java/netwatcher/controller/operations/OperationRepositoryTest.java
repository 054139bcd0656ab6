package netwatcher.controller.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import netwatcher.arm.ArmError;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;

/** {@link OperationRepository} on embedded H2 and a real PostgreSQL. */
class OperationRepositoryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00.123456Z");
    final OperationRepository repo = new OperationRepository();

    static Operation pending(String id) {
        return new Operation(id, "sub", "westeurope", "capture.create", "c-1", Operation.Status.InProgress, null, null, null,
                T, T, T.plusSeconds(60));
    }

    @DatabaseTest
    void insert_thenFind_returnsEqualOperation(Database db) {
        Operation op = pending("op1");
        Operation done = new Operation("op2", "sub", "westeurope", "capture.queryStatus", "c-1", Operation.Status.Succeeded, 200,
                "{\"packetCaptureStatus\":\"Running\"}", null, T, T, T);
        repo.insert(db, op);
        repo.insert(db, done);

        assertEquals(Optional.of(op), repo.find(db, "op1"));
        assertEquals(Optional.of(done), repo.find(db, "op2"));
        assertEquals(Optional.empty(), repo.find(db, "op3"));
    }

    @DatabaseTest
    void complete_onlyOnce_storesStatusAndError(Database db) {
        repo.insert(db, pending("op1"));
        ArmError error = new ArmError("AgentStopped", "no agent", null, java.util.List.of());

        assertTrue(repo.complete(db, "op1", new Operation.Completion(Operation.Status.Failed, null, null, error), T.plusSeconds(3)));
        assertFalse(repo.complete(db, "op1", new Operation.Completion(Operation.Status.Succeeded, 204, null, null), T.plusSeconds(4)));

        Operation op = repo.find(db, "op1").orElseThrow();
        assertEquals(Operation.Status.Failed, op.status());
        assertEquals("AgentStopped", op.error().code());
        assertEquals(null, op.httpStatus());
        assertEquals(T.plusSeconds(3), op.updatedAt());
    }

    @DatabaseTest
    void deleteExpired_removesFinishedBeforeCutoffAndAbandonedPending(Database db) {
        repo.insert(db, new Operation("old", "sub", "westeurope", "capture.stop", "c-1", Operation.Status.Succeeded, 204, null, null,
                T, T, T));
        repo.insert(db, new Operation("recent", "sub", "westeurope", "capture.stop", "c-1", Operation.Status.Succeeded, 204, null, null,
                T.plusSeconds(100), T.plusSeconds(100), T.plusSeconds(100)));
        repo.insert(db, pending("abandoned")); // deadline T+60
        repo.insert(db, new Operation("running", "sub", "westeurope", "capture.create", "c-1", Operation.Status.InProgress, null, null,
                null, T, T, T.plusSeconds(1000)));

        assertEquals(2, repo.deleteExpired(db, T.plusSeconds(61)));
        assertTrue(repo.find(db, "old").isEmpty());
        assertTrue(repo.find(db, "abandoned").isEmpty());
        assertTrue(repo.find(db, "recent").isPresent());
        assertTrue(repo.find(db, "running").isPresent());
    }
}
