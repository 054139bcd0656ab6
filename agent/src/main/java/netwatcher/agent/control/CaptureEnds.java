package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureResult;
import netwatcher.agent.capture.EndCause;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;

import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.event.Level;

/**
 * Turns the end of a running capture into its final state: the final report (reason from the
 * engine's {@link EndCause}, the file's counters), then the upload when the order names a target,
 * or forgetting it when it was deleted while running. Ends are handled on one event thread of their
 * own, so an engine callback never runs inside {@link CaptureRunner#start} or under another lock.
 *
 * <p>Thread-safety: thread-safe; {@link #listener} may be called from any thread.
 */
final class CaptureEnds implements AutoCloseable {
    private final CaptureTable table;
    private final UploadQueue uploads;
    private final InstantSource clock;
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nw-agent-capture-events");
        t.setDaemon(true);
        return t;
    });

    CaptureEnds(CaptureTable table, UploadQueue uploads, InstantSource clock) {
        this.table = table;
        this.uploads = uploads;
        this.clock = clock;
    }

    /** The {@code onEnd} callback for the capture {@code key}: queues the end on the event thread. */
    Consumer<CaptureResult> listener(String key) {
        return end -> events.execute(() -> ended(key, end));
    }

    /** The reason an engine end cause reports. */
    static StopReason stopReasonFor(EndCause cause) {
        return switch (cause) {
            case TIME_LIMIT -> StopReason.TimeExceeded;
            case BYTE_LIMIT -> StopReason.SizeExceeded;
            case STOP_REQUESTED -> StopReason.StoppedByRequest;
            case SHUTDOWN -> StopReason.AgentShutdown;
            case DISK_FLOOR -> StopReason.DiskSpaceLow;
            case FAILED -> StopReason.CaptureFailed;
        };
    }

    private void ended(String key, CaptureResult end) {
        synchronized (table.lock) {
            try {
                TrackedCapture t = table.get(key);
                if (t == null) return;
                t.running = null;
                if (pausedForShutdown(t, end)) return;
                StopReason reason = stopReasonFor(end.cause());
                boolean upload = !t.entry.deleted() && t.entry.order().upload() != null;
                CaptureReport report = CaptureReports.of(t.entry, CaptureReports.Outcome.ended(reason, end.failureMessage()),
                        CaptureReports.counters(t, end.stats()), t.entry.report() == null ? null : t.entry.report().startTime(),
                        clock.instant());
                report = CaptureReports.withUpload(report, UploadState.initial(upload), 0);
                report = RingCaptures.withRing(t, report, true); // a ring's files upload as they close, not here
                t.entry = t.entry.withPhase(JournalEntry.Phase.FINAL).withReport(report);
                Reconciler.LOG.atLevel(end.failureMessage() == null ? Level.INFO : Level.WARN)
                        .addKeyValue("capture", t.name()).addKeyValue("reason", reason)
                        .addKeyValue("packets", end.stats().packets()).addKeyValue("bytes", end.stats().bytesWritten())
                        .log(end.failureMessage() == null ? "capture ended" : "capture ended: " + end.failureMessage());
                if (t.entry.deleted()) {
                    table.forget(t);
                    return;
                }
                table.record(t, t.entry);
                if (upload && t.ring == null && !table.shuttingDown()) uploads.start(t);
            } finally {
                table.lock.notifyAll();
                table.wakeReports();
            }
        }
    }

    /**
     * A ring stopped by the agent's own shutdown (an upgrade, a restart of the service) is not ended: its journal entry
     * stays {@code RUNNING} and its ring state is saved, so the next start resumes it ({@link RingResumer}) instead of
     * ending a multi-day ring {@code AgentShutdown}. Caller holds the lock.
     */
    private boolean pausedForShutdown(TrackedCapture t, CaptureResult end) {
        if (end.cause() != netwatcher.agent.capture.EndCause.SHUTDOWN || t.ring == null || !table.shuttingDown()
                || t.entry.deleted() || t.entry.phase() != JournalEntry.Phase.RUNNING) {
            return false;
        }
        table.journal().saveRing(t.ring.state());
        Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("packets", end.stats().packets())
                .log("ring paused for the agent's shutdown: the next start resumes it");
        return true;
    }

    /** Lets the ends already queued run (at most 2 s) and stops the event thread. */
    @Override
    public void close() {
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
