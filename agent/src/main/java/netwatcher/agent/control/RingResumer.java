package netwatcher.agent.control;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import netwatcher.agent.capture.CaptureException;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.PcapSummary;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.ring.RingKeeper;
import netwatcher.agent.ring.RingState;
import netwatcher.model.agent.CaptureGap;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.RingFileReport;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;

/**
 * Takes up, after an agent restart, the rings the previous agent was running. {@link Recovery} finds each one with its
 * saved {@link RingState} and leaves it waiting ({@link TrackedCapture#resume}); the first orders decide:
 *
 * <ul>
 *   <li>still ordered to run: {@link #resume} repairs the files that were being written when the agent stopped, hands
 *   them and the saved ones to a new {@link RingKeeper} (which uploads what had not been uploaded and holds the ring's
 *   size counting them), and starts the capture again with the same filter and limits, its first file the next unused
 *   index; the span nothing was captured in is listed as a {@link CaptureGap}. Counters go on from what the files
 *   hold ({@link TrackedCapture#prior}). A ring whose session time limit, byte limit or file count was reached while
 *   the agent was down is not started again: it ends as it would have ({@code TimeExceeded}, {@code SizeExceeded})
 *   with its files uploaded;</li>
 *   <li>ordered to stop: it ends {@code StoppedByRequest}, its files uploaded;</li>
 *   <li>no longer listed (deleted): it is forgotten, as a running capture that is deleted; its files stay on the host.</li>
 * </ul>
 *
 * <p>An ended ring whose uploads had not finished gets its uploads again the same way ({@link #resumeUploads}).
 *
 * <p>Thread-safety: called holding {@link CaptureTable#lock}.
 */
final class RingResumer {
    private final CaptureTable table;
    private final CapturePlan plan;
    private final CaptureRunner runner;
    private final CaptureEnds ends;
    private final RingCaptures rings;
    private final InstantSource clock;

    /** What the resume works with: the engine, its pre-flight and the capture-end handling. */
    record Parts(CapturePlan plan, CaptureRunner runner, CaptureEnds ends, RingCaptures rings) {}

    RingResumer(CaptureTable table, Parts parts, InstantSource clock) {
        this.table = table;
        this.plan = parts.plan();
        this.runner = parts.runner();
        this.ends = parts.ends();
        this.rings = parts.rings();
        this.clock = clock;
    }

    /** Resumes the waiting ring {@code t} for its {@code run:true} {@code order}. */
    void resume(TrackedCapture t, CaptureOrder order) {
        RingState state = t.resume;
        t.resume = null;
        t.entry = t.entry.withOrder(order);
        Path capture = Path.of(t.entry.filePath());
        RingKeeper keeper = adopt(t, state);
        Instant lastCaptured = lastCaptured(t, state, keeper);
        Instant now = clock.instant();
        Optional<CapturePlan.Refused> refused = plan.admit(order, now);
        if (refused.isPresent()) {
            end(t, refused.get().reason(), "the agent restarted and resumed the ring's files; " + refused.get().message(), lastCaptured);
            return;
        }
        long next = keeper.nextIndex();
        if (!order.ring().continuous() && next > order.ring().fileCount()) {
            end(t, StopReason.SizeExceeded, "the agent restarted after the capture's " + order.ring().fileCount()
                    + " files were written", lastCaptured);
            return;
        }
        long priorBytes = keeper.closedBytes();
        if (order.totalBytes() > 0 && order.totalBytes() - priorBytes < 4096) {
            end(t, StopReason.SizeExceeded, "the agent restarted after the capture's files held its byte limit", lastCaptured);
            return;
        }
        CaptureOptions options;
        switch (plan.prepare(order, now)) {
            case CapturePlan.Refused r -> {
                end(t, r.reason(), "the agent restarted and could not resume the ring: " + r.message(), lastCaptured);
                return;
            }
            case CapturePlan.Ready ready -> options = ready.options();
        }
        options = options.withRing(options.ring().startingAt(next));
        if (order.totalBytes() > 0) options = options.withByteLimit(order.totalBytes() - priorBytes);
        try {
            t.running = runner.start(options, ends.listener(t.entry.key()), keeper::fileClosed);
        } catch (IOException | RuntimeException e) {
            StopReason reason = e instanceof CaptureException ce && ce.problem() == CaptureException.Problem.DISK_FLOOR
                    ? StopReason.DiskSpaceLow : e instanceof IOException ? StopReason.LocalFileFailed : StopReason.CaptureFailed;
            end(t, reason, "the agent restarted and could not resume the ring: " + e.getMessage(), lastCaptured);
            return;
        }
        CaptureStats started = t.running.counters();
        Instant armed = started.armedAt() == null ? clock.instant() : started.armedAt();
        keeper.addGap(new CaptureGap(lastCaptured, armed, CaptureGap.AGENT_RESTART));
        CaptureReport previous = t.entry.report();
        t.prior = prior(keeper, previous);
        CaptureReport report = RingCaptures.withRing(t, CaptureReports.of(t.entry, CaptureReports.Outcome.RUNNING,
                CaptureReports.counters(t, started), previous == null || previous.startTime() == null ? armed : previous.startTime(),
                null), false);
        table.record(t, t.entry.withPhase(JournalEntry.Phase.RUNNING).withReport(report));
        rings.saveState(t);
        Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("file", capture).addKeyValue("nextIndex", next)
                .addKeyValue("gapFrom", lastCaptured).addKeyValue("gapTo", armed).log("ring resumed after an agent restart");
    }

