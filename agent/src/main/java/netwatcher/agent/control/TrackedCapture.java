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
    /**
     * A ring the previous agent was running, found at start-up with its saved state: it waits for the controller's
     * orders to say whether it is still wanted ({@link RingResumer}); null otherwise.
     */
    netwatcher.agent.ring.RingState resume;
    /**
     * What the capture counted before its agent restarted (a resumed ring): added to the running session's counters in
     * every report, so the counters go on across the restart; null for a capture that never restarted.
     */
    netwatcher.agent.capture.CaptureStats prior;
    /** The final report was queued by start-up recovery: the first orders need not queue it again. */
    boolean recoveredReportQueued;

    TrackedCapture(JournalEntry entry) { this.entry = entry; }

    /** The capture's ARM id for log context (the controller logs the same id), else its key. */
    String name() { return CaptureReports.captureName(entry); }
}
