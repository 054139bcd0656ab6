package netwatcher.controller.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.model.agent.SnapshotReport;

/**
 * {@link SnapshotRepository}'s fleet snapshot rows (migration {@code capture/V10}) on embedded H2 and a real PostgreSQL:
 * the fleet's row and its cuts round-trip with their place ({@link Snapshot.Part}), cuts are never an agent's order of the
 * scale set, and the merge lease goes to one run at a time until it expires, never for a finished snapshot.
 */
class SnapshotRepositoryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00.123456Z");
    final SnapshotRepository repo = new SnapshotRepository();

    static Snapshot row(String id, String captureKey, String vmKey, Snapshot.Part part) {
        return new Snapshot(id, captureKey, vmKey, new SnapshotRequest(T.minusSeconds(10), T, 10), T, null,
                new SnapshotReport(id, captureKey, SnapshotReport.State.Running, 0, 0, null, null, null, null, null), part);
    }

    @DatabaseTest
    void fleetSnapshotAndCuts_roundTrip_andOnlyCutsAreOrdered(Database db) {
        Snapshot fleet = row("s-f", "c-fleet", "set-key", new Snapshot.Part(true, null, null));
        Snapshot cut0 = row("s-0", "c-i0", "vm-0", Snapshot.Part.cutOf("s-f", "0"));
        Snapshot cut1 = row("s-1", "c-i1", "vm-1", Snapshot.Part.cutOf("s-f", "1"));
        db.inTransaction(h -> {
            repo.insert(h, fleet);
            repo.insert(h, cut0);
            repo.insert(h, cut1);
            return null;
        });
        assertEquals(fleet, repo.find(db, "s-f").orElseThrow());
        assertEquals(List.of(cut0, cut1), repo.cutsOf(db, "s-f").stream().sorted(java.util.Comparator.comparing(Snapshot::id)).toList());
        assertEquals(List.of("s-f"), repo.runningFleetSnapshots(db));
        assertEquals(List.of(cut0), repo.runningOnVm(db, "vm-0"));
        assertEquals(List.of(), repo.runningOnVm(db, "set-key"), "the fleet's own row is no agent's order");
        assertEquals(1, repo.countRunning(db, "c-fleet"));
    }

    @DatabaseTest
    void mergeLease_oneRunAtATime_untilItExpires_neverForAFinishedSnapshot(Database db) {
        db.inTransaction(h -> {
            repo.insert(h, row("s-f", "c-fleet", "set-key", new Snapshot.Part(true, null, null)));
            return null;
        });
        Duration lease = FleetSnapshots.MERGE_LEASE;
        assertTrue(lease(db, "run-a", T.plus(lease), T));
        assertFalse(lease(db, "run-b", T.plusSeconds(1).plus(lease), T.plusSeconds(1)),
                "another run waits while the lease holds");
        assertTrue(lease(db, "run-b", T.plus(lease).plusSeconds(61), T.plus(lease).plusSeconds(1)),
                "an expired lease (its run stopped mid-merge) is taken over");
        db.inTransaction(h -> {
            repo.finish(h, "s-f", new SnapshotReport("s-f", "c-fleet", SnapshotReport.State.Succeeded, 1, 100, T, T, "x", null, null), T);
            return null;
        });
        assertFalse(lease(db, "run-c", T.plusSeconds(999).plus(lease), T.plusSeconds(999)),
                "a finished snapshot is never merged again");
        assertEquals(List.of(), repo.runningFleetSnapshots(db));
    }

    boolean lease(Database db, String run, Instant until, Instant now) {
        Boolean got = db.inTransaction(h -> repo.leaseMerge(h, "s-f", run, until, now));
        return got;
    }

    @org.junit.jupiter.api.Test
    void part_namesParentAndInstanceTogether_andAFleetRowHasNoParent() {
        assertThrows(IllegalArgumentException.class, () -> new Snapshot.Part(false, "s-f", null));
        assertThrows(IllegalArgumentException.class, () -> new Snapshot.Part(false, null, "0"));
        assertThrows(IllegalArgumentException.class, () -> new Snapshot.Part(true, "s-f", "0"));
        assertEquals(new Snapshot.Part(false, null, null), Snapshot.Part.SINGLE);
    }
}
