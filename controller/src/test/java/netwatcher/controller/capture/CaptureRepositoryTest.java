package netwatcher.controller.capture;

import netwatcher.arm.ProvisioningState;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseTest;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.UploadTarget;

/** {@link CaptureRepository} on embedded H2 and a real PostgreSQL. */
class CaptureRepositoryTest {
    static final Instant T = Instant.parse("2030-01-01T00:00:00.123456Z");
    static final ArmResourceId WATCHER = ArmResourceId.of("s", "NetworkWatcherRG", "Microsoft.Network", "networkWatchers", "nw");
    final CaptureRepository repo = new CaptureRepository();

    static Capture capture(String key, String name, String vmKey, Instant created) {
        ArmResourceId id = WATCHER.child("packetCaptures", name);
        CaptureOrder order = new CaptureOrder(key, id.toString(), true, 96, 1000, 60,
                List.of(new CaptureOrder.WireFilter("TCP", "198.18.1.10", null, "80", null)), "/var/captures/" + name + ".cap",
                new UploadTarget(UploadTarget.LOCAL, "https://127.0.0.1:8443/upload/" + key, "https://x/" + name), created, null);
        Map<String, Object> props = Map.of("target", "/subscriptions/s/vm", "timeLimitInSeconds", 60,
                "storageLocation", Map.of("filePath", "/var/captures/" + name + ".cap"));
        return new Capture(key, id, WATCHER.key(), vmKey, props, order, "W/\"1\"", ProvisioningState.Updating, created, false, false,
                CaptureStatus.NotStarted, null, List.of(), null, null, null, null, null, false, null, null);
    }

    @DatabaseTest
    void claimName_isCaseInsensitiveAndReleasable(Database db) {
        ArmResourceId id = WATCHER.child("packetCaptures", "pc1");
        assertTrue(repo.claimName(db, id, "c-1"));
        assertFalse(repo.claimName(db, WATCHER.child("packetCaptures", "PC1"), "c-2"));
        repo.releaseName(db, id);
        assertTrue(repo.claimName(db, WATCHER.child("packetCaptures", "PC1"), "c-2"));
    }

    @DatabaseTest
    void insert_thenFind_returnsEqualCapture(Database db) {
        Capture c = capture("c-1", "pc1", "vm1", T);
        repo.claimName(db, c.id(), c.key());
        repo.insert(db, c);

        assertEquals(Optional.of(c), repo.findByKey(db, "c-1"));
        assertEquals(Optional.of(c), repo.findLive(db, WATCHER.child("packetCaptures", "PC1")));
        assertEquals(Optional.of(c), db.inTransaction(tx -> repo.lockByKey(tx, "c-1")));
        assertEquals(List.of(c), repo.listLive(db, WATCHER.key()));
    }

    @DatabaseTest
    void updateState_storesReportAndFinalState(Database db) {
        Capture c = capture("c-1", "pc1", "vm1", T);
        repo.insert(db, c);
        CaptureReport report = new CaptureReport("c-1", CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(), null, T, T.plusSeconds(60),
                5, 500, 1, 2, 8, T.plusMillis(1), T.plusSeconds(59), "/var/captures/pc1.cap", UploadState.DONE, 524, null, null);
        Capture stopped = new Capture(c.key(), c.id(), c.watcherKey(), c.vmKey(), c.properties(), c.order(), "W/\"2\"", ProvisioningState.Succeeded,
                c.createdAt(), true, true, CaptureStatus.Stopped, StopReason.TimeExceeded, List.of(CaptureError.AgentStopped, CaptureError.StorageFailed), "done", T,
                T.plusSeconds(60), report, T.plusSeconds(61), true, null, null);
        repo.updateState(db, stopped);

        assertEquals(Optional.of(stopped), repo.findByKey(db, "c-1"));
        assertEquals(List.of(), repo.listLive(db, WATCHER.key()), "deleted captures are not listed");
        assertEquals(List.of(), repo.openForVm(db, "vm1"));
    }

