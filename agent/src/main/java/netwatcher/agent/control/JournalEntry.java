package netwatcher.agent.control;

import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;

/**
 * What the agent durably knows of one capture it took on: the order as received, the file it writes,
 * where the capture is in its life, and the last report made about it (which also carries the upload
 * state and progress). Immutable; stored as {@code <state-dir>/captures/<key>.json}.
 *
 * @param key      the order's key
 * @param order    the order as last received
 * @param filePath the resolved capture file, or null when the capture never got a file
 * @param phase    where the capture is
 * @param report   the last report made, or null before the first
 * @param deleted  true once the order vanished from the controller's desired state
 */
public record JournalEntry(String key, CaptureOrder order, String filePath, Phase phase, CaptureReport report,
                           boolean deleted) {

    /** Life of a capture as the journal records it. */
    public enum Phase {
        /**
         * Written before the order's filter is built and compiled and the engine started: a crash now
         * may have been caused by the order, so the restarted agent ends it {@code CaptureFailed} and
         * never retries it; it may have left a file.
         */
        STARTING,
        /** The engine armed the capture; a crash now leaves a file to finalise. */
        RUNNING,
        /** The file is closed for good (or never existed); only the upload may still run. */
        FINAL
    }

    public JournalEntry {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("journal entry needs a key");
        if (phase == null) throw new IllegalArgumentException("journal entry " + key + " needs a phase");
    }

    public JournalEntry withPhase(Phase value) { return new JournalEntry(key, order, filePath, value, report, deleted); }

    public JournalEntry withReport(CaptureReport value) { return new JournalEntry(key, order, filePath, phase, value, deleted); }

    public JournalEntry withOrder(CaptureOrder value) { return new JournalEntry(key, value, filePath, phase, report, deleted); }

    public JournalEntry asDeleted() { return new JournalEntry(key, order, filePath, phase, report, true); }

    /** The upload state of the last report, {@code none} before any. */
    public netwatcher.model.capture.UploadState uploadState() {
        return report == null || report.uploadState() == null ? netwatcher.model.capture.UploadState.NONE : report.uploadState();
    }
}
