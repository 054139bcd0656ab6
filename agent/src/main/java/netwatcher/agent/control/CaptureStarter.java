package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureException;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.StopReason;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Starts one capture for a new {@code run:true} order, journaling it before anything that could kill
 * the agent: admitted by the {@link CapturePlan}, journaled {@code STARTING}, prepared (file, filter
 * text, interfaces), journaled again with its file, then started through the {@link CaptureRunner},
 * whose one compile of the filter and whose libpcap, interface and disk checks end a refused start
 * with the reason the engine gives ({@link CaptureException#problem()}). A started capture is
 * journaled {@code RUNNING} with its first report; any refusal ends it at once with a final report.
 *
 * <p>Thread-safety: called holding {@link CaptureTable#lock} (by the orders thread).
 */
final class CaptureStarter {
    private final CaptureTable table;
    private final CapturePlan plan;
    private final CaptureRunner runner;
    private final CaptureEnds ends;
    private final InstantSource clock;
    private final RingCaptures rings;

    CaptureStarter(CaptureTable table, CapturePlan plan, CaptureRunner runner, CaptureEnds ends, RingCaptures rings,
                   InstantSource clock) {
        this.table = table;
        this.rings = rings;
        this.plan = plan;
        this.runner = runner;
        this.ends = ends;
        this.clock = clock;
    }

    void start(CaptureOrder order) {
        Instant now = clock.instant();
        String key = order.key();
        Optional<CapturePlan.Refused> refused = plan.admit(order, now);
        if (refused.isPresent()) {
            finish(order, refused.get());
            return;
        }
        // Journaled before anything that could kill the agent (compiling its filter, opening
        // interfaces): the restarted agent then finds it STARTING and fails it instead of trying it
        // again (see Recovery). Every way out below replaces this entry.
        TrackedCapture t = new TrackedCapture(new JournalEntry(key, order, null, JournalEntry.Phase.STARTING, null, false));
        table.put(t);
        if (!table.journal().save(t.entry)) { // a capture the journal cannot hold would be lost to a crash: do not start it
            table.remove(key);
            table.finishWithoutFile(order, null, StopReason.LocalFileFailed, "cannot journal the capture in the agent's state"
                    + " directory (full or not writable); free space there and start it again");
            return;
        }
        CaptureOptions options;
        switch (plan.prepare(order, now)) {
            case CapturePlan.Refused r -> {
                finish(order, r);
                return;
            }
            case CapturePlan.Ready ready -> options = ready.options();
        }
        Path file = options.output();
        // the file is known now: a crash from here on may leave one for Recovery to finalise
        t.entry = new JournalEntry(key, order, file.toString(), JournalEntry.Phase.STARTING, null, false);
        table.journal().save(t.entry);
        try {
            t.ring = rings.keeperFor(order, options);
            if (t.ring == null) {
                t.running = runner.start(options, ends.listener(key));
            } else {
                t.running = runner.start(options, ends.listener(key), t.ring::fileClosed);
            }
        } catch (IOException e) {
            table.remove(key);
            table.finishWithoutFile(order, file, StopReason.LocalFileFailed, "cannot write " + file + ": " + e.getMessage());
            return;
        } catch (CaptureException e) {
            table.remove(key);
            table.finishWithoutFile(order, file, e.problem() == CaptureException.Problem.DISK_FLOOR
                    ? StopReason.DiskSpaceLow : StopReason.CaptureFailed, refusal(e));
            return;
        } catch (RuntimeException e) {
            table.remove(key);
            table.finishWithoutFile(order, file, StopReason.CaptureFailed, e.getMessage());
            return;
        }
        CaptureStats c = t.running.counters();
        CaptureReport report = RingCaptures.withRing(t, CaptureReports.of(t.entry, CaptureReports.Outcome.RUNNING, c,
                c.armedAt() == null ? clock.instant() : c.armedAt(), null), false);
        table.record(t, t.entry.withPhase(JournalEntry.Phase.RUNNING).withReport(report));
        rings.saveState(t); // from now on a restarted agent can resume the ring
        Reconciler.LOG.atInfo().addKeyValue("capture", order.captureId()).addKeyValue("interfaces", String.join(",", options.interfaces()))
                .addKeyValue("filter", options.bpfFilter()).addKeyValue("file", file).log("capture started");
    }

    /** The report's message for a start the engine refused. */
    private static String refusal(CaptureException e) {
        return e.problem() == CaptureException.Problem.FILTER ? "the packet filter cannot be used: " + e.getMessage() : e.getMessage();
    }

    private void finish(CaptureOrder order, CapturePlan.Refused refused) {
        table.finishWithoutFile(order, refused.file(), refused.reason(), refused.message());
    }
}
