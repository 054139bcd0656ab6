package netwatcher.controller.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.controller.testsupport.MutableClock;

/** Finished operations expire after the retention, on the injected clock; on H2 and PostgreSQL. */
class OperationExpiryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
    static final Duration RETENTION = Duration.ofHours(24);
    final OperationRepository repo = new OperationRepository();

    @DatabaseTest
    void finishedOperation_answersUntilTheRetentionThenIsGoneAndCollected(Database db) {
        MutableClock clock = new MutableClock(T);
        OperationService ops = new OperationService(db, repo, clock, RETENTION);
        repo.insert(db, new Operation("op1", "sub", "westeurope", "capture.stop", "c-1", Operation.Status.Succeeded, 204, null, null,
                T, T, T));

        clock.advance(RETENTION);
        assertTrue(ops.poll("op1").isPresent(), "still pollable at exactly the retention");
        assertEquals(0, ops.collectExpired());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), ops.poll("op1"), "expired: a poll finds nothing (404), as in ARM");
        assertEquals(1, ops.collectExpired());
        assertTrue(repo.find(db, "op1").isEmpty(), "the row is deleted");
    }

    @DatabaseTest
    void pendingOperation_isKeptWhileRunningAndExpiresAfterItsDeadline(Database db) {
        MutableClock clock = new MutableClock(T);
        OperationService ops = new OperationService(db, repo, clock, RETENTION);
        repo.insert(db, new Operation("op1", "sub", "westeurope", "unresolved.kind", "c-1", Operation.Status.InProgress, null, null,
                null, T, T, T.plusSeconds(60)));

        clock.advance(Duration.ofHours(2));
        assertEquals(0, ops.collectExpired(), "a pending operation is not collected within the retention after its deadline");
        clock.advance(RETENTION);
        assertEquals(Optional.empty(), ops.poll("op1"));
        assertEquals(1, ops.collectExpired());
    }

    @DatabaseTest
    void computedOperation_storesNothingAndExpiresLikeTheOthers(Database db) {
        MutableClock clock = new MutableClock(T);
        OperationService ops = new OperationService(db, repo, clock, RETENTION);
        ops.registerComputed("qs", (id, key, started) -> Optional.of(OperationService.computedResult(id,
                new Operation.Subject("sub", "westeurope", "capture.queryStatus", "/scope/" + key), started, 200, "{\"key\":\"" + key + "\"}")));
        Operation started = ops.startComputed("qs", "sub", "westeurope", "capture.queryStatus", "c-1");
        assertEquals(0L, db.queryOne("SELECT count(*) AS n FROM nw_operation", r -> r.getLong("n")).orElseThrow());

        clock.advance(Duration.ofHours(1));
        Operation polled = ops.poll(started.id()).orElseThrow();
        assertEquals("{\"key\":\"c-1\"}", polled.resultJson());
        assertEquals(T, polled.createdAt());
        assertEquals("/scope/c-1", polled.targetKey());

        assertEquals(Optional.empty(), ops.poll("qs.zzzzzzzzzzzzz.c-1"), "a start time in the future is no operation");
        assertEquals(Optional.empty(), ops.poll("xx." + started.id().substring(3)), "an unregistered tag is no operation");
        clock.advance(RETENTION);
        assertEquals(Optional.empty(), ops.poll(started.id()));
    }
}
