package netwatcher.agent.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import netwatcher.agent.ring.RingKeeper;
import netwatcher.agent.ring.RingSnapshotter;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.Reports;
import netwatcher.model.agent.RingReport;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.capture.UploadState;

/**
 * The control loop's side of snapshots ({@link SnapshotOrder}): each listed snapshot id is cut once, by
 * {@link RingSnapshotter} on its own virtual thread (never the capture's or the orders thread), out of the files of the
 * capture the agent runs for it, and its final {@link SnapshotReport} is posted to the controller at once (a snapshot is
 * what a user waits for). A final report the controller did not take is posted again while the orders still list the
 * snapshot; an id no longer listed is forgotten.
 *
 * <p>A window that ends moments ago is cut once every packet of it is in the file: after its end plus the kernel's
 * block-retire delay the capture is asked to flush at once ({@link CaptureRunner.Running#flush}), instead of within its
 * flush interval (a second), so the snapshot holds exactly the packets captured in the window.
 *
 * <p>Refusals the agent can tell before cutting: the capture is not running here ({@code CaptureNotRunning}), the
 * window lies wholly outside what the ring's files on the host cover now ({@code WindowNotCovered}, naming the span; the
 * controller checks the same against the last report, the ring may have rolled since); the disk floor
 * ({@code DiskSpaceLow}) is {@link RingSnapshotter}'s.
 *
 * <p>Thread-safety: {@link #apply} is called holding {@link CaptureTable#lock}; the rest is thread-safe.
 */
final class Snapshots {
    /** Attempts to post one final report before waiting for the next orders to list the snapshot again. */
    static final int POST_ATTEMPTS = 5;
    /** How long after a failed post the final report may be posted again when the orders still list it. */
    static final Duration RESEND_AFTER = Duration.ofSeconds(5);
    /** Longest wait for a window that ends in the future (a clock ahead of the host's, within the request's skew). */
    static final Duration MAX_SETTLE = Duration.ofMinutes(5);
    /** Longest wait for the capture thread's flush. */
    static final Duration FLUSH_WAIT = Duration.ofSeconds(2);

    private final CaptureTable table;
    private final ControllerClient client;
    private final UploadService uploads;
    private final ToLongFunction<Long> diskFloor;
    private final java.time.InstantSource clock;
    /** Snapshots taken since start, by id: null while being cut, then the final report. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** A snapshot this agent took on: its final report once there, and when that was last posted. */
    private record Known(SnapshotReport report, Instant postedAt) {}

    /**
     * @param diskFloor free bytes a host keeps, as a function of the file system's total size (the capture engine's)
     */
    Snapshots(CaptureTable table, ControllerClient client, UploadService uploads, ToLongFunction<Long> diskFloor,
              java.time.InstantSource clock) {
        this.clock = clock;
        this.table = table;
        this.client = client;
        this.uploads = uploads;
        this.diskFloor = diskFloor;
    }

    /** Applies the orders' snapshots: starts the new ones, re-posts unacknowledged final reports. Caller holds the lock. */
    void apply(List<SnapshotOrder> orders, Instant now) {
        Set<String> listed = new HashSet<>();
        for (SnapshotOrder order : orders) {
            listed.add(order.id());
            Known k = known.get(order.id());
            if (k == null) {
                start(order);
            } else if (k.report() != null && k.postedAt().plus(RESEND_AFTER).isBefore(now)) {
                known.put(order.id(), new Known(k.report(), now));
                Thread.ofVirtual().name("nw-snapshot-report-" + order.id()).start(() -> post(k.report()));
            }
        }
        known.keySet().retainAll(listed);
    }

    private void start(SnapshotOrder order) {
        known.put(order.id(), new Known(null, Instant.MIN));
        TrackedCapture t = table.get(order.captureKey());
        if (!running(t)) {
            finish(notRunning(order));
            return;
        }
        Reconciler.LOG.atInfo().addKeyValue("capture", t.name()).addKeyValue("snapshot", order.id())
                .addKeyValue("from", order.from()).addKeyValue("to", order.to()).log("snapshot ordered");
        CaptureRunner.Running running = t.running;
        Thread.ofVirtual().name("nw-snapshot-" + order.id()).start(() -> {
            try {
                settle(order, running);
                cut(order);
            } catch (RuntimeException e) {
                finish(SnapshotReport.failed(order, "SnapshotFailed", String.valueOf(e.getMessage())));
            }
        });
    }

    private static boolean running(TrackedCapture t) {
        return t != null && t.running != null && t.entry.phase() == JournalEntry.Phase.RUNNING && t.entry.filePath() != null;
    }

    private static SnapshotReport notRunning(SnapshotOrder order) {
        return SnapshotReport.failed(order, "CaptureNotRunning", "The capture is not running on the host (any more):"
                + " a snapshot cuts a window out of a running capture's files.");
    }

