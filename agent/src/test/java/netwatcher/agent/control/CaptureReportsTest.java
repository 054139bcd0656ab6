package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.EndCause;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** How the agent words its capture reports and maps engine ends, as pure functions. */
class CaptureReportsTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final CaptureStats STATS = new CaptureStats(12, 1840, 20, 3, 1, T0.plusSeconds(1), T0.plusSeconds(2), T0);

    private static JournalEntry entry(UploadTarget upload) {
        CaptureOrder order = new CaptureOrder("c-1", "/subscriptions/s/x/packetCaptures/pc1", true, 0, 0, 60, List.of(),
                null, upload, T0, null);
        return new JournalEntry("c-1", order, "/var/captures/c-1.cap", JournalEntry.Phase.RUNNING, null, false);
    }

    @Test
    void of_running_carriesTheEnginesCountersAndNoErrors_uploadPendingOnlyWithATarget() {
        CaptureReport r = CaptureReports.of(entry(null), CaptureReports.Outcome.RUNNING, STATS, T0, null);
        assertEquals(CaptureStatus.Running, r.status());
        assertNull(r.stopReason());
        assertEquals(List.of(), r.errors());
        assertEquals(List.of(12L, 1840L, 3L, 1L, 20L), List.of(r.packets(), r.bytes(), r.kernelDrops(), r.interfaceDrops(), r.kernelReceived()));
        assertEquals("/var/captures/c-1.cap", r.filePath());
        assertEquals(UploadState.NONE, r.uploadState());
        UploadTarget target = new UploadTarget("local", "https://c/agent/v1/captures/c-1/file", "https://x/storage/c-1.cap");
        assertEquals(UploadState.initial(true), CaptureReports.of(entry(target), CaptureReports.Outcome.RUNNING, STATS, T0, null).uploadState());
    }

    @Test
    void of_ended_takesStatusAndErrorFromTheStopReason() {
        CaptureReport r = CaptureReports.of(entry(null), CaptureReports.Outcome.ended(StopReason.DiskSpaceLow, "full"), STATS, T0,
                T0.plusSeconds(5));
        assertEquals(StopReason.DiskSpaceLow.status(), r.status());
        assertEquals(List.of(CaptureError.LocalFileFailed), r.errors());
        assertEquals("full", r.message());
        assertEquals(T0.plusSeconds(5), r.endTime());
    }

    @Test
    void uploadFailed_addsStorageFailedOnce_andAppendsTheFailure() {
        CaptureReport ended = CaptureReports.of(entry(null), CaptureReports.Outcome.ended(StopReason.CaptureFailed, "libpcap said no"),
                STATS, T0, T0.plusSeconds(5)).withUpload(UploadState.FAILED, 100, null);
        CaptureReport failed = CaptureReports.uploadFailed(ended, "HTTP 503");
        assertEquals(CaptureStatus.Error, failed.status());
        assertEquals(StopReason.UploadFailed, failed.stopReason());
        assertEquals(List.of(CaptureError.CaptureFailed, CaptureError.StorageFailed), failed.errors());
        assertEquals("libpcap said no; HTTP 503", failed.message());
        assertEquals(List.of(CaptureError.CaptureFailed, CaptureError.StorageFailed), CaptureReports.uploadFailed(failed, "again").errors());
        assertEquals(12, failed.packets());
        assertEquals(UploadState.FAILED, failed.uploadState());
        assertEquals(100, failed.uploadedBytes());
    }

    @Test
    void stopReasonFor_everyEngineEnd_hasItsArmReason() {
        assertEquals(StopReason.TimeExceeded, CaptureEnds.stopReasonFor(EndCause.TIME_LIMIT));
        assertEquals(StopReason.SizeExceeded, CaptureEnds.stopReasonFor(EndCause.BYTE_LIMIT));
        assertEquals(StopReason.StoppedByRequest, CaptureEnds.stopReasonFor(EndCause.STOP_REQUESTED));
        assertEquals(StopReason.AgentShutdown, CaptureEnds.stopReasonFor(EndCause.SHUTDOWN));
        assertEquals(StopReason.DiskSpaceLow, CaptureEnds.stopReasonFor(EndCause.DISK_FLOOR));
        assertEquals(StopReason.CaptureFailed, CaptureEnds.stopReasonFor(EndCause.FAILED));
    }

    @Test
    void captureName_isTheArmIdWhenKnown_elseTheKey() {
        assertEquals("/subscriptions/s/x/packetCaptures/pc1", CaptureReports.captureName(entry(null)));
        assertEquals("c-2", CaptureReports.captureName(new JournalEntry("c-2", null, null, JournalEntry.Phase.FINAL, null, false)));
    }
}
