package netwatcher.agent.control;

import java.util.concurrent.Future;

/**
 * One capture the agent holds: its journal entry and, while they last, its running session and its
 * upload. Not thread-safe: every field is guarded by {@link CaptureTable#lock}.
 */
final class TrackedCapture {
    JournalEntry entry;
    CaptureRunner.Running running;
    Future<?> upload;
    /** The keeper of a ring capture's files, or null for a one-file capture. */
    netwatcher.agent.ring.RingKeeper ring;
    /** The final report was queued by start-up recovery: the first orders need not queue it again. */
    boolean recoveredReportQueued;

    TrackedCapture(JournalEntry entry) { this.entry = entry; }

    /** The capture's ARM id for log context (the controller logs the same id), else its key. */
    String name() { return CaptureReports.captureName(entry); }
}