    @DatabaseTest
    void openUnclaimedAndCount_selectTheRightCaptures(Database db) {
        Capture old = capture("c-1", "pc1", "/subscriptions/s/vm1", T);
        Capture recent = capture("c-2", "pc2", "/subscriptions/s/vm1", T.plusSeconds(100));
        Capture otherSub = capture("c-3", "pc3", "/subscriptions/t/vm9", T);
        repo.insert(db, old);
        repo.insert(db, recent);
        repo.insert(db, otherSub);

        assertEquals(List.of(old, recent), repo.openForVm(db, "/subscriptions/s/vm1"));
        assertEquals(List.of("c-1", "c-3"), repo.unclaimedBefore(db, T.plusSeconds(50)).stream().map(Capture::key).sorted().toList());
        assertEquals(2, repo.countOpen(db, "/subscriptions/s/"));
        assertEquals(3, repo.countOpen(db, "/subscriptions/"));
        assertEquals(0, repo.countOpen(db, "/subscriptions/u/"));
    }

    @DatabaseTest
    void claimBlob_onePerObjectOfAnAccount(Database db) {
        assertTrue(repo.claimBlob(db, "acct-a", "network-watcher-logs/x.cap", "c-1"));
        assertFalse(repo.claimBlob(db, "acct-a", "network-watcher-logs/x.cap", "c-2"));
        assertTrue(repo.blobClaimed(db, "acct-a", "network-watcher-logs/x.cap"));
        // another account, or another path (blob names are case-sensitive), is another object
        assertTrue(repo.claimBlob(db, "acct-b", "network-watcher-logs/x.cap", "c-3"));
        assertTrue(repo.claimBlob(db, "acct-a", "network-watcher-logs/X.cap", "c-4"));
    }

    @DatabaseTest
    void recordStored_roundTripsAndSurvivesStateUpdates(Database db) {
        Capture c = capture("c-1", "pc1", "vm1", T);
        repo.insert(db, c);
        repo.recordCommitted(db, "c-1", 1234);
        assertEquals(new Capture.StoredFile(1234L, null, null), repo.findByKey(db, "c-1").orElseThrow().stored());
        String sha = "ab".repeat(32);
        repo.recordStored(db, "c-1", new Capture.StoredFile(1234L, sha, Capture.UploadCheck.VERIFIED));
        Capture read = repo.findByKey(db, "c-1").orElseThrow();
        repo.updateState(db, read);
        assertEquals(new Capture.StoredFile(1234L, sha, Capture.UploadCheck.VERIFIED), repo.findByKey(db, "c-1").orElseThrow().stored());
    }

    @DatabaseTest
    void collectTombstones_deletesOnlySettledDeletedCapturesAndTheirClaims(Database db) {
        Capture settled = capture("c-1", "pc1", "vm1", T);
        Capture unsettled = capture("c-2", "pc2", "vm1", T);
        Capture live = capture("c-3", "pc3", "vm1", T);
        for (Capture c : List.of(settled, unsettled, live)) {
            repo.insert(db, c);
            repo.claimBlob(db, "acct", "network-watcher-logs/" + c.key() + ".cap", c.key());
        }
        repo.updateState(db, new Capture(settled.key(), settled.id(), settled.watcherKey(), settled.vmKey(), settled.properties(),
                settled.order(), "e", ProvisioningState.Succeeded, T, true, false, CaptureStatus.Stopped, null, List.of(), null, null, null, null, null, true, null, null));
        repo.updateState(db, new Capture(unsettled.key(), unsettled.id(), unsettled.watcherKey(), unsettled.vmKey(), unsettled.properties(),
                unsettled.order(), "e", ProvisioningState.Succeeded, T, true, false, CaptureStatus.Running, null, List.of(), null, null, null, null, null, false, null, null));
        repo.updateState(db, new Capture(live.key(), live.id(), live.watcherKey(), live.vmKey(), live.properties(),
                live.order(), "e", ProvisioningState.Succeeded, T, false, false, CaptureStatus.Stopped, null, List.of(), null, null, null, null, null, true, null, null));

        assertEquals(1, repo.collectTombstones(db));
        assertTrue(repo.findByKey(db, "c-1").isEmpty());
        assertFalse(repo.blobClaimed(db, "acct", "network-watcher-logs/c-1.cap"));
        assertTrue(repo.findByKey(db, "c-2").isPresent());
        assertTrue(repo.blobClaimed(db, "acct", "network-watcher-logs/c-2.cap"));
        assertTrue(repo.findByKey(db, "c-3").isPresent());
        assertEquals(0, repo.collectTombstones(db));
    }

