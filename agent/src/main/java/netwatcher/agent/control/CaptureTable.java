package netwatcher.agent.control;

import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.StopReason;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The captures the agent holds, by order key, kept durable in the {@link Journal}: every change of
 * an entry is saved, every report queued in the journal's outbox and the {@link ReportPump} woken.
 *
 * <p>Thread-safety: {@link #lock} guards the table and every {@link TrackedCapture}; callers hold it
 * around every method except {@link #shuttingDown()}. Waiters for capture ends wait on it; every
 * end notifies it.
 */
final class CaptureTable {
    /** Guards the table and its entries (see the class comment). */
    final Object lock = new Object();
    private final Map<String, TrackedCapture> byKey = new LinkedHashMap<>();
    private final Journal journal;
    private final InstantSource clock;
    private final Runnable wakeReports;
    private volatile boolean shuttingDown;

    CaptureTable(Journal journal, InstantSource clock, Runnable wakeReports) {
        this.journal = journal;
        this.clock = clock;
        this.wakeReports = wakeReports;
    }

    Journal journal() { return journal; }

    TrackedCapture get(String key) { return byKey.get(key); }

    void put(TrackedCapture t) { byKey.put(t.entry.key(), t); }

    void remove(String key) { byKey.remove(key); }

    /** A copy of the table's captures, in the order they were taken on. */
    List<TrackedCapture> all() { return List.copyOf(byKey.values()); }

    boolean anyRunning() { return byKey.values().stream().anyMatch(t -> t.running != null); }

    /** True once shutdown began: no capture or upload starts after that. Any thread. */
    boolean shuttingDown() { return shuttingDown; }

    void shutDown() { shuttingDown = true; }

    /** Stops tracking {@code t}: cancels its upload and removes it from the journal and the table. */
    void forget(TrackedCapture t) {
        if (t.upload != null) t.upload.cancel(true);
        t.upload = null;
        if (t.ring != null) t.ring.close();
        journal.remove(t.entry.key());
        byKey.remove(t.entry.key());
    }

    /** Makes {@code entry} t's state, journals it and queues its report for the controller. */
    void record(TrackedCapture t, JournalEntry entry) {
        t.entry = entry;
        journal.save(entry);
        queue(entry.report());
    }

    /** Queues {@code report} for the controller. */
    void queue(CaptureReport report) {
        journal.enqueue(report);
        wakeReports.run();
    }

    /** Wakes the report pump (a state changed that it should deliver or look at). */
    void wakeReports() { wakeReports.run(); }

    /** Ends an order that never got (or never kept) a running capture: final entry and report, no counters. */
    void finishWithoutFile(CaptureOrder order, Path file, StopReason reason, String message) {
        JournalEntry entry = new JournalEntry(order.key(), order, file == null ? null : file.toString(),
                JournalEntry.Phase.FINAL, null, false);
        CaptureReport report = CaptureReports.withoutFile(entry, reason, message, clock.instant());
        if (reason.error() != null) {
            Reconciler.LOG.atWarn().addKeyValue("capture", order.captureId()).addKeyValue("reason", reason)
                    .log("capture not started: {}", message);
        } else {
            Reconciler.LOG.atInfo().addKeyValue("capture", order.captureId()).addKeyValue("reason", reason)
                    .log("capture ended: {}", message);
        }
        TrackedCapture t = new TrackedCapture(entry);
        put(t);
        record(t, entry.withReport(report));
    }
}
