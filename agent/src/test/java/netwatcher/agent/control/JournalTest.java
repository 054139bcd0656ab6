package netwatcher.agent.control;

import netwatcher.model.capture.UploadState;
import netwatcher.model.agent.CaptureReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JournalTest {
    @TempDir Path tmp;

    static CaptureReport report(String key, String status, long packets) {
        return new CaptureReport(key, netwatcher.model.capture.CaptureStatus.valueOf(status), null, List.of(), null, null, null, packets, 0, 0, 0, 0, null, null,
                "/var/captures/" + key + ".cap", UploadState.NONE, 0, null, null);
    }

    @Test
    void enqueue_whenSameStateRepeats_replacesInPlaceButKeepsTransitions() throws Exception {
        Journal j = new Journal(tmp);
        j.enqueue(report("a", "Running", 1));
        j.enqueue(report("b", "Running", 1));
        j.enqueue(report("a", "Running", 2));
        j.enqueue(report("a", "Stopped", 3));
        j.enqueue(report("a", "Stopped", 4));
        List<String> seen = j.pending(10).stream().map(q -> q.report().key() + q.report().status() + q.report().packets()).toList();
        assertEquals(List.of("aRunning2", "bRunning1", "aStopped4"), seen);
    }

    @Test
    void outbox_survivesReopenAndAcknowledgeRemovesOnlyDelivered() throws Exception {
        Journal j = new Journal(tmp);
        j.enqueue(report("a", "Running", 1));
        j.enqueue(report("a", "Stopped", 2));
        var batch = j.pending(1);
        j.enqueue(report("a", "Stopped", 3)); // replaces the second, not in the batch
        j.acknowledge(batch);
        Journal reopened = new Journal(tmp);
        assertEquals(List.of(3L), reopened.pending(10).stream().map(q -> q.report().packets()).toList());
    }

    @Test
    void save_thenLoad_roundTripsAndLeavesNoTempFiles() throws Exception {
        Journal j = new Journal(tmp);
        JournalEntry e = new JournalEntry("c-1", null, "/var/captures/c-1.cap", JournalEntry.Phase.RUNNING,
                report("c-1", "Running", 7), false);
        j.save(e);
        assertEquals(List.of(e), new Journal(tmp).load());
        try (var files = Files.list(tmp.resolve("captures"))) {
            assertEquals(List.of("c-1.json"), files.map(p -> p.getFileName().toString()).toList());
        }
        j.remove("c-1");
        assertEquals(List.of(), j.load());
    }

    @Test
    void enqueueCheck_whenSameKeyAndRole_replacesAndSurvivesReopen() throws Exception {
        Journal journal = new Journal(tmp);
        journal.enqueueCheck(check("k1", "observer", "armed"));
        journal.enqueueCheck(check("k1", "source", "done"));
        journal.enqueueCheck(check("k1", "observer", "done"));

        Journal reopened = new Journal(tmp);
        List<Journal.QueuedCheck> pending = reopened.pendingChecks(10);
        assertEquals(List.of("source/done", "observer/done"),
                pending.stream().map(q -> q.report().role().wire() + "/" + q.report().state().wire()).toList());
        assertEquals(true, reopened.hasPendingCheck("k1", netwatcher.model.check.CheckRole.fromWire("observer")));

        reopened.acknowledgeChecks(pending.subList(0, 1));
        assertEquals(1, new Journal(tmp).pendingChecks(10).size());
        assertEquals(false, new Journal(tmp).hasPendingCheck("k1", netwatcher.model.check.CheckRole.fromWire("source")));
    }

    @Test
    void finishedChecks_whenFinalReportQueued_areRememberedUntilNoLongerListed() throws Exception {
        Journal journal = new Journal(tmp);
        journal.enqueueCheck(check("k1", "observer", "armed"));
        journal.enqueueCheck(check("k2", "source", "done"));
        journal.acknowledgeChecks(journal.pendingChecks(10));

        Journal reopened = new Journal(tmp);
        assertEquals(false, reopened.isCheckFinished("k1", netwatcher.model.check.CheckRole.fromWire("observer")));
        assertEquals(true, reopened.isCheckFinished("k2", netwatcher.model.check.CheckRole.fromWire("source")));

        reopened.retainFinishedChecks(java.util.Set.of("k1/observer"));
        assertEquals(false, new Journal(tmp).isCheckFinished("k2", netwatcher.model.check.CheckRole.fromWire("source")));
    }

    @Test
    void finishedChecks_whenTheProcessDiedBeforeTheFinishedMarkWasWritten_comeFromTheQueuedFinalReport() throws Exception {
        Journal journal = new Journal(tmp);
        journal.enqueueCheck(check("k1", "source", "done"));
        journal.enqueueCheck(check("k2", "observer", "armed"));
        java.nio.file.Files.delete(tmp.resolve("checks-finished.json")); // the second of the two writes never happened

        Journal reopened = new Journal(tmp);
        assertEquals(true, reopened.isCheckFinished("k1", netwatcher.model.check.CheckRole.SOURCE));
        assertEquals(false, reopened.isCheckFinished("k2", netwatcher.model.check.CheckRole.OBSERVER));
    }

    private static netwatcher.model.check.CheckReport check(String key, String role, String state) {
        return new netwatcher.model.check.CheckReport(key, netwatcher.model.check.CheckRole.fromWire(role),
                netwatcher.model.check.ReportState.fromWire(state), null, null, null, null, null, null, null, null);
    }

    static netwatcher.agent.ring.RingState ring(String key) {
        java.time.Instant t = java.time.Instant.parse("2026-12-03T12:00:00Z");
        return new netwatcher.agent.ring.RingState(key, 4, 5, 1, 40, 4000, List.of(new netwatcher.model.agent.RingFileReport(
                "pc1_000004_20261203T120000.000Z.cap", 4, 1000, 10, t, t.plusSeconds(1), false, UploadState.UPLOADING, true, false)),
                List.of(new netwatcher.model.agent.CaptureGap(t.plusSeconds(2), t.plusSeconds(5), null)));
    }

    @Test
    void saveRing_thenLoad_roundTrips_atomicallyWithNoTempFileLeft() throws Exception {
        Journal j = new Journal(tmp);
        j.saveRing(ring("c-1"));
        j.saveRing(ring("c-1")); // replaced in place
        Journal.RingStateRead read = new Journal(tmp).loadRing("c-1");
        assertEquals(ring("c-1"), read.state());
        assertEquals(null, read.problem());
        assertEquals(netwatcher.model.agent.CaptureGap.AGENT_RESTART, read.state().gaps().getFirst().cause());
        try (var files = Files.list(tmp.resolve("rings"))) {
            assertEquals(List.of("c-1.json"), files.map(p -> p.getFileName().toString()).toList(), "no temp file stays");
        }
        j.remove("c-1");
        assertEquals(null, j.loadRing("c-1").state(), "the ring state goes with the capture");
    }

    @Test
    void loadRing_whenTornDamagedForeignOrMissing_answersAProblem_neverThrows() throws Exception {
        Journal j = new Journal(tmp);
        j.saveRing(ring("c-1"));
        Path file = tmp.resolve("rings/c-1.json");
        byte[] whole = Files.readAllBytes(file);
        for (int cut : new int[] {0, 1, whole.length / 2, whole.length - 1}) {
            Files.write(file, java.util.Arrays.copyOf(whole, cut)); // a write cut short (not by this journal: it renames)
            Journal.RingStateRead read = new Journal(tmp).loadRing("c-1");
            assertEquals(null, read.state(), "cut at " + cut);
            assertEquals(true, read.problem() != null && read.problem().contains("c-1.json"), read.problem());
        }
        Files.write(file, new byte[] {0, (byte) 0xff, 0x7b});
        assertEquals(null, j.loadRing("c-1").state(), "binary garbage");
        Files.write(file, "{\"key\":\"c-1\",\"lastClosedIndex\":1,\"files\":[{\"name\":\"x\",\"index\":7}]}".getBytes());
        assertEquals(null, j.loadRing("c-1").state(), "a file it never closed");
        Files.write(file, "{\"key\":\"c-1\",\"lastClosedIndex\":9,\"files\":[{\"name\":\"../../etc/passwd\",\"index\":7}]}".getBytes());
        assertEquals(null, j.loadRing("c-1").state(), "a name outside the capture's directory");
        j.saveRing(ring("c-2"));
        Files.copy(tmp.resolve("rings/c-2.json"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(true, j.loadRing("c-1").problem().contains("belongs to capture c-2"), j.loadRing("c-1").problem());
        assertEquals(true, j.loadRing("c-3").problem().contains("missing"), j.loadRing("c-3").problem());
    }

    @Test
    void wasUnreadable_namesTheCapturesWhoseEntryCouldNotBeRead() throws Exception {
        Journal j = new Journal(tmp);
        j.save(new JournalEntry("c-1", null, "/var/captures/c-1.cap", JournalEntry.Phase.RUNNING, report("c-1", "Running", 7), false));
        Files.write(tmp.resolve("captures/c-2.json"), "{\"key\":\"c-2\",\"pha".getBytes());
        Journal reopened = new Journal(tmp);
        assertEquals(List.of("c-1"), reopened.load().stream().map(JournalEntry::key).toList());
        assertEquals(true, reopened.wasUnreadable("c-2"));
        assertEquals(false, reopened.wasUnreadable("c-1"));
        reopened.remove("c-2");
        assertEquals(false, reopened.wasUnreadable("c-2"), "forgotten once removed");
    }
}
