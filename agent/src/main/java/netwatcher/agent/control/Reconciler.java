package netwatcher.agent.control;

import netwatcher.agent.check.CheckExecutor;
import netwatcher.model.capture.UploadState;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureResult;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.capture.PcapSummary;
import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureError;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The agent's control loop: makes the host's captures match the controller's desired state and
 * reports what happened.
 *
 * <ul>
 *   <li><b>Orders.</b> One thread long-polls {@code GET /agent/v1/orders} (registering the host
 *   first) and applies each full answer: unknown {@code run:true} orders start a capture, {@code run:false}
 *   stops one ({@code StoppedByRequest}), a capture no longer listed is stopped and forgotten once its
 *   file is final. Any failure (unreachable, bad status, unreadable body) waits with exponential
 *   backoff and jitter (capped by {@link Settings#backoffCap()}) and retries; nothing here ever
 *   ends the loop except {@link #close()}.</li>
 *   <li><b>Captures.</b> Started through the {@link CaptureRunner}; their lifecycle never depends on
 *   the controller connection. Every capture is written to the {@link Journal} before any native
 *   work on it (compiling its filter, opening interfaces), so a capture found {@code RUNNING} at
 *   start-up died with the agent: its file is finalised and it is reported {@code Error}/{@code AgentLost}
 *   with the file's real counters. One found {@code STARTING} may have killed the agent itself: it
 *   is ended {@code Error}/{@code CaptureFailed} and never started again, so an order that crashes
 *   the agent cannot do it twice. Orders are checked ({@link OrderCheck}) before anything is done
 *   with them; one without a usable key is ignored, any other malformed one fails alone.</li>
 *   <li><b>Reports.</b> Every state change and, for running captures, every
 *   {@link Settings#reportInterval()} a report is queued in the journal's outbox; a reporter thread
 *   delivers the outbox in order whenever the controller is reachable.</li>
 *   <li><b>Checks.</b> {@code Orders.checks} go to the {@link CheckExecutor} (its own threads);
 *   its reports wait in the journal's check outbox and are delivered with the capture reports.</li>
 *   <li><b>Uploads.</b> Once a file is final and the order names an upload target, the
 *   {@link UploadService} sends it; progress and outcome are reported.</li>
 * </ul>
 *
 * <p>Thread-safety: thread-safe. Capture state is guarded by one lock; capture ends are handled on a
 * dedicated event thread so an engine callback never runs inside {@link CaptureRunner#start}.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** The snap length passed for "whole packet" (libpcap's maximum). */
    static final int WHOLE_PACKET = CaptureOptions.WHOLE_PACKET;

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

    private final Settings settings;
    private final ControllerClient client;
    private final CaptureRunner runner;
    private final Journal journal;
    private final Supplier<HostReport> host;
    private final UploadService uploads;
    private final InstantSource clock;
    private final CheckExecutor checks;

    private final Object lock = new Object();
    private final Map<String, Tracked> captures = new LinkedHashMap<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nw-agent-capture-events");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore reportSignal = new Semaphore(0);
    private final Object hostLock = new Object();
    private volatile boolean stopped;
    private volatile boolean shuttingDown;
    private volatile long appliedGeneration = -1;
    private volatile HostReport registeredHost;
    private volatile Throwable lastControllerError;
    /** Whether an orders poll ever succeeded (the first success says "connected"); ordersThread only. */
    private boolean connectedOnce;
    private Thread ordersThread;
    private Thread reporterThread;
    private Thread hostThread;

    private static final class Tracked {
        JournalEntry entry;
        CaptureRunner.Running running;
        Future<?> upload;
        /** The final report was queued by start-up recovery: the first orders need not queue it again. */
        boolean recoveredReportQueued;

        Tracked(JournalEntry entry) { this.entry = entry; }
    }

    public Reconciler(Settings settings, ControllerClient client, CaptureRunner runner, Journal journal,
                      Supplier<HostReport> host, UploadService uploads, InstantSource clock,
                      java.util.function.Function<CheckExecutor.Sink, CheckExecutor> checks) {
        this.checks = checks.apply(new CheckExecutor.Sink() {
            @Override
            public void report(netwatcher.model.check.CheckReport report) {
                journal.enqueueCheck(report);
                reportSignal.release();
            }

            @Override
            public boolean pending(String key, netwatcher.model.check.CheckRole role) {
                return journal.hasPendingCheck(key, role);
            }

            @Override
            public Optional<netwatcher.model.check.CheckReport> queued(String key, netwatcher.model.check.CheckRole role) {
                return journal.queuedCheck(key, role);
            }

            @Override
            public boolean finished(String key, netwatcher.model.check.CheckRole role) {
                return journal.isCheckFinished(key, role);
            }

            @Override
            public void retain(Set<String> listed) {
                journal.retainFinishedChecks(listed);
            }
        });
        this.settings = settings;
        this.client = client;
        this.runner = runner;
        this.journal = journal;
        this.host = host;
        this.uploads = uploads;
        this.clock = clock;
    }

    /** Recovers the journal (finalising captures a crash left behind) and starts the control threads. */
    public void start() throws IOException {
        recover();
        ordersThread = Thread.ofPlatform().name("nw-agent-orders").daemon().start(this::ordersLoop);
        reporterThread = Thread.ofPlatform().name("nw-agent-reports").daemon().start(this::reportLoop);
        hostThread = Thread.ofPlatform().name("nw-agent-host").daemon().start(this::hostLoop);
    }

    /** The generation of the last orders applied, or -1 before the first. */
    public long appliedGeneration() { return appliedGeneration; }

    /** The journal entry of a capture the agent holds. */
    public Optional<JournalEntry> entry(String key) {
        synchronized (lock) {
            Tracked t = captures.get(key);
            return t == null ? Optional.empty() : Optional.of(t.entry);
        }
    }

    /** The last failure talking to the controller (for logs and tests), or null after a success. */
    public Throwable lastControllerError() { return lastControllerError; }

    // ---------------------------------------------------------------- start-up recovery

    private void recover() throws IOException {
        List<JournalEntry> entries = journal.load();
        synchronized (lock) {
            for (JournalEntry e : entries) {
                Tracked t = new Tracked(e);
                captures.put(e.key(), t);
                if (e.phase() != JournalEntry.Phase.FINAL) finaliseLost(t);
            }
            for (Tracked t : List.copyOf(captures.values())) {
                if (t.entry.deleted()) {
                    forget(t);
                } else if (t.entry.order() != null && t.entry.order().upload() != null
                        && t.entry.uploadState().agentOwes()) {
                    startUpload(t);
                }
            }
        }
        reportSignal.release();
    }

    private void finaliseLost(Tracked t) {
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
        if (file != null && Files.exists(file)) {
            try {
                PcapSummary s = runner.finalizeAfterCrash(file);
                Instant end = Files.getLastModifiedTime(file).toInstant();
                if (started != null && end.isBefore(started)) end = started; // an idle file's mtime predates arming
                report = new CaptureReport(e.key(), reason.status(), reason,
                        errors(reason), died + "; the restarted agent finalised " + file + " with " + s.packets() + " packets",
                        started, end, s.packets(), s.bytes(), 0, 0, 0, s.firstPacket(), s.lastPacket(),
                        e.filePath(), UploadState.initial(wantsUpload), 0, null);
            } catch (IOException | RuntimeException ex) {
                report = lost(e, reason, started, died + " and " + file
                        + " could not be finalised: " + ex.getMessage(), UploadState.failedIf(wantsUpload));
            }
        } else {
            report = lost(e, reason, started, died + ", before the capture file was written",
                    UploadState.failedIf(wantsUpload));
        }
        t.entry = e.withPhase(JournalEntry.Phase.FINAL).withReport(report);
        LOG.atWarn().addKeyValue("capture", captureName(e)).addKeyValue("phase", e.phase())
                .log("capture was interrupted by the agent's death: {}", report.message());
        journal.save(t.entry);
        if (!t.entry.deleted()) {
            journal.enqueue(report);
            t.recoveredReportQueued = true;
        }
    }

    private CaptureReport lost(JournalEntry e, StopReason reason, Instant started, String message, UploadState uploadState) {
        Instant now = clock.instant();
        return new CaptureReport(e.key(), reason.status(), reason, errors(reason), message, started,
                started != null && now.isBefore(started) ? started : now, 0, 0, 0, 0, 0, null, null,
                e.filePath(), uploadState, 0, null);
    }

    // ---------------------------------------------------------------- orders

    private void ordersLoop() {
        Backoff backoff = new Backoff(settings.backoffBase(), settings.backoffCap(), RandomGenerator.getDefault());
        while (!stopped) {
            try {
                if (registeredHost == null) {
                    registerHost(host.get());
                    reachable(backoff);
                }
                Orders orders = client.orders(Math.max(0, appliedGeneration), settings.waitSeconds());
                reachable(backoff);
                lastControllerError = null;
                backoff.reset();
                apply(orders);
            } catch (RuntimeException e) {
                if (stopped) break;
                boolean firstFailure = lastControllerError == null;
                lastControllerError = e;
                Duration wait = backoff.nextDelay();
                // the first failure and every tenth say so at WARN; the retries between them only at DEBUG
                LOG.atLevel(firstFailure || backoff.failures() % 10 == 0 ? Level.WARN : Level.DEBUG)
                        .addKeyValue("controller", client.baseUrl()).addKeyValue("failures", backoff.failures())
                        .addKeyValue("retryMs", wait.toMillis())
                        .log(firstFailure ? "lost the controller, retrying: {}" : "controller still unreachable: {}", e.getMessage());
                if (!sleep(wait)) break;
            }
        }
    }

    /** Logs the first contact with the controller, and the first after failures (ordersThread only). */
    private void reachable(Backoff backoff) {
        if (connectedOnce && lastControllerError == null) return;
        LOG.atInfo().addKeyValue("controller", client.baseUrl()).addKeyValue("failures", backoff.failures())
                .log(connectedOnce ? "controller reachable again" : "connected to the controller");
        connectedOnce = true;
        lastControllerError = null;
    }

    /** Applies one full desired state. Package-private for tests that drive the reconciler without a poll. */
    void apply(Orders orders) {
        synchronized (lock) {
            boolean newGeneration = orders.generation() != appliedGeneration;
            Set<String> listed = new HashSet<>();
            for (CaptureOrder order : orders.captures()) {
                if (!OrderCheck.keyUsable(order)) {
                    LOG.atWarn().addKeyValue("capture", order.captureId())
                            .log("ignoring a capture order without a usable key (1-128 of A-Z a-z 0-9 . _ : -)");
                    continue;
                }
                listed.add(order.key());
                Tracked t = captures.get(order.key());
                if (t == null) {
                    if (shuttingDown) continue;
                    if (order.run()) {
                        startCapture(order);
                    } else {
                        finishWithoutFile(order, null, StopReason.StoppedByRequest,
                                "stopped by request before the agent started it");
                    }
                } else if (!order.run() && t.running != null) {
                    LOG.atInfo().addKeyValue("capture", order.captureId()).log("capture stop requested");
                    t.running.stop(EndCause.STOP_REQUESTED);
                } else if (t.entry.phase() == JournalEntry.Phase.FINAL && newGeneration && t.recoveredReportQueued) {
                    t.recoveredReportQueued = false; // queued moments ago by recover(): one report, not two
                } else if (t.entry.phase() == JournalEntry.Phase.FINAL && newGeneration && t.upload == null
                        && t.entry.report() != null && !journal.hasPending(order.key())) {
                    journal.enqueue(t.entry.report()); // the controller still lacks our final word
                }
            }
            for (Tracked t : List.copyOf(captures.values())) {
                if (listed.contains(t.entry.key())) continue;
                if (t.running != null) {
                    LOG.atInfo().addKeyValue("capture", captureName(t.entry)).log("capture deleted while running: stopping it");
                    t.entry = t.entry.asDeleted();
                    journal.save(t.entry);
                    t.running.stop(EndCause.STOP_REQUESTED);
                } else if (t.entry.phase() == JournalEntry.Phase.FINAL) {
                    forget(t);
                }
            }
            appliedGeneration = orders.generation();
            if (!shuttingDown) checks.apply(orders.checks(), newGeneration);
        }
        reportSignal.release();
    }

    private void forget(Tracked t) {
        if (t.upload != null) t.upload.cancel(true);
        t.upload = null;
        journal.remove(t.entry.key());
        captures.remove(t.entry.key());
    }

    // ---------------------------------------------------------------- starting a capture

    private void startCapture(CaptureOrder order) {
        Instant now = clock.instant();
        String key = order.key();
        Optional<String> refused = OrderCheck.problem(order);
        if (refused.isPresent()) {
            finishWithoutFile(order, null, StopReason.CaptureFailed, "order refused: " + refused.get());
            return;
        }
        if (order.timeLimitSeconds() > 0 && order.createdAt() != null
                && !now.isBefore(order.createdAt().plusSeconds(order.timeLimitSeconds()))) {
            finishWithoutFile(order, null, StopReason.TimeExceeded,
                    "the time limit of " + order.timeLimitSeconds() + " s had passed when the agent received the capture");
            return;
        }
        // Journaled before anything that could kill the agent (building and compiling its filter,
        // opening interfaces): the restarted agent then finds it STARTING and fails it instead of
        // trying it again (see recover()). Every way out below replaces this entry.
        Tracked t = new Tracked(new JournalEntry(key, order, null, JournalEntry.Phase.STARTING, null, false));
        captures.put(key, t);
        if (!journal.save(t.entry)) { // a capture the journal cannot hold would be lost to a crash: do not start it
            captures.remove(key);
            finishWithoutFile(order, null, StopReason.LocalFileFailed, "cannot journal the capture in the agent's state"
                    + " directory (full or not writable); free space there and start it again");
            return;
        }
        Path file;
        try {
            file = order.filePath() == null || order.filePath().isBlank()
                    ? settings.capturesRoot().resolve(key.replaceAll("[^A-Za-z0-9._-]", "_") + ".cap")
                    : runner.resolveFile(settings.capturesRoot(), order.filePath());
        } catch (IllegalArgumentException e) {
            finishWithoutFile(order, null, StopReason.LocalFileFailed, "file path refused: " + e.getMessage());
            return;
        }
        long floor;
        try {
            Files.createDirectories(file.getParent());
            FileStore store = Files.getFileStore(file.getParent());
            floor = settings.diskFloor().applyAsLong(store.getTotalSpace());
            long free = store.getUsableSpace();
            if (free < floor) {
                finishWithoutFile(order, file, StopReason.DiskSpaceLow, "only " + mib(free) + " free on the file system of "
                        + file.getParent() + ", under the agent's floor of " + mib(floor) + "; free space and start again");
                return;
            }
        } catch (IOException | RuntimeException e) {
            finishWithoutFile(order, file, StopReason.LocalFileFailed, "cannot prepare " + file.getParent() + ": " + e);
            return;
        }
        Optional<String> unavailable = runner.unavailableReason();
        if (unavailable.isPresent()) {
            finishWithoutFile(order, file, StopReason.CaptureFailed, unavailable.get());
            return;
        }
        List<CaptureFilter> filters = new ArrayList<>();
        try {
            for (int i = 0; i < order.filters().size(); i++) {
                CaptureOrder.WireFilter f = order.filters().get(i);
                filters.add(CaptureFilter.parse("filters[" + i + "]", f.protocol(), f.localIPAddress(),
                        f.remoteIPAddress(), f.localPort(), f.remotePort()));
            }
        } catch (IllegalArgumentException e) { // FilterNotationException included
            finishWithoutFile(order, file, StopReason.CaptureFailed, "bad filter: " + e.getMessage());
            return;
        }
        List<String> interfaces = new ArrayList<>();
        List<InetAddress> local = new ArrayList<>();
        for (NicReport nic : host.get().nics()) {
            if (nic.addresses().isEmpty()) continue;
            interfaces.add(nic.name());
            for (String cidr : nic.addresses()) {
                try {
                    local.add(InetAddress.ofLiteral(cidr.replaceFirst("/.*$", "")));
                } catch (IllegalArgumentException e) {
                    LOG.atWarn().addKeyValue("nic", nic.name()).log("host address {} unreadable: {}", cidr, e.getMessage());
                }
            }
        }
        if (interfaces.isEmpty()) {
            finishWithoutFile(order, file, StopReason.CaptureFailed, "the host has no network interface with an address to capture on");
            return;
        }
        Optional<String> tooLarge = BpfFilters.limitProblem(filters, local);
        if (tooLarge.isPresent()) {
            finishWithoutFile(order, file, StopReason.CaptureFailed, "the capture's filters " + tooLarge.get()
                    + "; this host's " + local.size() + " addresses are the local side of filters that name none");
            return;
        }
        String bpf;
        try {
            bpf = runner.buildFilter(filters, local);
        } catch (RuntimeException e) {
            finishWithoutFile(order, file, StopReason.CaptureFailed, "cannot build the BPF filter: " + e.getMessage());
            return;
        }
        // the file is known now: a crash from here on may leave one for recover() to finalise
        t.entry = new JournalEntry(key, order, file.toString(), JournalEntry.Phase.STARTING, null, false);
        journal.save(t.entry);
        Optional<String> problem;
        try {
            problem = runner.filterProblem(bpf);
        } catch (RuntimeException e) {
            problem = Optional.of(String.valueOf(e.getMessage()));
        }
        if (problem.isPresent()) {
            captures.remove(key);
            finishWithoutFile(order, file, StopReason.CaptureFailed, "the packet filter cannot be used: " + problem.get());
            return;
        }
        Duration timeLimit = Duration.ZERO;
        if (order.timeLimitSeconds() > 0) {
            Instant deadline = (order.createdAt() == null ? now : order.createdAt()).plusSeconds(order.timeLimitSeconds());
            timeLimit = Duration.between(now, deadline);
        }
        try {
            CaptureOptions options = new CaptureOptions(interfaces, bpf,
                    order.snapLength() <= 0 || order.snapLength() > WHOLE_PACKET ? WHOLE_PACKET : (int) order.snapLength(),
                    settings.kernelBufferBytes(), Math.max(0, order.totalBytes()), timeLimit, file, floor,
                    settings.flushInterval());
            t.running = runner.start(options, end -> events.execute(() -> onEnd(key, end)));
        } catch (IOException e) {
            captures.remove(key);
            finishWithoutFile(order, file, StopReason.LocalFileFailed, "cannot write " + file + ": " + e.getMessage());
            return;
        } catch (CaptureRunner.CaptureStartException | RuntimeException e) {
            captures.remove(key);
            finishWithoutFile(order, file, StopReason.CaptureFailed, e.getMessage());
            return;
        }
        CaptureStats c = t.running.counters();
        CaptureReport report = report(t.entry, CaptureStatus.Running, null, null, c,
                c.armedAt() == null ? clock.instant() : c.armedAt(), null);
        t.entry = t.entry.withPhase(JournalEntry.Phase.RUNNING).withReport(report);
        journal.save(t.entry);
        journal.enqueue(report);
        LOG.atInfo().addKeyValue("capture", order.captureId()).addKeyValue("interfaces", String.join(",", interfaces))
                .addKeyValue("filter", bpf).addKeyValue("file", file).log("capture started");
    }

    /** Ends an order that never got (or never kept) a running capture. */
    private void finishWithoutFile(CaptureOrder order, Path file, StopReason reason, String message) {
        Instant now = clock.instant();
        JournalEntry entry = new JournalEntry(order.key(), order, file == null ? null : file.toString(),
                JournalEntry.Phase.FINAL, null, false);
        CaptureReport report = new CaptureReport(order.key(), reason.status(), reason, errors(reason),
                message, null, now, 0, 0, 0, 0, 0, null, null, entry.filePath(), UploadState.NONE, 0, null);
        if (reason.error() != null) {
            LOG.atWarn().addKeyValue("capture", order.captureId()).addKeyValue("reason", reason).log("capture not started: {}", message);
        } else {
            LOG.atInfo().addKeyValue("capture", order.captureId()).addKeyValue("reason", reason).log("capture ended: {}", message);
        }
        Tracked t = new Tracked(entry.withReport(report));
        captures.put(order.key(), t);
        journal.save(t.entry);
        journal.enqueue(report);
        reportSignal.release();
    }

    // ---------------------------------------------------------------- capture end

    private void onEnd(String key, CaptureResult end) {
        synchronized (lock) {
            try {
                Tracked t = captures.get(key);
                if (t == null) return;
                t.running = null;
                StopReason reason = stopReasonFor(end.cause());
                boolean upload = !t.entry.deleted() && t.entry.order().upload() != null;
                CaptureReport report = report(t.entry, reason.status(), reason, end.failureMessage(), end.stats(),
                        t.entry.report() == null ? null : t.entry.report().startTime(), clock.instant());
                report = withUpload(report, UploadState.initial(upload), 0);
                t.entry = t.entry.withPhase(JournalEntry.Phase.FINAL).withReport(report);
                LOG.atLevel(end.failureMessage() == null ? Level.INFO : Level.WARN)
                        .addKeyValue("capture", captureName(t.entry)).addKeyValue("reason", reason)
                        .addKeyValue("packets", end.stats().packets()).addKeyValue("bytes", end.stats().bytesWritten())
                        .log(end.failureMessage() == null ? "capture ended" : "capture ended: " + end.failureMessage());
                if (t.entry.deleted()) {
                    forget(t);
                    return;
                }
                journal.save(t.entry);
                journal.enqueue(report);
                if (upload && !shuttingDown) startUpload(t);
            } finally {
                lock.notifyAll();
                reportSignal.release();
            }
        }
    }

    /** The capture's ARM id for log context (the controller logs the same id), else its key. */
    private static String captureName(JournalEntry e) {
        return e.order() == null || e.order().captureId() == null ? e.key() : e.order().captureId();
    }

    /** The reason an engine end cause reports. */
    public static StopReason stopReasonFor(EndCause cause) {
        return switch (cause) {
            case TIME_LIMIT -> StopReason.TimeExceeded;
            case BYTE_LIMIT -> StopReason.SizeExceeded;
            case STOP_REQUESTED -> StopReason.StoppedByRequest;
            case SHUTDOWN -> StopReason.AgentShutdown;
            case DISK_FLOOR -> StopReason.DiskSpaceLow;
            case FAILED -> StopReason.CaptureFailed;
        };
    }

    // ---------------------------------------------------------------- uploads

    private void startUpload(Tracked t) {
        String key = t.entry.key();
        CaptureReport base = t.entry.report();
        t.entry = t.entry.withReport(withUpload(base, UploadState.UPLOADING, base.uploadedBytes()));
        journal.save(t.entry);
        journal.enqueue(t.entry.report());
        LOG.atInfo().addKeyValue("capture", captureName(t.entry)).addKeyValue("file", t.entry.filePath())
                .addKeyValue("target", t.entry.order().upload().kind()).log("capture upload started");
        t.upload = uploads.submit(key, Path.of(t.entry.filePath()), t.entry.order().upload(), new UploadService.Listener() {
            @Override
            public void progress(long uploadedBytes) {
                update(uploadedBytes, UploadState.UPLOADING, null, null);
            }

            @Override
            public void done(long uploadedBytes, String sha256) {
                LOG.atInfo().addKeyValue("capture", captureName(t.entry)).addKeyValue("bytes", uploadedBytes)
                        .addKeyValue("sha256", sha256).log("capture upload done");
                update(uploadedBytes, UploadState.DONE, null, sha256);
            }

            @Override
            public void failed(String message, long uploadedBytes) {
                update(uploadedBytes, UploadState.FAILED, message, null);
            }

            private void update(long bytes, UploadState state, String failure, String sha256) {
                synchronized (lock) {
                    if (captures.get(key) != t) return;
                    CaptureReport r = t.entry.report().withUpload(state, bytes, sha256);
                    if (failure != null) {
                        List<CaptureError> errs = new ArrayList<>(r.errors());
                        if (!errs.contains(CaptureError.StorageFailed)) errs.add(CaptureError.StorageFailed);
                        String msg = r.message() == null ? failure : r.message() + "; " + failure;
                        r = new CaptureReport(r.key(), CaptureStatus.Error, StopReason.UploadFailed, errs, msg,
                                r.startTime(), r.endTime(), r.packets(), r.bytes(), r.kernelDrops(), r.interfaceDrops(),
                                r.kernelReceived(), r.firstPacketTime(), r.lastPacketTime(), r.filePath(), state, bytes, null);
                        LOG.atWarn().addKeyValue("capture", captureName(t.entry)).addKeyValue("bytes", bytes)
                                .log("capture upload failed: {}", failure);
                    }
                    if (state != UploadState.UPLOADING) t.upload = null;
                    t.entry = t.entry.withReport(r);
                    journal.save(t.entry);
                    journal.enqueue(r);
                }
                reportSignal.release();
            }
        });
    }

    // ---------------------------------------------------------------- reports

    private void reportLoop() {
        Instant lastCounters = Instant.MIN;
        while (!stopped) {
            try {
                reportSignal.tryAcquire(settings.reportInterval().toMillis(), TimeUnit.MILLISECONDS);
                reportSignal.drainPermits();
            } catch (InterruptedException e) {
                if (stopped) break;
            }
            try {
                Instant now = clock.instant();
                if (!now.isBefore(lastCounters.plus(settings.reportInterval().minusMillis(50)))) {
                    lastCounters = now;
                    reportRunning();
                }
                flush();
                journal.retryPendingWrites(); // a full state directory catches up here once space returns
            } catch (RuntimeException e) {
                if (e instanceof java.io.UncheckedIOException) {
                    LOG.warn("reports: {}", e.getMessage(), e); // the state directory (the journal): a fault, not a bug
                } else {
                    LOG.error("report loop failed", e); // controller faults are caught in flush: this is a bug
                }
            }
        }
    }

    private void reportRunning() {
        synchronized (lock) {
            for (Tracked t : captures.values()) {
                if (t.running == null || t.entry.phase() != JournalEntry.Phase.RUNNING) continue;
                CaptureReport r = report(t.entry, CaptureStatus.Running, null, null, t.running.counters(),
                        t.entry.report() == null ? null : t.entry.report().startTime(), null);
                t.entry = t.entry.withReport(r);
                journal.enqueue(r);
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
                boolean rejected = e.answered() && (e.status() == 404 || e.status() == 409 || e.status() == 422
                        || (e.status() == 400 && !"UnsupportedAgentProtocol".equals(e.code())));
                if (rejected) {
                    LOG.atError().addKeyValue("reports", batch.size()).addKeyValue("status", e.status())
                            .log("the controller rejected reports, dropping them: {}", e.getMessage());
                    journal.acknowledge(batch);
                    journal.acknowledgeChecks(checkBatch);
                    continue;
                }
                LOG.atDebug().addKeyValue("queued", journal.outboxSize()).log("reports not delivered: {}", e.getMessage());
                return false;
            }
        }
    }

    private CaptureReport report(JournalEntry e, CaptureStatus status, StopReason reason, String message,
                                 CaptureStats c, Instant start, Instant end) {
        UploadState uploadState = UploadState.initial(e.order() != null && e.order().upload() != null);
        return new CaptureReport(e.key(), status, reason,
                reason == null ? List.of() : errors(reason), message, start, end, c.packets(), c.bytesWritten(),
                c.kernelDrops(), c.interfaceDrops(), c.kernelReceived(), c.firstPacket(), c.lastPacket(), e.filePath(),
                uploadState, 0, null);
    }

    private static CaptureReport withUpload(CaptureReport r, UploadState state, long bytes) {
        return new CaptureReport(r.key(), r.status(), r.stopReason(), r.errors(), r.message(), r.startTime(), r.endTime(),
                r.packets(), r.bytes(), r.kernelDrops(), r.interfaceDrops(), r.kernelReceived(), r.firstPacketTime(),
                r.lastPacketTime(), r.filePath(), state, bytes, null);
    }

    private static List<CaptureError> errors(StopReason reason) {
        return reason.error() == null ? List.of() : List.of(reason.error());
    }

    // ---------------------------------------------------------------- host registration

    private void hostLoop() {
        while (!stopped) {
            if (!sleep(settings.hostPollInterval())) break;
            try {
                HostReport now = host.get();
                if (!now.equals(registeredHost)) registerHost(now);
            } catch (RuntimeException e) {
                LOG.debug("host registration failed: {}", e.getMessage());
            }
        }
    }

    private void registerHost(HostReport report) {
        synchronized (hostLock) {
            client.putHost(report);
            registeredHost = report;
            LOG.atInfo().addKeyValue("nics", report.nics().size()).addKeyValue("problems", report.problems()).log("host registered");
        }
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Stops polling, ends running captures with {@code SHUTDOWN} (reported {@code AgentShutdown}),
     * waits up to the shutdown grace for their files to close, abandons running uploads (they resume
     * at the next start) and tries once to deliver the outbox.
     */
    @Override
    public void close() {
        if (stopped) return;
        stopped = true;
        for (Thread t : new Thread[] {ordersThread, hostThread, reporterThread}) if (t != null) t.interrupt();
        Instant deadline = clock.instant().plus(settings.shutdownGrace());
        synchronized (lock) {
            shuttingDown = true;
            for (Tracked t : captures.values()) {
                if (t.running != null) t.running.stop(EndCause.SHUTDOWN);
            }
            while (captures.values().stream().anyMatch(t -> t.running != null)) {
                long left = Duration.between(clock.instant(), deadline).toMillis();
                if (left <= 0) {
                    LOG.warn("shutdown: captures still running after {}; they will be finalised at the next start",
                            settings.shutdownGrace());
                    break;
                }
                try {
                    lock.wait(Math.min(left, 200));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (Tracked t : captures.values()) {
                if (t.upload != null) t.upload.cancel(true);
            }
        }
        checks.close();
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
            for (Thread t : new Thread[] {ordersThread, hostThread, reporterThread}) if (t != null) t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.atInfo().addKeyValue("queued", journal.outboxSize()).log("shutdown: reports stay queued for the next start: {}", e.getMessage());
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            return !stopped;
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
