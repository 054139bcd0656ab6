package netwatcher.agent.control;

import netwatcher.model.agent.Reports;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the journal's outbox (capture and check reports) to the controller, in order, whenever it
 * is reachable: one thread that wakes when a report is queued ({@link #wake}) and at least every
 * report interval, when it also queues the counters of running captures. A batch the controller
 * refuses for good (404, 409, 422, a 400 other than {@code UnsupportedAgentProtocol}) is dropped and
 * logged; any other failure keeps the outbox for the next round (sent to the next controller URL when
 * the one used is gone, {@link ControllerEndpoints}), and a {@code Retry-After} in the answer holds the
 * outbox back that long. It also retries journal writes
 * that failed on a full state directory.
 *
 * <p>Thread-safety: thread-safe.
 */
final class ReportPump extends ControlThread {
    private final Journal journal;
    private final ControllerClient client;
    private final Duration interval;
    private final InstantSource clock;
    private final Runnable queueCounters;
    private final Semaphore signal = new Semaphore(0);
    /** No delivery before this instant: the controller's last {@code Retry-After}; pump thread only. */
    private volatile Instant holdUntil = Instant.MIN;

    /**
     * @param queueCounters queues a counter report for every running capture (called every {@code interval})
     */
    ReportPump(Journal journal, ControllerClient client, Duration interval, InstantSource clock, Runnable queueCounters) {
        super("nw-agent-reports");
        this.journal = journal;
        this.client = client;
        this.interval = interval;
        this.clock = clock;
        this.queueCounters = queueCounters;
    }

    /** Something was queued: deliver soon. Any thread. */
    void wake() { signal.release(); }

    @Override
    void loop() {
        Instant lastCounters = Instant.MIN;
        while (!stopped()) {
            try {
                signal.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
                signal.drainPermits();
            } catch (InterruptedException e) {
                if (stopped()) break;
            }
            try {
                Instant now = clock.instant();
                if (!now.isBefore(lastCounters.plus(interval.minusMillis(50)))) {
                    lastCounters = now;
                    queueCounters.run();
                }
                if (!now.isBefore(holdUntil)) flush();
                journal.retryPendingWrites(); // a full state directory catches up here once space returns
            } catch (RuntimeException e) {
                if (e instanceof UncheckedIOException) {
                    Reconciler.LOG.warn("reports: {}", e.getMessage(), e); // the state directory (the journal): a fault, not a bug
                } else {
                    Reconciler.LOG.error("report loop failed", e); // controller faults are caught in flush: this is a bug
                }
            }
        }
    }

    /** Sends the outbox in order until it is empty or the controller fails. True when empty. */
    boolean flush() {
        while (true) {
            List<Journal.Queued> batch = journal.pending(100);
            List<Journal.QueuedCheck> checkBatch = journal.pendingChecks(100);
            if (batch.isEmpty() && checkBatch.isEmpty()) return true;
            try {
                client.postReports(new Reports(batch.stream().map(Journal.Queued::report).toList(),
                        checkBatch.stream().map(Journal.QueuedCheck::report).toList()));
                journal.acknowledge(batch);
                journal.acknowledgeChecks(checkBatch);
            } catch (ControllerException e) {
                if (refusedForGood(e)) {
                    Reconciler.LOG.atError().addKeyValue("reports", batch.size()).addKeyValue("status", e.status())
                            .log("the controller rejected reports, dropping them: {}", e.getMessage());
                    journal.acknowledge(batch);
                    journal.acknowledgeChecks(checkBatch);
                    continue;
                }
                e.retryAfter().ifPresent(wait -> holdUntil = clock.instant().plus(wait));
                Reconciler.LOG.atDebug().addKeyValue("queued", journal.outboxSize()).log("reports not delivered: {}", e.getMessage());
                return false;
            }
        }
    }

    private static boolean refusedForGood(ControllerException e) {
        return e.answered() && (e.status() == 404 || e.status() == 409 || e.status() == 422
                || (e.status() == 400 && !"UnsupportedAgentProtocol".equals(e.code())));
    }
}
