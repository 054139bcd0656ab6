package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureStats;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link CaptureReport}s the agent sends: one place for how a journal entry, an outcome and
 * the engine's counters become a report. Stateless.
 */
final class CaptureReports {
    private CaptureReports() {}

    /**
     * What a report says about the capture's state.
     *
     * @param status  the ARM status
     * @param reason  why it ended, or null while it runs
     * @param message the failure or end message, or null
     */
    record Outcome(CaptureStatus status, StopReason reason, String message) {
        static final Outcome RUNNING = new Outcome(CaptureStatus.Running, null, null);

        static Outcome ended(StopReason reason, String message) { return new Outcome(reason.status(), reason, message); }
    }

    /**
     * The report of {@code e} with {@code outcome} and the counters {@code c}; its upload state is the
     * initial one of the order (pending when it names a target, else none).
     */
    static CaptureReport of(JournalEntry e, Outcome outcome, CaptureStats c, Instant start, Instant end) {
        UploadState uploadState = UploadState.initial(e.order() != null && e.order().upload() != null);
        return new CaptureReport(e.key(), outcome.status(), outcome.reason(),
                outcome.reason() == null ? List.of() : errors(outcome.reason()), outcome.message(), start, end,
                c.packets(), c.bytesWritten(), c.kernelDrops(), c.interfaceDrops(), c.kernelReceived(), c.firstPacket(),
                c.lastPacket(), e.filePath(), uploadState, 0, null, null);
    }

    /**
     * The counters of {@code t} to report: the session's {@code now}, plus what the capture counted before its agent
     * restarted ({@link TrackedCapture#prior}) for a resumed ring.
     */
    static CaptureStats counters(TrackedCapture t, CaptureStats now) {
        CaptureStats p = t.prior;
        if (p == null) return now;
        return new CaptureStats(p.packets() + now.packets(), p.bytesWritten() + now.bytesWritten(),
                p.kernelReceived() + now.kernelReceived(), p.kernelDrops() + now.kernelDrops(),
                p.interfaceDrops() + now.interfaceDrops(), p.firstPacket() != null ? p.firstPacket() : now.firstPacket(),
                now.lastPacket() != null ? now.lastPacket() : p.lastPacket(), p.armedAt());
    }

    /** The final report of an order that never got a running capture: no counters, no upload. */
    static CaptureReport withoutFile(JournalEntry e, StopReason reason, String message, Instant now) {
        return new CaptureReport(e.key(), reason.status(), reason, errors(reason), message, null, now,
                0, 0, 0, 0, 0, null, null, e.filePath(), UploadState.NONE, 0, null, null);
    }

    /** {@code r} with another upload state and count. */
    static CaptureReport withUpload(CaptureReport r, UploadState state, long bytes) {
        return new CaptureReport(r.key(), r.status(), r.stopReason(), r.errors(), r.message(), r.startTime(), r.endTime(),
                r.packets(), r.bytes(), r.kernelDrops(), r.interfaceDrops(), r.kernelReceived(), r.firstPacketTime(),
                r.lastPacketTime(), r.filePath(), state, bytes, null, r.ring());
    }

    /** {@code r} after its upload failed: {@code Error}/{@code UploadFailed}, {@code StorageFailed} added, the failure appended. */
    static CaptureReport uploadFailed(CaptureReport r, String failure) {
        List<CaptureError> errs = new ArrayList<>(r.errors());
        if (!errs.contains(CaptureError.StorageFailed)) errs.add(CaptureError.StorageFailed);
        String msg = r.message() == null ? failure : r.message() + "; " + failure;
        return new CaptureReport(r.key(), CaptureStatus.Error, StopReason.UploadFailed, errs, msg,
                r.startTime(), r.endTime(), r.packets(), r.bytes(), r.kernelDrops(), r.interfaceDrops(),
                r.kernelReceived(), r.firstPacketTime(), r.lastPacketTime(), r.filePath(), r.uploadState(), r.uploadedBytes(), null, r.ring());
    }

    static List<CaptureError> errors(StopReason reason) {
        return reason.error() == null ? List.of() : List.of(reason.error());
    }

    /** The capture's ARM id for log context (the controller logs the same id), else its key. */
    static String captureName(JournalEntry e) {
        return e.order() == null || e.order().captureId() == null ? e.key() : e.order().captureId();
    }
}
