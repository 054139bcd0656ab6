package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.ring.RingKeeper;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;

/**
 * The control loop's side of ring captures: one {@link RingKeeper} per ring capture (in
 * {@link TrackedCapture#ring}), whose file list and upload state go into every report of the capture. A ring's
 * files are uploaded by its keeper as they close, so a ring capture never takes the one-file upload of
 * {@link UploadQueue} at its end; after its end the keeper's changes (a file's upload done) are journaled and
 * reported as the final report's new upload state.
 *
 * <p>Every change of a ring's files also saves its {@link netwatcher.agent.ring.RingState} in the journal
 * ({@link Journal#saveRing}), from which a restarted agent resumes the ring ({@link RingResumer}).
 *
 * <p>Thread-safety: the keeper's change hook takes {@link CaptureTable#lock}; the other methods are called holding it.
 */
final class RingCaptures {
    private final CaptureTable table;
    private final UploadService uploads;

    RingCaptures(CaptureTable table, UploadService uploads) {
        this.table = table;
        this.uploads = uploads;
    }

    /** The keeper of the ring {@code options} asks for, or null for a one-file capture. Caller holds the lock. */
    RingKeeper keeperFor(CaptureOrder order, CaptureOptions options) {
        if (options.ring() == null) return null;
        String key = order.key();
        return new RingKeeper(key, options.ring(), order.upload(), uploads, () -> changed(key));
    }

    /** The keeper of the ring capture {@code order} asks for (a ring a restarted agent takes up). Caller holds the lock. */
    RingKeeper keeperFor(CaptureOrder order) {
        String key = order.key();
        netwatcher.agent.capture.RingOptions ring = new netwatcher.agent.capture.RingOptions(order.ring().fileCount(),
                order.ring().fileSizeBytes(), order.ring().continuous());
        return new RingKeeper(key, ring, order.upload(), uploads, () -> changed(key));
    }

    /** {@code r} with {@code t}'s ring (files, upload state of the ring as a whole); {@code r} for a one-file capture. */
    static CaptureReport withRing(TrackedCapture t, CaptureReport r, boolean ended) {
        RingKeeper keeper = t.ring;
        if (keeper == null || r == null) return r;
        if (t.running != null) keeper.writing(t.running.writing());
        return r.withUpload(keeper.uploadState(ended), keeper.uploadedBytes(), null).withRing(keeper.report());
    }

    /** Saves the ring state of {@code t} (a ring capture) in the journal. Caller holds the lock. */
    void saveState(TrackedCapture t) {
        if (t.ring != null && !t.entry.deleted()) table.journal().saveRing(t.ring.state());
    }

    /**
     * A file of a ring changed: its state is saved; an ended capture's report is journaled and sent again, a running
     * one's goes with its counters.
     */
    private void changed(String key) {
        synchronized (table.lock) {
            TrackedCapture t = table.get(key);
            if (t == null || t.ring == null) return;
            saveState(t);
            if (t.entry.report() == null || t.entry.phase() != JournalEntry.Phase.FINAL) return;
            table.record(t, t.entry.withReport(withRing(t, t.entry.report(), true)));
        }
    }
}