    /** Ends the waiting ring {@code t} without capturing again ({@code run:false}): its files are uploaded. */
    void endWaiting(TrackedCapture t, StopReason reason, String message) {
        RingState state = t.resume;
        t.resume = null;
        RingKeeper keeper = adopt(t, state);
        end(t, reason, message, lastCaptured(t, state, keeper));
    }

    /** An ended ring whose uploads had not finished when the agent stopped: its keeper takes them up again. */
    void resumeUploads(TrackedCapture t, RingState state) {
        adopt(t, state);
        if (t.entry.report() != null) {
            table.record(t, t.entry.withReport(RingCaptures.withRing(t, t.entry.report(), true)));
        }
    }

    /** A keeper for {@code t} that took up {@code state} and the files being written when the agent stopped. */
    private RingKeeper adopt(TrackedCapture t, RingState state) {
        Path capture = Path.of(t.entry.filePath());
        RingKeeper keeper = rings.keeperFor(t.entry.order());
        t.ring = keeper;
        keeper.resume(state, capture.getParent(), found(capture, state.lastClosedIndex()));
        return keeper;
    }

    /**
     * The files of the capture written to {@code capture} whose index is above {@code lastClosed}: they were being
     * written when the agent stopped. Each is repaired (a record cut short by the kill is cut off) and counted; one that
     * cannot be read as a capture file is left on the host and not listed.
     */
    private List<RingFile> found(Path capture, long lastClosed) {
        List<RingFile> out = new ArrayList<>();
        Path dir = capture.getParent();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long index = RingFile.indexOf(name);
                if (index <= lastClosed || !Files.isRegularFile(file)) continue;
                Instant opened = RingFile.openedAtOf(name, null);
                if (opened == null || !RingFile.name(capture, index, opened).equals(name)) continue; // another capture's
                try {
                    PcapSummary s = runner.finalizeAfterCrash(file);
                    Instant closed = Files.getLastModifiedTime(file).toInstant();
                    out.add(new RingFile(index, file, opened, closed, s.bytes(), s.packets(), s.firstPacket(), s.lastPacket()));
                } catch (IOException | RuntimeException e) {
                    Reconciler.LOG.atWarn().addKeyValue("file", file)
                            .log("a ring file the stopped agent was writing cannot be read; it stays on the host, not listed: {}",
                                    e.getMessage());
                }
            }
        } catch (IOException e) {
            Reconciler.LOG.atWarn().addKeyValue("dir", dir).log("cannot list the ring's directory after a restart: {}", e.getMessage());
        }
        out.sort(Comparator.comparingLong(RingFile::index));
        return out;
    }

    /**
     * The last moment the stopped agent is known to have captured: the newest of the last packet time of its files,
     * the last write of a file it was writing and its last report's last packet; the capture's start when none.
     */
    private static Instant lastCaptured(TrackedCapture t, RingState state, RingKeeper keeper) {
        Instant last = t.entry.report() == null ? null : t.entry.report().lastPacketTime();
        for (RingFileReport f : state.files()) last = later(last, f.lastPacketTime());
        for (RingFileReport f : keeper.report().files()) {
            if (f.index() > state.lastClosedIndex()) last = later(last, f.lastPacketTime());
        }
        for (RingFile f : keeper.closedOnHost()) {
            if (f.index() > state.lastClosedIndex()) last = later(last, f.closedAt());
        }
        if (last == null && t.entry.report() != null) last = t.entry.report().startTime();
        return last == null ? Instant.EPOCH : last;
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return b.isAfter(a) ? b : a;
    }

    /** What the files held before the restart, and the kernel's counts as last reported. */
    private static CaptureStats prior(RingKeeper keeper, CaptureReport previous) {
        return new CaptureStats(keeper.closedPackets(), keeper.closedBytes(),
                previous == null ? 0 : previous.kernelReceived(), previous == null ? 0 : previous.kernelDrops(),
                previous == null ? 0 : previous.interfaceDrops(), previous == null ? null : previous.firstPacketTime(),
                previous == null ? null : previous.lastPacketTime(), previous == null ? null : previous.startTime());
    }

    /** Ends a resumed ring that does not capture again: final report with what its files hold, their uploads running. */
    private void end(TrackedCapture t, StopReason reason, String message, Instant lastCaptured) {
        CaptureReport previous = t.entry.report();
        t.prior = prior(t.ring, previous);
        Instant start = previous == null ? null : previous.startTime();
        Instant endTime = start != null && lastCaptured.isBefore(start) ? start : lastCaptured;
        CaptureStats none = new CaptureStats(0, 0, 0, 0, 0, null, null, null);
        CaptureReport report = CaptureReports.of(t.entry, CaptureReports.Outcome.ended(reason, message),
                CaptureReports.counters(t, none), start, endTime);
        report = CaptureReports.withUpload(report, UploadState.initial(t.entry.order().upload() != null), 0);
        report = RingCaptures.withRing(t, report, true);
        table.record(t, t.entry.withPhase(JournalEntry.Phase.FINAL).withReport(report));
        rings.saveState(t);
        Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("reason", reason)
                .log("ring not resumed after the agent restart: {}", message);
    }
}
