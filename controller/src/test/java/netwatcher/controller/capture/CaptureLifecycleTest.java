package netwatcher.controller.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.ProvisioningState;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Test;

/** A packet capture's lifecycle rules, applied to the immutable {@link Capture} on a hand-moved clock. */
class CaptureLifecycleTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T09:00:00Z"));
    private static final ArmResourceId ID = ArmResourceId.tryParse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
            + "/networkWatchers/nw/packetCaptures/pc1").orElseThrow();

    private Capture created(boolean upload) {
        CaptureOrder order = new CaptureOrder("c-1", ID.toString(), true, 0, 0, 60, List.of(), "/var/captures/pc1.cap",
                null, clock.instant(), null);
        return Capture.created(new Capture.Intent(ID, "w", "vm", Map.of(), order,
                upload ? new Capture.StorageTarget("/subscriptions/s/.../storageaccounts/a", "network-watcher-logs/pc1.cap") : null),
                clock.instant());
    }

    private CaptureReport report(CaptureStatus status, StopReason reason, UploadState upload) {
        Instant now = clock.instant();
        return new CaptureReport("c-1", status, reason, reason == null || reason.error() == null ? List.of() : List.of(reason.error()),
                null, now.minusSeconds(1), status.isTerminal() ? now : null, 3, 300, 0, 0, 3, null, null, "/var/captures/pc1.cap", upload, 0, null, null);
    }

    @Test
    void aNewCaptureIsUpdatingAndNotStarted_andRunsUntilItsAgentTakesIt() {
        Capture c = created(false);
        assertEquals(ProvisioningState.Updating, c.provisioningState());
        assertEquals(CaptureStatus.NotStarted, c.status());
        assertTrue(c.runs());
        assertTrue(c.unclaimed());
        assertNull(c.visibleUploadState());
    }

    @Test
    void aRunningReport_succeedsTheProvisioning_andEveryChangeHasANewEtag() {
        Capture c = created(false);
        clock.advance(Duration.ofMillis(60));
        Capture running = c.afterReport(report(CaptureStatus.Running, null, UploadState.NONE), clock.instant());
        assertEquals(ProvisioningState.Succeeded, running.provisioningState());
        assertEquals(CaptureStatus.Running, running.status());
        assertEquals(clock.instant(), running.reportedAt());
        assertFalse(running.unclaimed());
        assertNotEquals(c.etag(), running.etag());
        assertEquals(CaptureStatus.NotStarted, c.status(), "the old value never changes");
    }

    @Test
    void anErrorBeforeItEverStarted_failsTheProvisioning() {
        Capture c = created(false);
        CaptureReport r = new CaptureReport("c-1", CaptureStatus.Error, StopReason.CaptureFailed, List.of(CaptureError.CaptureFailed),
                "no such device", null, clock.instant(), 0, 0, 0, 0, 0, null, null, null, UploadState.NONE, 0, null, null);
        Capture failed = c.afterReport(r, clock.instant());
        assertEquals(ProvisioningState.Failed, failed.provisioningState());
        assertTrue(failed.finalState());
        assertFalse(failed.runs());
    }

    @Test
    void anEndedCaptureKeepsItsEnd_laterReportsOnlyFillAMissingEndTime() {
        Capture stopped = created(false).afterReport(report(CaptureStatus.Stopped, StopReason.TimeExceeded, UploadState.NONE), clock.instant());
        clock.advance(Duration.ofSeconds(1));
        Capture again = stopped.afterReport(report(CaptureStatus.Running, null, UploadState.NONE), clock.instant());
        assertEquals(CaptureStatus.Stopped, again.status());
        assertEquals(StopReason.TimeExceeded, again.stopReason());
        assertEquals(stopped.captureEnd(), again.captureEnd());
    }

    @Test
    void anEndNeverPrecedesTheStart() {
        Instant start = clock.instant();
        CaptureReport r = new CaptureReport("c-1", CaptureStatus.Error, StopReason.AgentLost, List.of(CaptureError.AgentStopped), null,
                start, start.minusSeconds(7), 0, 0, 0, 0, 0, null, null, null, UploadState.NONE, 0, null, null);
        Capture c = created(false).afterReport(r, clock.instant());
        assertEquals(start, c.captureEnd());
    }

    @Test
    void anUploadSettlesOnlyWhenTheControllerCheckedTheStoredFile() {
        Capture c = created(true);
        Capture uploading = c.afterReport(report(CaptureStatus.Stopped, StopReason.TimeExceeded, UploadState.UPLOADING), clock.instant());
        assertFalse(uploading.finalState());
        assertEquals(UploadState.UPLOADING, uploading.visibleUploadState());
        Capture done = uploading.afterReport(report(CaptureStatus.Stopped, StopReason.TimeExceeded, UploadState.DONE), clock.instant());
        assertFalse(done.finalState(), "the agent's done is not the controller's");
        assertEquals(UploadState.VERIFYING, done.visibleUploadState());

        Capture verified = done.afterUploadCheck(null);
        assertTrue(verified.finalState());
        assertEquals(CaptureStatus.Stopped, verified.status());

        Capture mismatch = done.afterUploadCheck("the stored file has 10 bytes but the capture wrote 300");
        assertTrue(mismatch.finalState());
        assertEquals(CaptureStatus.Error, mismatch.status());
        assertEquals(StopReason.UploadFailed, mismatch.stopReason());
        assertEquals(List.of(CaptureError.StorageFailed), mismatch.errors());
        assertTrue(mismatch.message().contains("10 bytes"), mismatch.message());
        assertEquals(List.of(CaptureError.StorageFailed), mismatch.afterUploadCheck("again").errors(), "StorageFailed once");
    }

    @Test
    void aFailedOrAbsentUploadSettlesAtOnce() {
        assertTrue(created(true).afterReport(report(CaptureStatus.Stopped, StopReason.TimeExceeded, UploadState.FAILED), clock.instant())
                .finalState());
        assertTrue(created(false).afterReport(report(CaptureStatus.Stopped, StopReason.TimeExceeded, UploadState.NONE), clock.instant())
                .finalState());
        assertEquals(UploadState.DONE, created(false).afterReport(report(CaptureStatus.Stopped, StopReason.TimeExceeded, UploadState.DONE),
                clock.instant()).visibleUploadState(), "no storage account: nothing to check");
    }

    @Test
    void aDeletedCaptureIsFinalOnceItEnded_whateverItsUpload() {
        Capture deleted = created(true).deletedFromArm(false);
        assertFalse(deleted.runs());
        Capture ended = deleted.afterReport(report(CaptureStatus.Stopped, StopReason.StoppedByRequest, UploadState.UPLOADING), clock.instant());
        assertTrue(ended.finalState());
    }

    @Test
    void aStopRequestStopsItRunning() {
        Capture c = created(false).afterReport(report(CaptureStatus.Running, null, UploadState.NONE), clock.instant());
        assertTrue(c.runs());
        assertFalse(c.withStopRequested().runs());
    }

    @Test
    void aRunningCaptureWhoseAgentIsAwayShowsUnknown() {
        Capture c = created(false).afterReport(report(CaptureStatus.Running, null, UploadState.NONE), clock.instant());
        assertEquals(CaptureStatus.Unknown, c.visibleStatus(false));
        assertEquals(CaptureStatus.Running, c.visibleStatus(true));
        Capture stopped = c.afterReport(report(CaptureStatus.Stopped, StopReason.StoppedByRequest, UploadState.NONE), clock.instant());
        assertEquals(CaptureStatus.Stopped, stopped.visibleStatus(false), "an ended capture needs no agent");
    }

    @Test
    void anUnclaimedCaptureExpires_asAgentUnavailable() {
        Capture expired = created(true).expiredUnclaimed("No agent took it.");
        assertEquals(ProvisioningState.Failed, expired.provisioningState());
        assertEquals(CaptureStatus.Error, expired.status());
        assertEquals(StopReason.AgentUnavailable, expired.stopReason());
        assertEquals(List.of(CaptureError.AgentStopped), expired.errors());
        assertTrue(expired.finalState());
        assertFalse(expired.unclaimed());
    }

    @Test
    void givenUp_aRunningCaptureEndsAgentLostAtItsLastContact_andIsFinal() {
        Capture running = created(true).afterReport(report(CaptureStatus.Running, null, UploadState.NONE), clock.instant());
        Instant lastHeard = clock.instant().plusSeconds(5);
        clock.advance(Duration.ofMinutes(3));
        Capture lost = running.givenUp("Its agent has not been connected since " + lastHeard + ".", lastHeard);
        assertEquals(CaptureStatus.Error, lost.status());
        assertEquals(StopReason.AgentLost, lost.stopReason());
        assertEquals(List.of(CaptureError.AgentStopped), lost.errors());
        assertEquals(lastHeard, lost.captureEnd());
        assertTrue(lost.finalState());
        assertFalse(lost.runs());
        assertTrue(lost.message().contains("not been connected since"));
        assertNotEquals(running.etag(), lost.etag());
    }

    @Test
    void givenUp_aStoppedCaptureWhoseUploadNeverSettled_keepsItsStatusAndReason() {
        Capture stopped = created(true).afterReport(report(CaptureStatus.Stopped, StopReason.StoppedByRequest, UploadState.UPLOADING),
                clock.instant());
        assertFalse(stopped.finalState());
        Capture lost = stopped.givenUp("Its file did not reach the storage account.", clock.instant());
        assertEquals(CaptureStatus.Stopped, lost.status());
        assertEquals(StopReason.StoppedByRequest, lost.stopReason());
        assertEquals(stopped.captureEnd(), lost.captureEnd());
        assertTrue(lost.finalState());
    }

    @Test
    void mergeState_followsTheStoredFile_theWork_andTheWaitForInstances() {
        CaptureRepository.MergeWork none = new CaptureRepository.MergeWork(0, null, null, null);
        Instant t = clock.instant();
        assertEquals(MergeState.Waiting, MergeState.of(null, none, true));
        assertEquals(MergeState.Pending, MergeState.of(null, new CaptureRepository.MergeWork(0, t, null, null), false));
        assertEquals(MergeState.Merging, MergeState.of(null, new CaptureRepository.MergeWork(1, t, null, "run-a"), false));
        assertEquals(MergeState.Retrying, MergeState.of(null, new CaptureRepository.MergeWork(2, t, "attempt 2 of 5: x", null), false));
        assertEquals(MergeState.Done, MergeState.of(new Capture.StoredFile(10L, "ab", Capture.UploadCheck.VERIFIED), none, false));
        assertEquals(MergeState.MergeFailed, MergeState.of(new Capture.StoredFile(null, null, Capture.UploadCheck.MISMATCH),
                new CaptureRepository.MergeWork(5, null, "after 5 attempts: x", null), false));
    }
}
