package netwatcher.agent.control;

import netwatcher.agent.capture.PcapSummary;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Start-up crash recovery: loads the journal into the {@link CaptureTable} and ends every capture the
 * previous agent did not finish. One found {@code RUNNING} died with the agent: its file is repaired
 * and it is reported {@code Error}/{@code AgentLost} with the file's real counters. One found
 * {@code STARTING} may have killed the agent itself (its filter compiled, its interfaces opened only
 * after it was journaled): it is ended {@code Error}/{@code CaptureFailed} and never started again,
 * so an order that crashes the agent cannot do it twice. A ring found {@code RUNNING} whose ring state
 * ({@link Journal#loadRing}) is readable is not ended: it waits for the first orders, which resume it
 * or end it ({@link RingResumer}); one whose state is missing or damaged is ended {@code AgentLost} as
 * before, never resumed from a guess. Captures deleted meanwhile are forgotten; uploads the agent still
 * owes are started again, a ring's from its saved state.
 *
 * <p>Thread-safety: run once, before the control threads start.
 */
final class Recovery {
    private final CaptureTable table;
    private final CaptureRunner runner;
    private final UploadQueue uploads;
    private final InstantSource clock;
    private final RingResumer rings;

    Recovery(CaptureTable table, CaptureRunner runner, UploadQueue uploads, RingResumer rings, InstantSource clock) {
        this.table = table;
        this.runner = runner;
        this.uploads = uploads;
        this.rings = rings;
        this.clock = clock;
    }

    /** Loads the journal, finalises what a crash left behind and resumes owed uploads. */
    void run() throws IOException {
        List<JournalEntry> entries = table.journal().load();
        synchronized (table.lock) {
            for (JournalEntry e : entries) {
                TrackedCapture t = new TrackedCapture(e);
                table.put(t);
                if (e.phase() == JournalEntry.Phase.FINAL) continue;
                String unresumable = null;
                if (e.phase() == JournalEntry.Phase.RUNNING && e.order() != null && e.order().ring() != null && !e.deleted()
                        && e.filePath() != null) {
                    Journal.RingStateRead read = table.journal().loadRing(e.key());
                    if (read.state() != null) {
                        t.resume = read.state();
                        Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("files", read.state().files().size())
                                .log("ring found running after a restart: it resumes once the controller's orders still list it");
                        continue;
                    }
                    unresumable = read.problem();
                }
                finaliseLost(t, unresumable);
            }
            for (TrackedCapture t : table.all()) {
                if (t.entry.deleted()) {
                    table.forget(t);
                } else if (t.entry.order() != null && t.entry.order().upload() != null
                        && t.entry.uploadState().agentOwes()) {
                    if (t.entry.order().ring() == null) {
                        uploads.start(t);
                    } else if (table.journal().loadRing(t.entry.key()).state() != null && t.entry.filePath() != null) {
                        rings.resumeUploads(t, table.journal().loadRing(t.entry.key()).state());
                    } else if (t.entry.report() != null) {
                        // no usable ring state: which files still owed an upload is not known
                        CaptureReport r = t.entry.report().withUpload(UploadState.FAILED, t.entry.report().uploadedBytes(), null);
                        table.record(t, t.entry.withReport(CaptureReports.uploadFailed(r, "the agent restarted before the"
                                + " uploads of the ring's last files finished; those files are on the host")));
                    }
                }
            }
        }
        table.wakeReports();
    }

    /** Ends {@code t}, which died with the previous agent; {@code unresumable} says why a ring is not resumed, or null. */
    private void finaliseLost(TrackedCapture t, String unresumable) {
        JournalEntry e = t.entry;
        // STARTING: the agent died between journaling the order and arming it, maybe because of it
        StopReason reason = e.phase() == JournalEntry.Phase.STARTING ? StopReason.CaptureFailed : StopReason.AgentLost;
        String died = reason == StopReason.CaptureFailed
                ? "the agent stopped unexpectedly while starting this capture (checking its filter or opening its"
                        + " interfaces); it is not started again, in case it caused the stop"
                : "the agent stopped unexpectedly (crash, kill -9 or reboot) while capturing";
        boolean wantsUpload = e.order() != null && e.order().upload() != null;
        Path file = e.filePath() == null ? null : Path.of(e.filePath());
        Instant started = e.report() == null ? null : e.report().startTime();
        CaptureReport report;
        if (e.order() != null && e.order().ring() != null) {
            // a ring: its files are named after the capture's path, and its last report lists them
            report = lost(e, reason, started, died + "; the ring's closed files stay on the host next to " + e.filePath()
                    + " and those reported uploaded are in the storage account; the restarted agent does not resume the"
                    + " ring" + (unresumable == null ? "" : ": " + unresumable), UploadState.failedIf(wantsUpload));
            if (e.report() != null && e.report().ring() != null) report = report.withRing(e.report().ring());
        } else if (file != null && Files.exists(file)) {
            try {
                PcapSummary s = runner.finalizeAfterCrash(file);
                Instant end = Files.getLastModifiedTime(file).toInstant();
                if (started != null && end.isBefore(started)) end = started; // an idle file's mtime predates arming
                report = new CaptureReport(e.key(), reason.status(), reason, CaptureReports.errors(reason),
                        died + "; the restarted agent finalised " + file + " with " + s.packets() + " packets",
                        started, end, s.packets(), s.bytes(), 0, 0, 0, s.firstPacket(), s.lastPacket(),
                        e.filePath(), UploadState.initial(wantsUpload), 0, null, null);
            } catch (IOException | RuntimeException ex) {
                report = lost(e, reason, started, died + " and " + file + " could not be finalised: " + ex.getMessage(),
                        UploadState.failedIf(wantsUpload));
            }
        } else {
            report = lost(e, reason, started, died + ", before the capture file was written", UploadState.failedIf(wantsUpload));
        }
        t.entry = e.withPhase(JournalEntry.Phase.FINAL).withReport(report);
        Reconciler.LOG.atWarn().addKeyValue("capture", t.name()).addKeyValue("phase", e.phase())
                .log("capture was interrupted by the agent's death: {}", report.message());
        table.journal().save(t.entry);
        if (!t.entry.deleted()) {
            table.journal().enqueue(report);
            t.recoveredReportQueued = true;
        }
    }

    /** The report of a capture that died with no file to count: no counters, ended now (not before it started). */
    private CaptureReport lost(JournalEntry e, StopReason reason, Instant started, String message, UploadState uploadState) {
        Instant now = clock.instant();
        return new CaptureReport(e.key(), reason.status(), reason, CaptureReports.errors(reason), message, started,
                started != null && now.isBefore(started) ? started : now, 0, 0, 0, 0, 0, null, null,
                e.filePath(), uploadState, 0, null, null);
    }
}
