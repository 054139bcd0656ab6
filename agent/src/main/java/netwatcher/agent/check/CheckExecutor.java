package netwatcher.agent.check;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
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
import java.util.concurrent.TimeUnit;

import netwatcher.agent.evidence.EvidenceRecorder;
import netwatcher.agent.probe.Addresses;
import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.ProbeException;
import netwatcher.agent.probe.ProbeOutcome;
import netwatcher.agent.probe.ProbeRun;
import netwatcher.agent.probe.ProbeTarget;
import netwatcher.agent.probe.Prober;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.Destinations;
import netwatcher.model.check.ReportState;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Carries out this agent's parts in checks ({@code Orders.checks}, section 8 of
 * {@code docs/agent-protocol.md}) on its own platform threads, so checks never hold up captures.
 *
 * <ul>
 *   <li>{@code source}: resolves the destination (a literal, a name or a URL; failure is a
 *   {@code DnsResolution} finding), asks the host for a blocking route ({@code UserDefinedRoute}),
 *   snapshots the firewall, probes ({@link Prober}; a source that cannot be bound is a
 *   {@code SocketBind} finding), traces ({@link ParisTracer}), explains its own firewall's part from
 *   the counters that moved, adds what the probes prove on the hop that answered them
 *   ({@link ProbeFindings}: PortClosed, TlsHandshake, HttpStatus, IcmpUnreachable), and reports
 *   {@code done} with the resolved flow.</li>
 *   <li>{@code observer}: on first sight while active, snapshots, starts a trace of the flow as the
 *   order knows it ({@link HostEvaluation#startTrace}) and, on the flow's destination, starts counting
 *   the flow's arrivals, and reports {@code armed}; once the order is inactive, explains the resolved
 *   flow against that snapshot and what the trace saw, adds {@code DestinationNotReached} when none of
 *   the flow's packets arrived, removes the trace and the counter, and reports {@code done}. Neither
 *   outlives its part (cancelled, unlisted, closed).</li>
 *   <li>{@code verify} / {@code nexthop}: evaluates and reports {@code done}.</li>
 * </ul>
 *
 * When a source or observer order carries an {@code evidence} spec, the part also captures the check's
 * probes ({@link EvidenceRecorder}): the source arms its capture after resolving the destination and
 * before the first probe, an observer when it arms (before it reports {@code armed}, so before the
 * source's order exists); each stops its capture when its part ends and reports what the file holds
 * with its final report ({@code evidence}), the upload following in the background.
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

    private final Settings settings;
    private final HostEvaluation host;
    private final Prober prober;
    private final ParisTracer tracer;
    private final DestinationResolver destinations;
    private final Sink sink;
    private final EvidenceRecorder evidence;
    private final ExecutorService executor;
    private final Object lock = new Object();
    private final Map<String, Part> parts = new LinkedHashMap<>();
    private volatile boolean closed;

    private static final class Part {
        CheckOrder order;
        volatile HostEvaluation.Snapshot snapshot; // written by the check thread
        volatile HostEvaluation.Witness witness; // observer on the destination: set when armed, closed when explained or dropped
        volatile HostEvaluation.Trace trace; // observer: the nftables trace started when armed; closed by whoever ends the part
        volatile boolean armed;
        boolean explaining;
        CheckReport last;
        Future<?> running;
        /** The observer's evidence capture between arming and explaining; taken (set to null) by whoever ends it. */
        final java.util.concurrent.atomic.AtomicReference<EvidenceRecorder.Recording> recording =
                new java.util.concurrent.atomic.AtomicReference<>();

        Part(CheckOrder order) { this.order = order; }
    }

    public CheckExecutor(Settings settings, HostEvaluation host, Prober prober, ParisTracer tracer, Resolver resolver, Sink sink) {
        this(settings, host, prober, tracer, resolver, sink, EvidenceRecorder.NONE);
    }

    /** As the other constructor, capturing the probes of parts whose order asks for evidence with {@code evidence}. */
    public CheckExecutor(Settings settings, HostEvaluation host, Prober prober, ParisTracer tracer, Resolver resolver, Sink sink,
                         EvidenceRecorder evidence) {
        this.evidence = evidence;
        this.settings = settings;
        this.host = host;
        this.prober = prober;
        this.tracer = tracer;
        this.destinations = new DestinationResolver(resolver);
        this.sink = sink;
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
                String id = order.key() + "/" + order.role().wire();
                listed.add(id);
                Part part = parts.get(id);
                if (part == null) {
                    part = new Part(order);
                    parts.put(id, part);
                    start(part);
                } else {
                    part.order = order;
                    if (order.role() == CheckRole.OBSERVER && !order.active() && part.armed && !part.explaining) {
                        part.explaining = true;
                        Part p = part;
                        part.running = executor.submit(() -> run(p, () -> explainObserver(p)));
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
                closeWitness(e.getValue());
                closeTrace(e.getValue());
                EvidenceRecorder.Recording recording = e.getValue().recording.getAndSet(null);
                if (recording != null && !closed) executor.submit(recording::abandon);
                it.remove();
            }
        }
    }

    private void start(Part part) {
        CheckOrder order = part.order;
        if (sink.finished(order.key(), order.role())) {
            // finished before a restart: do not probe again; resend the report only if it still waits
            part.last = sink.queued(order.key(), order.role()).orElse(null);
            part.running = java.util.concurrent.CompletableFuture.completedFuture(null);
            return;
        }
        LOG.atInfo().addKeyValue("check", order.key()).addKeyValue("role", order.role().wire()).log("check part started");
        switch (order.role()) {
            case SOURCE -> part.running = executor.submit(() -> run(part, () -> source(order)));
            case VERIFY -> part.running = executor.submit(() -> run(part, () -> new CheckReport(order.key(),
                    order.role(), ReportState.DONE, order.flow(), null, null, null, host.verify(order.flow()), null, null, null)));
            case NEXTHOP -> part.running = executor.submit(() -> run(part, () -> new CheckReport(order.key(),
                    order.role(), ReportState.DONE, order.flow(), null, null, null, null, host.nextHop(order.flow()), null, null)));
            case OBSERVER -> {
                if (order.active()) {
                    part.running = executor.submit(() -> run(part, () -> {
                        var arming = armInParallel(order, order.flow()); // libpcap arms while the firewall is read
                        try {
                            part.snapshot = host.snapshot();
                            part.witness = host.startWitness(order.flow()).orElse(null);
                            part.trace = host.startTrace(traceable(order.flow())).orElse(null); // the flow as known before probing
                        } catch (RuntimeException | Error e) {
                            arming.thenAccept(EvidenceRecorder.Recording::abandon);
                            throw e;
                        }
                        part.recording.set(joinArming(arming));
                        part.armed = true;
                        return report(order, ReportState.ARMED, order.flow(), null, List.of(), List.of(), null, null);
                    }));
                } else {
                    // never armed: nothing to compare counters against, but the route still counts
                    part.explaining = true;
                    part.running = executor.submit(() -> run(part, () -> {
                        part.snapshot = host.snapshot();
                        return explainObserver(part);
                    }));
                }
            }
        }
    }

    private void run(Part part, java.util.concurrent.Callable<CheckReport> work) {
        CheckReport result;
        try {
            result = work.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeTrace(part);
            closeWitness(part);
            return;
        } catch (Exception | LinkageError e) {
            // the report tells the controller; the log line is WARN for a fault (I/O: a probe, a host command), ERROR for a bug
            boolean bug = (e instanceof RuntimeException && !(e instanceof java.io.UncheckedIOException)) || e instanceof LinkageError;
            LOG.atLevel(bug ? Level.ERROR : Level.WARN).addKeyValue("check", part.order.key()).addKeyValue("role", part.order.role().wire())
                    .setCause(e).log("check part failed");
            result = report(part.order, ReportState.FAILED, part.order.flow(), null, List.of(), List.of(), null,
                    part.order.role().wire() + " on this agent failed: " + e.getMessage());
        }
        LOG.atInfo().addKeyValue("check", part.order.key()).addKeyValue("role", part.order.role())
                .addKeyValue("state", result.state()).log("check part done");
        synchronized (lock) {
            if (closed || Thread.currentThread().isInterrupted()
                    || parts.get(part.order.key() + "/" + part.order.role().wire()) != part) {
                closeTrace(part); // cancelled or closing: a trace or witness started meanwhile must not outlive the part
                closeWitness(part);
                return;
            }
            part.last = result;
            sink.report(result);
            if (part.order.role() == CheckRole.OBSERVER && part.armed && !part.order.active() && !part.explaining) {
                // the order turned inactive while we were still arming
                part.explaining = true;
                part.running = executor.submit(() -> run(part, () -> explainObserver(part)));
            }
        }
    }

    /**
     * An observer's explanation of the resolved flow: the snapshot taken when armed against one now, with what the
     * nftables trace started when armed saw (the evaluation picks the best evidence; see HostConfig.explain).
     */
    private CheckReport explainObserver(Part part) {
        CheckOrder order = part.order;
        Flow flow = order.flow();
        EvidenceRecorder.Recording recording = part.recording.getAndSet(null);
        if (recording != null) recording.stop(); // drains while the host is explained
        EvidenceReport captured = null;
        try {
            // the route lookups and the firewall's counters are independent host commands: run them together
            java.util.concurrent.FutureTask<ObserverRoute> routing = alongside(() -> observerRoute(flow));
            HostEvaluation.Snapshot after = host.snapshot();
            HostEvaluation.Trace trace = part.trace;
            List<CheckReport.Finding> findings = new ArrayList<>();
            for (CheckReport.Finding f : trace == null
                    ? host.explain(part.snapshot, after, flow, false)
                    : host.explain(part.snapshot, after, flow, false, trace)) {
                if (!ROUTE_LOOKUP.equals(f.evidence())) findings.add(f); // routes: only as the flow crosses this host, below
            }
            HostEvaluation.Witness witness = part.witness;
            if (witness != null) witness.finding().ifPresent(findings::add);
            ObserverRoute route;
            try {
                route = routing.get();
            } catch (java.util.concurrent.ExecutionException e) {
                route = new ObserverRoute(Optional.empty(), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                routing.cancel(true);
                throw new IllegalStateException("check cancelled", e);
            }
            route.finding().ifPresent(findings::add);
            CheckReport done = report(order, ReportState.DONE, flow, null, List.of(), findings, route.nextHop(), null);
            if (recording != null) captured = recording.finish(order.evidence() != null && order.evidence().keep());
            return done.withEvidence(captured);
        } finally {
            closeTrace(part);
            closeWitness(part);
            if (recording != null && captured == null) recording.abandon();
        }
    }

    /**
     * The flow an observer traces while armed: its destination resolved here when the order names it only by host
     * name or URL (a trace selects by address; the resolved flow the explanation gets filters by the whole
     * 5-tuple), or as it is when that fails (the trace then refuses to start: no trace of all traffic to a port).
     */
    private Flow traceable(Flow flow) {
        if (flow.destinationAddress() != null && !flow.destinationAddress().isBlank()) return flow;
        try {
            DestinationResolver.Destination dst = destinations.resolve(flow, ProbeTarget.Protocol.of(flow.protocol()));
            return new Flow(flow.protocol(), flow.sourceAddress(), flow.sourcePort(), Addresses.text(dst.address()),
                    flow.destinationHost(), dst.port(), flow.direction(), flow.preferredIpVersion());
        } catch (UnknownHostException | RuntimeException e) {
            return flow;
        }
    }

    private static void closeTrace(Part part) {
        HostEvaluation.Trace trace = part.trace;
        part.trace = null;
        if (trace == null) return;
        try {
            trace.close();
        } catch (RuntimeException e) {
            LOG.debug("closing an observer's trace: {}", e.getMessage());
        }
    }

    private static void closeWitness(Part part) {
        HostEvaluation.Witness witness = part.witness;
        part.witness = null;
        if (witness == null) return;
        try {
            witness.close();
        } catch (RuntimeException e) {
            LOG.debug("closing an arrival witness: {}", e.getMessage());
        }
    }

    /** Evidence of a route finding (the kernel's route lookup), as {@code HostConfig} marks it. */
    static final String ROUTE_LOOKUP = "route-lookup";

    /**
     * Route kinds that name why the kernel refuses a packet; any other failed lookup (a lookup for a
     * source this host would never see, forwarding off, reverse-path filtering) is not named as a cause.
     */
    static final Set<String> REFUSING_ROUTES = Set.of("Blackhole", "Unreachable", "Prohibit", "PolicyRule", "NoRoute");

    /** What an observer's routes say about the flow as it crosses this host: a refusing route, and its next hop. */
    record ObserverRoute(Optional<CheckReport.Finding> finding, CheckReport.NextHop nextHop) {}

    /**
     * Only the lookup the flow really meets on this host: on the destination, the reply's route back to
     * the source (sent from this host); elsewhere, the lookup of the forwarded packet. A lookup that
     * failed without a refusing route or rule behind it says nothing about the flow and is dropped.
     * The next hop is reported for forwarders, so the controller can follow the path through hosts
     * that stay silent on the wire.
     */
    ObserverRoute observerRoute(Flow flow) {
        if (flow == null || flow.destinationAddress() == null) return new ObserverRoute(Optional.empty(), null);
        try {
            boolean destination = host.isLocal(flow.destinationAddress());
            if (destination && flow.sourceAddress() != null) {
                Flow reply = new Flow(flow.protocol(), flow.destinationAddress(), flow.destinationPort(), flow.sourceAddress(), null,
                        flow.sourcePort(), flow.direction(), flow.preferredIpVersion());
                return new ObserverRoute(host.routeFinding(reply).filter(CheckExecutor::refusing), null);
            }
            if (destination) return new ObserverRoute(Optional.empty(), null);
            Optional<CheckReport.Finding> finding = host.routeFinding(flow).filter(CheckExecutor::refusing);
            CheckReport.NextHop next = null;
            try {
                next = host.nextHop(flow);
            } catch (RuntimeException e) {
                LOG.debug("no next hop for the forwarded flow: {}", e.getMessage());
            }
            return new ObserverRoute(finding, next);
        } catch (RuntimeException e) {
            LOG.debug("observer route lookup failed: {}", e.getMessage());
            return new ObserverRoute(Optional.empty(), null);
        }
    }

    private static boolean refusing(CheckReport.Finding f) {
        return REFUSING_ROUTES.contains(f.context().get("RouteType"));
    }

    /** Arms this part's evidence capture on a platform thread of its own (this process's namespace), while the caller prepares. */
    private java.util.concurrent.CompletableFuture<EvidenceRecorder.Recording> armInParallel(CheckOrder order, Flow flow) {
        java.util.concurrent.CompletableFuture<EvidenceRecorder.Recording> arming = new java.util.concurrent.CompletableFuture<>();
        if (order.evidence() == null) {
            arming.complete(armEvidence(order, flow)); // nothing to arm: no thread
            return arming;
        }
        Thread.ofPlatform().daemon().name("nw-agent-evidence-arm").start(() -> {
            try {
                arming.complete(armEvidence(order, flow));
            } catch (Throwable t) {
                arming.completeExceptionally(t);
            }
        });
        return arming;
    }

    /** The armed recording; an interrupted wait abandons it when it arrives. */
    private static EvidenceRecorder.Recording joinArming(java.util.concurrent.CompletableFuture<EvidenceRecorder.Recording> arming)
            throws InterruptedException {
        try {
            return arming.get();
        } catch (InterruptedException e) {
            arming.thenAccept(EvidenceRecorder.Recording::abandon);
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            return EvidenceRecorder.unavailable("arming the capture failed: " + e.getCause());
        }
    }

    /** Arms this part's evidence capture for {@code flow} (its destination may still be a name: then it is left out). */
    private EvidenceRecorder.Recording armEvidence(CheckOrder order, Flow flow) {
        InetAddress destination = null;
        if (flow != null && flow.destinationAddress() != null && !flow.destinationAddress().isBlank()) {
            try {
                destination = InetAddress.ofLiteral(flow.destinationAddress());
            } catch (IllegalArgumentException e) {
                destination = null;
            }
        }
        return evidence.arm(order.key() + "-" + order.role().wire(), order.evidence(), flow == null ? null : flow.protocol(), destination,
                flow == null ? 0 : flow.destinationPort(), flow == null ? 0 : flow.sourcePort());
    }

    private static CheckReport report(CheckOrder order, ReportState state, Flow flow, CheckReport.ProbeSummary probes,
                                      List<CheckReport.TraceHop> hops, List<CheckReport.Finding> findings,
                                      CheckReport.NextHop nextHop, String error) {
        return new CheckReport(order.key(), order.role(), state, flow, probes, hops, findings, null, nextHop, error, null);
    }

    // ---------------------------------------------------------------- source

    /** The destination as the source resolved it. */

    CheckReport source(CheckOrder order) {
        Flow flow = order.flow();
        ProbeSpec spec = order.probe() == null ? new ProbeSpec(0, 0, 0, null) : order.probe();
        ProbeTarget.Protocol protocol = ProbeTarget.Protocol.of(flow.protocol());
        DestinationResolver.Destination dst;
        try {
            dst = destinations.resolve(flow, protocol);
        } catch (UnknownHostException | IllegalArgumentException e) {
            String name = flow.destinationHost() == null ? flow.destinationAddress() : flow.destinationHost();
            CheckReport.Finding dns = new CheckReport.Finding("DnsResolution", "Local", "Error",
                    Map.of("HostName", String.valueOf(name), "Error", String.valueOf(e.getMessage())), "probe");
            return report(order, ReportState.DONE, flow, new CheckReport.ProbeSummary(0, 0, null, null, null, Map.of(), null, null),
                    List.of(), List.of(dns), null, null);
        }
        InetAddress sourceAddress = null;
        if (flow.sourceAddress() != null && !flow.sourceAddress().isBlank()) {
            try {
                sourceAddress = InetAddress.ofLiteral(flow.sourceAddress());
            } catch (IllegalArgumentException e) {
                return report(order, ReportState.FAILED, flow, null, List.of(), List.of(), null,
                        "source address '" + flow.sourceAddress() + "' is not an IP address");
            }
        }
        InetSocketAddress bind = sourceAddress == null && flow.sourcePort() == 0 ? null
                : new InetSocketAddress(sourceAddress != null ? sourceAddress : anyLocal(dst.address()), flow.sourcePort());
        ProbeSpec.Http http = spec.http();
        if (protocol == ProbeTarget.Protocol.HTTP || protocol == ProbeTarget.Protocol.HTTPS) {
            String path = http != null && http.path() != null && !http.path().isBlank() ? http.path() : dst.path();
            http = http == null ? Destinations.defaultHttp(path)
                    : new ProbeSpec.Http(http.method(), http.headers(), http.validStatusCodes(), path);
        }
        ProbeTarget target = new ProbeTarget(protocol, new InetSocketAddress(dst.address(), dst.port()), bind, dst.hostName(), http);
        Flow resolved = new Flow(flow.protocol(), sourceAddress == null ? null : Addresses.text(sourceAddress), flow.sourcePort(),
                Addresses.text(dst.address()), flow.destinationHost(), dst.port(), flow.direction(), flow.preferredIpVersion());

        List<CheckReport.Finding> findings = new ArrayList<>();
        List<String> limits = new ArrayList<>();
        var arming = armInParallel(order, resolved); // libpcap arms while the route and firewall are read
        // the three preparations are independent host commands: run them together (each costs process starts)
        Flow forTrace = resolved;
        java.util.concurrent.FutureTask<Optional<CheckReport.Finding>> route = alongside(() -> host.routeFinding(forTrace));
        java.util.concurrent.FutureTask<Optional<HostEvaluation.Trace>> tracing = alongside(() -> host.startTrace(forTrace));
        HostEvaluation.Snapshot before = null;
        HostEvaluation.Trace evidenceTrace = null;
        try {
            try {
                before = host.snapshot();
            } catch (RuntimeException e) {
                limits.add("firewall snapshot: " + e.getMessage());
            }
            try {
                route.get().ifPresent(findings::add);
            } catch (java.util.concurrent.ExecutionException e) {
                limits.add("route lookup: " + e.getCause().getMessage());
            }
            try {
                evidenceTrace = tracing.get().orElse(null);
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.atDebug().addKeyValue("check", order.key()).log("no nftables trace: {}", e.getCause().getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tracing.cancel(true);
            arming.thenAccept(EvidenceRecorder.Recording::abandon);
            throw new IllegalStateException("check cancelled", e);
        } catch (RuntimeException | Error e) {
            arming.thenAccept(EvidenceRecorder.Recording::abandon);
            throw e;
        }
        if (before == null && evidenceTrace != null) {
            evidenceTrace.close(); // a trace is only read together with counters
            evidenceTrace = null;
        }
        EvidenceRecorder.Recording recording;
        try {
            recording = joinArming(arming); // armed before the first probe
        } catch (InterruptedException e) {
            if (evidenceTrace != null) evidenceTrace.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while arming the evidence capture", e);
        }
        CheckReport done = null;
        try {
            done = probeAndTrace(new SourceRun(order, flow, spec, target, resolved, sourceAddress, findings, limits, before,
                    evidenceTrace), recording::stop); // the capture drains while this host's part is explained
        } finally {
            if (evidenceTrace != null) evidenceTrace.close();
            if (done == null) recording.abandon();
        }
        return done.withEvidence(recording.finish(true));
    }

    /**
     * What a source part has when it starts probing.
     *
     * @param flow          the order's flow
     * @param resolved      the flow with the destination resolved (the source address and port follow from the probes)
     * @param sourceAddress the address the probes are bound to, or null
     * @param findings      this host's findings so far (the probes' and the firewall's are added)
     * @param limits        what could not be explained on this host (added to as it goes)
     * @param before        the firewall counters before the probes, or null
     * @param evidenceTrace the nftables trace of the flow, or null
     */
    private record SourceRun(CheckOrder order, Flow flow, ProbeSpec spec, ProbeTarget target, Flow resolved,
                             InetAddress sourceAddress, List<CheckReport.Finding> findings, List<String> limits,
                             HostEvaluation.Snapshot before, HostEvaluation.Trace evidenceTrace) {}

    private CheckReport probeAndTrace(SourceRun source, Runnable traced) {
        CheckOrder order = source.order();
        ProbeSpec spec = source.spec();
        Flow resolved = source.resolved();

        Prober.Settings defaults = settings.probes();
        Prober.Settings probeSettings = new Prober.Settings(spec.probes() > 0 ? spec.probes() : defaults.probes(),
                spec.timeoutMs() > 0 ? Duration.ofMillis(spec.timeoutMs()) : defaults.timeout(), defaults.pacing(),
                defaults.totalLimit());
        InterimReports interim = new InterimReports(settings.interimInterval(), lock,
                () -> !closed && parts.get(order.key() + "/" + order.role().wire()) != null,
                (results, hops) -> sink.report(report(order, ReportState.PROBING, resolved, new ProbeRun(results, null).summary(), hops,
                        List.of(), null, null)));
        try {
            return probeAndTrace(source, probeSettings, interim, traced);
        } finally {
            interim.stop();
        }
    }

    private CheckReport probeAndTrace(SourceRun source, Prober.Settings probeSettings, InterimReports interim, Runnable traced) {
        CheckOrder order = source.order();
        Flow flow = source.flow();
        ProbeSpec spec = source.spec();
        ProbeTarget target = source.target();
        ProbeTarget.Protocol protocol = target.protocol();
        Flow resolved = source.resolved();
        InetAddress sourceAddress = source.sourceAddress();
        List<CheckReport.Finding> findings = source.findings();
        List<String> limits = source.limits();
        HostEvaluation.Snapshot before = source.before();
        HostEvaluation.Trace evidenceTrace = source.evidenceTrace();
        ParisTracer.Settings traceDefaults = settings.trace();
        ParisTracer.Settings traceSettings = new ParisTracer.Settings(
                spec.maxHops() > 0 ? Math.min(255, spec.maxHops()) : traceDefaults.maxHops(), traceDefaults.probesPerHop(),
                probeSettings.timeout().compareTo(traceDefaults.timeout()) < 0 ? probeSettings.timeout() : traceDefaults.timeout(),
                traceDefaults.silentHopsToStop(), traceDefaults.retry());
        // probes and trace run together (a blocked path costs max(probes, trace), not their sum); the trace's
        // retries of silent TTLs wait for the probes, whose ICMP errors would use up the routers' rate limit
        java.util.concurrent.CountDownLatch probesDone = new java.util.concurrent.CountDownLatch(1);
        Tracing tracing = new Tracing(target, traceSettings, interim, probesDone, probeSettings.totalLimit().plus(probeSettings.timeout()));
        ProbeRun run;
        try {
            run = prober.run(target, probeSettings, interim::probed);
        } catch (ProbeException e) {
            tracing.cancel();
            if (!"bind".equals(e.stage())) throw e;
            Map<String, String> context = new LinkedHashMap<>();
            if (sourceAddress != null) context.put("Address", Addresses.text(sourceAddress));
            context.put("Port", Integer.toString(flow.sourcePort()));
            context.put("Error", e.getMessage());
            findings.add(new CheckReport.Finding("SocketBind", "Local", "Error", context, "probe"));
            return report(order, ReportState.DONE, resolved, new CheckReport.ProbeSummary(0, 0, null, null, null, Map.of(), null, null),
                    List.of(), findings, null, null);
        } catch (RuntimeException | Error e) {
            tracing.cancel();
            throw e;
        } finally {
            probesDone.countDown();
        }
        ParisTracer.Trace trace = tracing.result();
        traced.run(); // the last probe and trace packet are out: evidence capture may stop

        InetSocketAddress used = trace.source() != null ? trace.source() : run.local();
        if (used != null) {
            resolved = new Flow(flow.protocol(), Addresses.text(used.getAddress()),
                    protocol == ProbeTarget.Protocol.ICMP ? 0 : used.getPort(), resolved.destinationAddress(),
                    flow.destinationHost(), resolved.destinationPort(), flow.direction(), flow.preferredIpVersion());
        }
        Flow finalFlow = resolved;
        java.util.concurrent.FutureTask<CheckReport.NextHop> nextHopLookup = alongside(() -> host.nextHop(finalFlow));
        if (before != null) {
            try {
                HostEvaluation.Snapshot after = host.snapshot();
                for (CheckReport.Finding f : host.explain(before, after, resolved, true, evidenceTrace)) {
                    if (!findings.contains(f)) findings.add(f);
                }
            } catch (RuntimeException e) {
                limits.add("firewall explanation: " + e.getMessage());
            }
        }
        if (!limits.isEmpty()) {
            LOG.atWarn().addKeyValue("check", order.key()).log("this host's part is not explained: {}", limits);
            findings.add(new CheckReport.Finding("Unknown", "Local", "Warning",
                    Map.of("Limitation", String.join("; ", limits)), "none"));
        }
        findings.addAll(ProbeFindings.of(run, resolved, target.http(), trace.hops())); // on the hop that answered (context Address)
        CheckReport.NextHop nextHop = null;
        try {
            nextHop = nextHopLookup.get();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.atDebug().addKeyValue("check", order.key()).log("no next hop: {}", e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("check cancelled", e);
        }
        return report(order, ReportState.DONE, resolved, run.summary(), trace.hops(), findings, nextHop, null);
    }

    /**
     * The Paris trace of one source part on its own platform thread (started from the check's thread,
     * so it shares its network namespace), alongside the probes. {@link #result} waits for it.
     */
    private final class Tracing {
        private final Thread thread;
        private volatile ParisTracer.Trace trace;
        private volatile RuntimeException fault;

        Tracing(ProbeTarget target, ParisTracer.Settings traceSettings, InterimReports interim,
                java.util.concurrent.CountDownLatch probesDone, Duration probesAtMost) {
            this.thread = Thread.ofPlatform().daemon().name("nw-agent-check-trace").start(() -> {
                try {
                    trace = tracer.trace(target, traceSettings, interim::traced, () -> {
                        try {
                            probesDone.await(probesAtMost.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        // the probes used up routers' ICMP rate limits only when ICMP errors came back for them
                        return interim.probes().stream().anyMatch(r -> r.outcome() == ProbeOutcome.UNREACHABLE
                                || r.outcome() == ProbeOutcome.REJECTED);
                    });
                } catch (RuntimeException e) {
                    fault = e;
                }
            });
        }

        ParisTracer.Trace result() {
            try {
                thread.join();
            } catch (InterruptedException e) {
                thread.interrupt();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("check cancelled while tracing", e);
            }
            if (fault != null) throw fault;
            return trace;
        }

        void cancel() {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code work} on a new platform thread started from this one (so in this thread's network namespace). */
    private static <T> java.util.concurrent.FutureTask<T> alongside(java.util.concurrent.Callable<T> work) {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(work);
        Thread.ofPlatform().daemon().name("nw-agent-check-prepare").start(task);
        return task;
    }

    private static InetAddress anyLocal(InetAddress like) {
        try {
            return InetAddress.getByAddress(new byte[like instanceof Inet6Address ? 16 : 4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops running checks (their reports are not made) and the threads. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        synchronized (lock) {
            for (Part part : parts.values()) {
                closeTrace(part);
                closeWitness(part);
            }
        }
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