    /**
     * Waits until every packet of the window is in the capture's file: the window's end plus the kernel's block-retire
     * delay ({@link netwatcher.agent.capture.CaptureSession#DRAIN}), then a flush of what libpcap wrote (bounded: a
     * capture that ended meanwhile never answers it).
     */
    private void settle(SnapshotOrder order, CaptureRunner.Running running) {
        Duration wait = Duration.between(clock.instant(), order.to().plus(netwatcher.agent.capture.CaptureSession.DRAIN));
        try {
            if (wait.isPositive()) Thread.sleep(wait.compareTo(MAX_SETTLE) > 0 ? MAX_SETTLE : wait);
            running.flush().get(FLUSH_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // the capture ended or is slow to break its loop: cut what its files hold
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Checks the capture and its coverage again (after the wait) and cuts. */
    private void cut(SnapshotOrder order) {
        RingKeeper keeper;
        Path capture;
        synchronized (table.lock) {
            TrackedCapture t = table.get(order.captureKey());
            if (!running(t)) {
                finish(notRunning(order));
                return;
            }
            keeper = t.ring;
            capture = Path.of(t.entry.filePath());
            if (keeper != null) {
                keeper.writing(t.running.writing());
                RingReport ring = keeper.report();
                String outside = outside(order, ring.coveredFrom(), ring.coveredTo());
                if (outside != null) {
                    finish(SnapshotReport.failed(order, "WindowNotCovered", outside));
                    return;
                }
            }
        }
        long floor;
        try {
            floor = diskFloor.applyAsLong(Files.getFileStore(capture.toAbsolutePath().getParent()).getTotalSpace());
        } catch (IOException e) {
            finish(SnapshotReport.failed(order, "SnapshotFailed", "cannot read the capture folder's file system: " + e.getMessage()));
            return;
        }
        new RingSnapshotter(uploads, floor).take(keeper, capture,
                new RingSnapshotter.Request(order.id(), order.from(), order.to(), order.upload()), r -> {
                    if (r.state() != UploadState.UPLOADING) finish(report(order, r));
                });
    }

    /** Why the window holds nothing the files cover, naming what they cover; null when it overlaps them. */
    static String outside(SnapshotOrder order, Instant coveredFrom, Instant coveredTo) {
        if (coveredFrom == null || coveredTo == null) {
            return "The capture's files on the host hold no packet yet, so no window of them can be cut.";
        }
        String covers = "the capture's files on the host cover " + coveredFrom + " to " + coveredTo;
        if (order.to().isBefore(coveredFrom)) {
            return "The window " + order.from() + " to " + order.to() + " ends before the oldest packet the capture still holds: "
                    + covers + ".";
        }
        if (order.from().isAfter(coveredTo)) {
            return "The window " + order.from() + " to " + order.to() + " starts after the newest packet captured so far: "
                    + covers + ".";
        }
        return null;
    }

    /** The wire report of a final {@link RingSnapshotter.Result}. */
    static SnapshotReport report(SnapshotOrder order, RingSnapshotter.Result r) {
        if (r.state() == UploadState.FAILED) {
            String error = r.error() == null ? "the snapshot failed" : r.error();
            String code;
            if (error.startsWith("DiskSpaceLow")) code = "DiskSpaceLow";
            else if (r.hostPath() != null && r.storagePath() != null) code = "UploadFailed"; // cut, but not stored
            else code = "SnapshotFailed";
            if (error.startsWith(code + ": ")) error = error.substring(code.length() + 2);
            return SnapshotReport.failed(order, code, error);
        }
        String stored = r.state() == UploadState.DONE ? r.storagePath() : r.hostPath() == null ? null : r.hostPath().toString();
        return new SnapshotReport(order.id(), order.captureKey(), SnapshotReport.State.Succeeded, r.packets(), r.bytes(),
                r.firstPacket(), r.lastPacket(), stored, null, null);
    }

    private void finish(SnapshotReport report) {
        Reconciler.LOG.atInfo().addKeyValue("snapshot", report.id()).addKeyValue("state", report.state())
                .addKeyValue("packets", report.packets()).addKeyValue("code", report.errorCode()).log("snapshot finished");
        known.computeIfPresent(report.id(), (id, k) -> new Known(report, clock.instant()));
        Thread.ofVirtual().name("nw-snapshot-report-" + report.id()).start(() -> post(report));
    }

    /** Posts a final report, retrying a few times; the orders' next listing of the snapshot posts it again if all fail. */
    private void post(SnapshotReport report) {
        long wait = 100;
        for (int attempt = 1; attempt <= POST_ATTEMPTS; attempt++) {
            try {
                client.postReports(new Reports(List.of(), List.of(), List.of(report)));
                return;
            } catch (ControllerException e) {
                if (e.answered() && e.status() >= 400 && e.status() < 500 && e.status() != 429) {
                    Reconciler.LOG.atWarn().addKeyValue("snapshot", report.id()).log("the controller refused the snapshot report: {}",
                            e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(e.retryAfter().map(Duration::toMillis).orElse(wait));
                } catch (InterruptedException ie) {
                    return;
                }
                wait = Math.min(wait * 2, 2000);
            }
        }
    }
}
