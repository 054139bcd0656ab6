package netwatcher.agent.control;

import netwatcher.agent.capture.EndCause;
import netwatcher.agent.check.CheckExecutor;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.capture.StopReason;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's control loop: makes the host's captures match the controller's desired state. It
 * applies each full answer of the orders poll ({@link #apply}) and wires the parts that do the rest,
 * each with one job:
 *
 * <ul>
 *   <li>{@link OrdersLoop}: long-polls the orders, with backoff; {@link HostRegistrar}: keeps the host
 *   registered.</li>
 *   <li>{@link CaptureStarter} with the {@link CapturePlan} pre-flight: starts a capture for a new
 *   {@code run:true} order, journaled before any native work.</li>
 *   <li>{@link CaptureEnds}: final reports when captures end; {@link UploadQueue}: uploads finished
 *   files.</li>
 *   <li>{@link ReportPump}: delivers the journal's outbox; {@link Recovery}: finishes what a crash left
 *   behind, at start-up.</li>
 *   <li>{@code Orders.checks} go to the {@link CheckExecutor} (its own threads), its reports to the
 *   {@link CheckOutbox}.</li>
 *   <li>{@code Orders.snapshots} go to {@link Snapshots}: each cut once off the capture's thread, its report posted at once.</li>
 * </ul>
 *
 * <p>Captures never depend on the controller connection. The parts log under this class's logger
 * ({@link #LOG}): operators read the agent's capture lifecycle as one component, {@code Reconciler}.
 *
 * <p>Thread-safety: thread-safe. Capture state is guarded by the {@link CaptureTable}'s lock.
 */
public final class Reconciler implements AutoCloseable {
    /** The logger of the control loop and its parts (one component name in the agent's log, docs/agent.md). */
    static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /**
     * How the reconciler behaves.
     *
     * @param capturesRoot      root of capture files
     * @param diskFloor         free bytes under which no capture starts, as a function of the file system's total size
     * @param kernelBufferBytes libpcap ring per interface
     * @param flushInterval     how often the engine flushes files
     * @param reportInterval    counter reports while running
     * @param hostPollInterval  interface change detection
     * @param shutdownGrace     how long {@link #close()} waits for files to close
     * @param waitSeconds       the long-poll's {@code waitSeconds}
     * @param backoffBase       first reconnect delay
     * @param backoffCap        longest reconnect delay
     */
    public record Settings(Path capturesRoot, ToLongFunction<Long> diskFloor, int kernelBufferBytes,
                           Duration flushInterval, Duration reportInterval, Duration hostPollInterval,
                           Duration shutdownGrace, int waitSeconds, Duration backoffBase, Duration backoffCap) {}

    /**
     * What the reconciler works with.
     *
     * @param client  the controller
     * @param runner  the capture engine
     * @param journal the state directory's journal and outbox
     * @param host    this host's report as it is now
     * @param uploads the uploaders
     * @param clock   time for reports and limits
     */
    public record Wiring(ControllerClient client, CaptureRunner runner, Journal journal, Supplier<HostReport> host,
                         UploadService uploads, InstantSource clock) {}

    private final Settings settings;
    private final InstantSource clock;
    private final CaptureTable table;
    private final ReportPump reports;
    private final HostRegistrar registrar;
    private final OrdersLoop orders;
    private final UploadQueue uploads;
    private final CaptureEnds ends;
    private final CaptureStarter starter;
    private final Recovery recovery;
    private final RingResumer resumer;
    private final CheckExecutor checks;
    private final Snapshots snapshots;
    private final netwatcher.agent.live.LiveShippers live;
    private volatile long appliedGeneration = -1;
    private volatile boolean stopped;

    /** @param checks makes the check executor around the sink its reports go to */
    public Reconciler(Settings settings, Wiring wiring, Function<CheckExecutor.Sink, CheckExecutor> checks) {
        this.settings = settings;
        this.clock = wiring.clock();
        this.reports = new ReportPump(wiring.journal(), wiring.client(), settings.reportInterval(), clock, this::queueCounters);
        this.table = new CaptureTable(wiring.journal(), clock, reports::wake);
        this.registrar = new HostRegistrar(wiring.client(), wiring.host(), settings.hostPollInterval());
        this.orders = new OrdersLoop(wiring.client(), registrar,
                new OrdersLoop.Polling(settings.waitSeconds(), settings.backoffBase(), settings.backoffCap()),
                () -> appliedGeneration, this::apply);
        this.uploads = new UploadQueue(table, wiring.uploads());
        this.ends = new CaptureEnds(table, uploads, clock);
        CapturePlan plan = new CapturePlan(settings, wiring.runner(), wiring.host());
        RingCaptures rings = new RingCaptures(table, wiring.uploads());
        this.starter = new CaptureStarter(table, plan, wiring.runner(), ends, rings, clock);
        this.resumer = new RingResumer(table, new RingResumer.Parts(plan, wiring.runner(), ends, rings), clock);
        this.recovery = new Recovery(table, wiring.runner(), uploads, resumer, clock);
        this.checks = checks.apply(new CheckOutbox(wiring.journal(), reports::wake));
        this.snapshots = new Snapshots(table, wiring.client(), wiring.uploads(), settings.diskFloor(), clock);
        this.live = new netwatcher.agent.live.LiveShippers(wiring.client().http(), wiring.client()::request);
    }

    /** Recovers the journal (finalising captures a crash left behind) and starts the control threads. */
    public void start() throws IOException {
        recovery.run();
        orders.start();
        reports.start();
        registrar.start();
    }

    /** The generation of the last orders applied, or -1 before the first. */
    public long appliedGeneration() { return appliedGeneration; }

    /** The journal entry of a capture the agent holds. */
    public Optional<JournalEntry> entry(String key) {
        synchronized (table.lock) {
            TrackedCapture t = table.get(key);
            return t == null ? Optional.empty() : Optional.of(t.entry);
        }
    }

    /** The last failure talking to the controller (for logs and tests), or null after a success. */
    public Throwable lastControllerError() { return orders.lastControllerError(); }

    /**
     * Applies one full desired state: unknown {@code run:true} orders start a capture, {@code run:false}
     * stops one ({@code StoppedByRequest}) or reports an unknown one stopped, a capture no longer listed
     * is stopped and forgotten once its file is final; an order without a usable key is ignored.
     * Package-private for tests that drive the reconciler without a poll.
     */
    void apply(Orders orders) {
        synchronized (table.lock) {
            boolean newGeneration = orders.generation() != appliedGeneration;
            Set<String> listed = new HashSet<>();
            for (CaptureOrder order : orders.captures()) {
                if (!OrderCheck.keyUsable(order)) {
                    LOG.atWarn().addKeyValue("capture", order.captureId())
                            .log("ignoring a capture order without a usable key (1-128 of A-Z a-z 0-9 . _ : -)");
                    continue;
                }
                listed.add(order.key());
                applyOne(order, newGeneration);
            }
            for (TrackedCapture t : table.all()) {
                if (listed.contains(t.entry.key())) continue;
                if (t.running != null) {
                    LOG.atInfo().addKeyValue("capture", t.name()).log("capture deleted while running: stopping it");
                    t.entry = t.entry.asDeleted();
                    table.journal().save(t.entry);
                    t.running.stop(EndCause.STOP_REQUESTED);
                } else if (t.entry.phase() == JournalEntry.Phase.FINAL) {
                    table.forget(t);
                } else if (t.resume != null) {
                    LOG.atInfo().addKeyValue("capture", t.name()).log("capture deleted while its agent was down: not resumed");
                    table.forget(t); // its files stay on the host, as those of a running capture that is deleted
                }
            }
            appliedGeneration = orders.generation();
            if (!table.shuttingDown()) {
                checks.apply(orders.checks(), newGeneration);
                snapshots.apply(orders.snapshots(), clock.instant());
                live.apply(orders.live(), this::liveTarget);
            }
        }
        table.wakeReports();
    }

    /** A running capture's file(s) for its live shipper; empty when it does not run here. Caller holds the table's lock. */
    private Optional<netwatcher.agent.live.LiveShippers.Target> liveTarget(String key) {
        TrackedCapture t = table.get(key);
        if (t == null || t.running == null || t.entry.filePath() == null) return Optional.empty();
        CaptureRunner.Running running = t.running;
        return Optional.of(new netwatcher.agent.live.LiveShippers.Target(Path.of(t.entry.filePath()), t.ring != null,
                new netwatcher.agent.live.LiveShippers.Capture() {
                    @Override public boolean running() {
                        synchronized (table.lock) {
                            TrackedCapture now = table.get(key);
                            return now != null && now.running == running;
                        }
                    }

                    @Override public void flushEachBatch(boolean on) { running.flushEachBatch(on); }
                }));
    }

    /** One listed order against what the agent holds for its key. Caller holds the table's lock. */
    private void applyOne(CaptureOrder order, boolean newGeneration) {
        TrackedCapture t = table.get(order.key());
        if (t != null && t.resume != null) {
            if (table.shuttingDown()) return;
            if (order.run()) resumer.resume(t, order);
            else resumer.endWaiting(t, StopReason.StoppedByRequest, "stopped by request while the agent was restarting");
            return;
        }
        if (t == null) {
            if (table.shuttingDown()) return;
            if (order.run() && table.journal().wasUnreadable(order.key())) {
                table.finishWithoutFile(order, null, StopReason.AgentLost, "the agent restarted and its state file for this"
                        + " capture was damaged, so it cannot tell what the capture had written; it is not started again."
                        + " Its files, if any, are on the host");
                return;
            }
            if (order.run()) {
                starter.start(order);
            } else {
                table.finishWithoutFile(order, null, StopReason.StoppedByRequest, "stopped by request before the agent started it");
            }
        } else if (!order.run() && t.running != null) {
            LOG.atInfo().addKeyValue("capture", order.captureId()).log("capture stop requested");
            t.running.stop(EndCause.STOP_REQUESTED);
        } else if (t.entry.phase() == JournalEntry.Phase.FINAL && newGeneration && t.recoveredReportQueued) {
            t.recoveredReportQueued = false; // queued moments ago by Recovery: one report, not two
        } else if (t.entry.phase() == JournalEntry.Phase.FINAL && newGeneration && t.upload == null
                && t.entry.report() != null && !table.journal().hasPending(order.key())) {
            table.journal().enqueue(t.entry.report()); // the controller still lacks our final word
        }
    }

    /** Queues a counter report for every running capture (the report pump calls it every report interval). */
    private void queueCounters() {
        synchronized (table.lock) {
            for (TrackedCapture t : table.all()) {
                if (t.running == null || t.entry.phase() != JournalEntry.Phase.RUNNING) continue;
                CaptureReport r = RingCaptures.withRing(t, CaptureReports.of(t.entry, CaptureReports.Outcome.RUNNING,
                        CaptureReports.counters(t, t.running.counters()), t.entry.report() == null ? null : t.entry.report().startTime(),
                        null), false);
                t.entry = t.entry.withReport(r);
                table.journal().enqueue(r);
            }
        }
    }

    /**
     * Stops polling, ends running captures with {@code SHUTDOWN} (reported {@code AgentShutdown}),
     * waits up to the shutdown grace for their files to close, abandons running uploads (they resume
     * at the next start) and tries once to deliver the outbox.
     */
    @Override
    public void close() {
        if (stopped) return;
        stopped = true;
        orders.stop();
        registrar.stop();
        reports.stop();
        Instant deadline = clock.instant().plus(settings.shutdownGrace());
        synchronized (table.lock) {
            table.shutDown();
            for (TrackedCapture t : table.all()) {
                if (t.running != null) t.running.stop(EndCause.SHUTDOWN);
            }
            while (table.anyRunning()) {
                long left = Duration.between(clock.instant(), deadline).toMillis();
                if (left <= 0) {
                    LOG.warn("shutdown: captures still running after {}; they will be finalised at the next start",
                            settings.shutdownGrace());
                    break;
                }
                try {
                    table.lock.wait(Math.min(left, 200));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (TrackedCapture t : table.all()) {
                if (t.upload != null) t.upload.cancel(true);
                if (t.ring != null) t.ring.close();
            }
        }
        checks.close();
        live.close();
        ends.close();
        try {
            orders.join(2000);
            registrar.join(2000);
            reports.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            reports.flush();
        } catch (RuntimeException e) {
            LOG.atInfo().addKeyValue("queued", table.journal().outboxSize())
                    .log("shutdown: reports stay queued for the next start: {}", e.getMessage());
        }
    }
}