    @DatabaseTest
    void finishedUnsettled_listsFinishedCapturesWithoutAVerdict(Database db) {
        Capture c = capture("c-1", "pc1", "vm1", T);
        repo.insert(db, c);
        assertTrue(repo.finishedUnsettled(db).isEmpty());
        repo.updateState(db, new Capture(c.key(), c.id(), c.watcherKey(), c.vmKey(), c.properties(), c.order(), "e", ProvisioningState.Succeeded, T,
                false, false, CaptureStatus.Stopped, null, List.of(), null, null, null, null, null, false, null, null));
        assertEquals(List.of("c-1"), repo.finishedUnsettled(db).stream().map(Capture::key).toList());
        repo.recordStored(db, "c-1", new Capture.StoredFile(1L, "ab".repeat(32), Capture.UploadCheck.MISMATCH));
        assertTrue(repo.finishedUnsettled(db).isEmpty());
    }

    @DatabaseTest
    void unclaimed_listsCapturesWithoutAStorageClaim(Database db) {
        repo.insert(db, capture("c-1", "pc1", "vm1", T));
        repo.insert(db, capture("c-2", "pc2", "vm1", T.plusSeconds(1)));
        repo.claimBlob(db, "acct", "network-watcher-logs/c-2.cap", "c-2");
        assertEquals(List.of("c-1"), repo.unclaimed(db).stream().map(Capture::key).toList());
    }

    @DatabaseTest
    void mergeWork_isDurable_dueOnce_takenOverFromAnotherRun_andOpenInstancesAreFound(Database db) {
        Capture fleet = capture("c-f", "fleet", "/subscriptions/s/resourcegroups/g/providers/microsoft.compute/virtualmachinescalesets/ss", T);
        repo.insert(db, fleet);
        assertEquals(new CaptureRepository.MergeWork(0, null, null, null), repo.mergeWork(db, "c-f"));
        assertEquals(List.of(), repo.mergesDue(db, T, "run-a"), "not due before every instance is final");

        repo.markMergeDue(db, "c-f", T);
        repo.markMergeDue(db, "c-f", T.plusSeconds(50)); // due once: a later mark keeps the first time
        assertEquals(T, repo.mergeWork(db, "c-f").dueAt());
        assertEquals(List.of("c-f"), repo.mergesDue(db, T, "run-a").stream().map(Capture::key).toList());

        // run a starts an attempt and stops half-way (its controller died): not due for run a before the lease ends ...
        repo.startMergeAttempt(db, "c-f", "run-a", T.plusSeconds(600));
        assertEquals(new CaptureRepository.MergeWork(1, T.plusSeconds(600), null, "run-a"), repo.mergeWork(db, "c-f"));
        assertEquals(List.of(), repo.mergesDue(db, T.plusSeconds(1), "run-a"));
        // ... but another run (the restarted controller, a new leader) takes it over at once
        assertEquals(List.of("c-f"), repo.mergesDue(db, T.plusSeconds(1), "run-b").stream().map(Capture::key).toList());

        repo.startMergeAttempt(db, "c-f", "run-b", T.plusSeconds(601));
        repo.endMergeAttempt(db, "c-f", "attempt 2 of 5: input 0 (db) is not a capture file", T.plusSeconds(10));
        assertEquals(new CaptureRepository.MergeWork(2, T.plusSeconds(10), "attempt 2 of 5: input 0 (db) is not a capture file", null),
                repo.mergeWork(db, "c-f"));
        assertEquals(List.of(), repo.mergesDue(db, T.plusSeconds(9), "run-b"), "backing off");
        assertEquals(1, repo.mergesDue(db, T.plusSeconds(10), "run-b").size());

        repo.recordStored(db, "c-f", new Capture.StoredFile(null, null, Capture.UploadCheck.MISMATCH));
        repo.endMergeAttempt(db, "c-f", "after 5 attempts: broken", null);
        assertEquals(List.of(), repo.mergesDue(db, T.plusSeconds(999), "run-c"), "given up: never due again");

        Capture instance = capture("c-i", "fleet/instances/0", "/subscriptions/s/vm1", T);
        Capture plain = capture("c-p", "plain", "/subscriptions/s/vm1", T);
        repo.insert(db, instance);
        repo.insert(db, plain);
        assertEquals(List.of("c-i"), repo.openInstances(db).stream().map(Capture::key).toList());
    }
}
