package netwatcher.agent.check;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import netwatcher.agent.evidence.EvidenceRecorder;
import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.Prober;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.ReportState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The check scheduler: carries out this agent's parts in checks ({@code Orders.checks}, section 8 of
 * {@code docs/agent-protocol.md}) on its own platform threads, so checks never hold up captures. It decides
 * which part runs when and where its reports go; the parts themselves are other classes':
 *
 * <ul>
 *   <li>{@code source}: {@link SourcePipeline} (resolve, probe and trace together, explain this host's part)
 *   reports {@code done} with the resolved flow, sending {@code probing} reports meanwhile
 *   ({@link InterimReports}).</li>
 *   <li>{@code observer}: on first sight while active, {@link ObserverPart#arm} (snapshot, trace, arrival
 *   witness) reports {@code armed}; once the order is inactive, {@link ObserverPart#explain} reports
 *   {@code done}. Neither the trace nor the witness outlives its part (cancelled, unlisted, closed).</li>
 *   <li>{@code verify} / {@code nexthop}: evaluates ({@link HostEvaluation}) and reports {@code done}.</li>
 * </ul>
 *
 * When a source or observer order carries an {@code evidence} spec, the part also captures the check's
 * probes ({@link EvidenceRecorder}, armed by {@link EvidenceArming}): the source arms its capture after
 * resolving the destination and before the first probe, an observer when it arms (before it reports
 * {@code armed}, so before the source's order exists); each stops its capture when its part ends and reports
 * what the file holds with its final report ({@code evidence}), the upload following in the background.
 *
 * Each (key, role) runs once, also across restarts (the journal remembers finished parts while they
 * are listed); its last report is re-queued when a new generation
 * still lists the order and no report for it waits (the controller did not get it). Orders no longer
 * listed are cancelled and forgotten. Any failure becomes a {@code failed} report with the message.
 *
 * <p>Thread-safety: thread-safe; {@link #apply} may be called from any thread.
 */
public final class CheckExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckExecutor.class);

    /** Finding type for "nothing listens on the port" (a netwatcher extension to ARM's issue types). */
    public static final String PORT_CLOSED = ProbeFindings.PORT_CLOSED;

    /**
     * @param probes      defaults for probing (count, timeout, pacing, total limit); the order's spec overrides count and timeout
     * @param trace       defaults for tracing; the order's {@code maxHops} overrides
     * @param threads     how many checks run at once
     * @param interimInterval how often a running source part reports its probes and hops so far
     *                    ({@code state:"probing"}), when something changed
     */
    public record Settings(Prober.Settings probes, ParisTracer.Settings trace, int threads, Duration interimInterval) {
        public static final Settings DEFAULT = new Settings(Prober.Settings.DEFAULT, ParisTracer.Settings.DEFAULT, 2);

        public Settings {
            if (threads < 1) throw new IllegalArgumentException("check threads must be at least 1");
            if (interimInterval == null || interimInterval.isNegative() || interimInterval.isZero()) {
                throw new IllegalArgumentException("the interim report interval must be positive");
            }
        }

        /** With interim {@code probing} reports every 300 ms. */
        public Settings(Prober.Settings probes, ParisTracer.Settings trace, int threads) {
            this(probes, trace, threads, Duration.ofMillis(300));
        }
    }

    /** Resolves host names for the source role; the system resolver in the daemon. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;

        Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
    }

    /** Where reports go (the journal's check outbox in the daemon). Must be thread-safe. */
    public interface Sink {
        void report(CheckReport report);

        /** True while a report for this (key, role) waits for delivery. */
        boolean pending(String key, CheckRole role);

        /** The report for this (key, role) waiting for delivery, if any (e.g. made before a restart). */
        default Optional<CheckReport> queued(String key, CheckRole role) { return Optional.empty(); }

        /** True when the final report of this part was made (possibly before a restart). */
        default boolean finished(String key, CheckRole role) { return false; }

        /** The {@code key/role} ids listed now; finished marks of others may be dropped. */
        default void retain(Set<String> listed) {}
    }

    /**
     * How this agent reaches a check's destination (the source's tools; observers resolve with the resolver too).
     *
     * @param prober   probes the destination
     * @param tracer   traces the path to it
     * @param resolver resolves its host name
     */
    public record Probing(Prober prober, ParisTracer tracer, Resolver resolver) {}

    private final HostEvaluation host;
    private final Sink sink;
    private final SourcePipeline sources;
    private final ObserverPart observers;
    private final ExecutorService executor;
    private final Object lock = new Object();
    /** Listed parts by {@code key/role}; guarded by {@link #lock}. */
    private final Map<String, Part> parts = new LinkedHashMap<>();
    private volatile boolean closed;

    /** One listed part; the scheduler's fields are guarded by {@link #lock}. */
    private static final class Part {
        CheckOrder order;
        volatile boolean armed;
        boolean explaining;
        CheckReport last;
        Future<?> running;
        /** The observer's trace, witness and capture between arming and explaining (unused by other roles). */
        final ObserverPart.Observation observation = new ObserverPart.Observation();

        Part(CheckOrder order) { this.order = order; }
    }

    public CheckExecutor(Settings settings, HostEvaluation host, Prober prober, ParisTracer tracer, Resolver resolver, Sink sink) {
        this(settings, host, new Probing(prober, tracer, resolver), sink, EvidenceRecorder.NONE);
    }

    /** As the other constructor, capturing the probes of parts whose order asks for evidence with {@code evidence}. */
    public CheckExecutor(Settings settings, HostEvaluation host, Probing probing, Sink sink, EvidenceRecorder evidence) {
        EvidenceArming arming = new EvidenceArming(evidence);
        this.host = host;
        this.sink = sink;
        this.sources = new SourcePipeline(settings, host, probing, arming);
        this.observers = new ObserverPart(host, new DestinationResolver(probing.resolver()), arming);
        this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "nw-agent-checks");
            t.setDaemon(true);
            return t;
        });
    }

    /** Applies the full list of check orders of one generation. */
    public void apply(List<CheckOrder> orders, boolean newGeneration) {
        if (closed) return;
        synchronized (lock) {
            Set<String> listed = new HashSet<>();
            for (CheckOrder order : orders) {
                // a role this agent does not know (a newer controller) reads as null: skipped, the others still run
                if (order == null || order.key() == null || order.role() == null) continue;
                String id = id(order);
                listed.add(id);
                Part part = parts.get(id);
                if (part == null) {
                    part = new Part(order);
                    parts.put(id, part);
                    start(part);
                } else {
                    part.order = order;
                    if (order.role() == CheckRole.OBSERVER && !order.active() && part.armed && !part.explaining) {
                        explain(part);
                    } else if (newGeneration && part.last != null && part.last.state() != ReportState.ARMED
                            && part.running != null && part.running.isDone() && !sink.pending(order.key(), order.role())) {
                        sink.report(part.last); // the controller still lists it: it lacks our word
                    }
                }
            }
            sink.retain(listed);
            for (var it = parts.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (listed.contains(e.getKey())) continue;
                if (e.getValue().running != null) e.getValue().running.cancel(true);
                e.getValue().observation.release();
                EvidenceRecorder.Recording recording = e.getValue().observation.takeRecording();
                if (recording != null && !closed) executor.submit(recording::abandon);
                it.remove();
            }
        }
    }

    private static String id(CheckOrder order) {
        return order.key() + "/" + order.role().wire();
    }

    private void start(Part part) {
        CheckOrder order = part.order;
        if (sink.finished(order.key(), order.role())) {
            // finished before a restart: do not probe again; resend the report only if it still waits
            part.last = sink.queued(order.key(), order.role()).orElse(null);
            part.running = CompletableFuture.completedFuture(null);
            return;
        }
        LOG.atInfo().addKeyValue("check", order.key()).addKeyValue("role", order.role().wire()).log("check part started");
        switch (order.role()) {
            case SOURCE -> part.running = executor.submit(() -> run(part, () -> sources.run(order, outlet(order))));
            case VERIFY -> part.running = executor.submit(() -> run(part, () -> PartReports.verified(order, host.verify(order.flow()))));
            case NEXTHOP -> part.running = executor.submit(() -> run(part, () -> PartReports.routed(order, host.nextHop(order.flow()))));
            case OBSERVER -> {
                if (order.active()) {
                    part.running = executor.submit(() -> run(part, () -> {
                        CheckReport armed = observers.arm(order, part.observation);
                        part.armed = true;
                        return armed;
                    }));
                } else {
                    part.explaining = true;
                    part.running = executor.submit(() -> run(part, () -> observers.explainUnarmed(part.order, part.observation)));
                }
            }
        }
    }

    /** Starts explaining an armed observer whose order turned inactive; under {@link #lock}. */
    private void explain(Part part) {
        part.explaining = true;
        part.running = executor.submit(() -> run(part, () -> observers.explain(part.order, part.observation)));
    }

    /** Where a source's interim reports go: the sink, while the part is listed and this scheduler open. */
    private InterimReports.Outlet outlet(CheckOrder order) {
        return new InterimReports.Outlet(lock, () -> !closed && parts.get(id(order)) != null, sink::report);
    }

    private void run(Part part, Callable<CheckReport> work) {
        CheckReport result;
        try {
            result = work.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            part.observation.release();
            return;
        } catch (Exception | LinkageError e) {
            // the report tells the controller; the log line is WARN for a fault (I/O: a probe, a host command), ERROR for a bug
            boolean bug = (e instanceof RuntimeException && !(e instanceof UncheckedIOException)) || e instanceof LinkageError;
            LOG.atLevel(bug ? Level.ERROR : Level.WARN).addKeyValue("check", part.order.key()).addKeyValue("role", part.order.role().wire())
                    .setCause(e).log("check part failed");
            result = PartReports.failed(part.order, part.order.role().wire() + " on this agent failed: " + e.getMessage());
        }
        LOG.atInfo().addKeyValue("check", part.order.key()).addKeyValue("role", part.order.role())
                .addKeyValue("state", result.state()).log("check part done");
        synchronized (lock) {
            if (closed || Thread.currentThread().isInterrupted() || parts.get(id(part.order)) != part) {
                part.observation.release(); // cancelled or closing: a trace or witness started meanwhile must not outlive the part
                return;
            }
            part.last = result;
            sink.report(result);
            if (part.order.role() == CheckRole.OBSERVER && part.armed && !part.order.active() && !part.explaining) {
                explain(part); // the order turned inactive while we were still arming
            }
        }
    }

    /** Stops running checks (their reports are not made) and the threads. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        synchronized (lock) {
            for (Part part : parts.values()) part.observation.release();
        }
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
