package netwatcher.agent.check;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import netwatcher.agent.evidence.EvidenceRecorder;
import netwatcher.agent.probe.Addresses;
import netwatcher.agent.probe.ParisTracer;
import netwatcher.agent.probe.ProbeException;
import netwatcher.agent.probe.ProbeRun;
import netwatcher.agent.probe.ProbeTarget;
import netwatcher.agent.probe.Prober;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Destinations;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source part from its order to its final report, on the part's thread: resolves the destination (a literal, a
 * name or a URL; failure is a {@code DnsResolution} finding), asks the host for a blocking route
 * ({@code UserDefinedRoute}), snapshots the firewall and starts an nftables trace (the three together), arms the
 * evidence capture meanwhile, probes ({@link Prober}; a source that cannot be bound is a {@code SocketBind}
 * finding) and traces ({@link TraceAlongside}) at the same time, sending interim reports ({@link InterimReports}),
 * explains its own firewall's part from the counters that moved, adds what the probes prove on the hop that answered
 * them ({@link ProbeFindings}), and reports {@code done} with the resolved flow. Thread-safe: it keeps no state
 * between parts.
 */
final class SourcePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SourcePipeline.class);

    private final CheckExecutor.Settings settings;
    private final HostEvaluation host;
    private final Prober prober;
    private final ParisTracer tracer;
    private final DestinationResolver destinations;
    private final EvidenceArming evidence;

    SourcePipeline(CheckExecutor.Settings settings, HostEvaluation host, CheckExecutor.Probing probing, EvidenceArming evidence) {
        this.settings = settings;
        this.host = host;
        this.prober = probing.prober();
        this.tracer = probing.tracer();
        this.destinations = new DestinationResolver(probing.resolver());
        this.evidence = evidence;
    }

    /**
     * What a source part has when it starts probing.
     *
     * @param order         the part's order (its flow as the controller knows it)
     * @param spec          the order's probe spec (defaults when it has none)
     * @param target        what is probed and traced
     * @param resolved      the flow with the destination resolved (the source address and port follow from the probes)
     * @param sourceAddress the address the probes are bound to, or null
     * @param prepared      this host's part read before the probes
     */
    private record SourceRun(CheckOrder order, ProbeSpec spec, ProbeTarget target, Flow resolved, InetAddress sourceAddress,
                             Prepared prepared) {}

    /**
     * This host's part read before the probes ({@link #prepare}).
     *
     * @param findings      this host's findings so far (the probes' and the firewall's are added)
     * @param limits        what could not be explained on this host (added to as it goes)
     * @param before        the firewall counters before the probes, or null
     * @param evidenceTrace the nftables trace of the flow (only with counters), or null; the caller closes it
     */
    private record Prepared(List<CheckReport.Finding> findings, List<String> limits, HostEvaluation.Snapshot before,
                            HostEvaluation.Trace evidenceTrace) {}

    /** The final report of the source part of {@code order}; its interim reports go to {@code outlet}. */
    CheckReport run(CheckOrder order, InterimReports.Outlet outlet) {
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
            return PartReports.probed(order, flow, PartReports.NO_PROBES, List.of(), List.of(dns), null);
        }
        InetAddress sourceAddress = null;
        if (flow.sourceAddress() != null && !flow.sourceAddress().isBlank()) {
            try {
                sourceAddress = InetAddress.ofLiteral(flow.sourceAddress());
            } catch (IllegalArgumentException e) {
                return PartReports.failed(order, "source address '" + flow.sourceAddress() + "' is not an IP address");
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

        CompletableFuture<EvidenceRecorder.Recording> arming = evidence.start(order, resolved); // libpcap arms while the route and firewall are read
        Prepared prepared;
        try {
            prepared = prepare(order, resolved);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            EvidenceArming.abandon(arming);
            throw new IllegalStateException("check cancelled", e);
        } catch (RuntimeException | Error e) {
            EvidenceArming.abandon(arming);
            throw e;
        }
        HostEvaluation.Trace evidenceTrace = prepared.evidenceTrace();
        EvidenceRecorder.Recording recording;
        try {
            recording = EvidenceArming.join(arming); // armed before the first probe
        } catch (InterruptedException e) {
            if (evidenceTrace != null) evidenceTrace.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while arming the evidence capture", e);
        }
        CheckReport done = null;
        try {
            done = probeAndTrace(new SourceRun(order, spec, target, resolved, sourceAddress, prepared), outlet,
                    recording::stop); // the capture drains while this host's part is explained
        } finally {
            if (evidenceTrace != null) evidenceTrace.close();
            if (done == null) recording.abandon();
        }
        return done.withEvidence(recording.finish(true));
    }

    /**
     * Reads this host's part before the probes: the route finding, the firewall's counters and an nftables trace of
     * the flow, together (they are independent host commands, each costing process starts). What fails is a limit
     * of the explanation, not of the check; a trace without counters is closed (it is only read with them).
     */
    private Prepared prepare(CheckOrder order, Flow resolved) throws InterruptedException {
        List<CheckReport.Finding> findings = new ArrayList<>();
        List<String> limits = new ArrayList<>();
        FutureTask<Optional<CheckReport.Finding>> route = Alongside.start(() -> host.routeFinding(resolved));
        FutureTask<Optional<HostEvaluation.Trace>> tracing = Alongside.start(() -> host.startTrace(resolved));
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
            } catch (ExecutionException e) {
                limits.add("route lookup: " + e.getCause().getMessage());
            }
            try {
                evidenceTrace = tracing.get().orElse(null);
            } catch (ExecutionException e) {
                LOG.atDebug().addKeyValue("check", order.key()).log("no nftables trace: {}", e.getCause().getMessage());
            }
        } catch (InterruptedException e) {
            tracing.cancel(true);
            throw e;
        }
        if (before == null && evidenceTrace != null) {
            evidenceTrace.close(); // a trace is only read together with counters
            evidenceTrace = null;
        }
        return new Prepared(findings, limits, before, evidenceTrace);
    }

    private CheckReport probeAndTrace(SourceRun source, InterimReports.Outlet outlet, Runnable traced) {
        CheckOrder order = source.order();
        ProbeSpec spec = source.spec();
        Flow resolved = source.resolved();

        Prober.Settings defaults = settings.probes();
        Prober.Settings probeSettings = new Prober.Settings(spec.probes() > 0 ? spec.probes() : defaults.probes(),
                spec.timeoutMs() > 0 ? Duration.ofMillis(spec.timeoutMs()) : defaults.timeout(), defaults.pacing(),
                defaults.totalLimit());
        InterimReports interim = new InterimReports(settings.interimInterval(), outlet,
                (results, hops) -> PartReports.probing(order, resolved, new ProbeRun(results, null).summary(), hops));
        try {
            return probeAndTrace(source, probeSettings, interim, traced);
        } finally {
            interim.stop();
        }
    }

    private CheckReport probeAndTrace(SourceRun source, Prober.Settings probeSettings, InterimReports interim, Runnable traced) {
        CheckOrder order = source.order();
        Flow flow = order.flow();
        ProbeSpec spec = source.spec();
        ProbeTarget target = source.target();
        ProbeTarget.Protocol protocol = target.protocol();
        Flow resolved = source.resolved();
        InetAddress sourceAddress = source.sourceAddress();
        List<CheckReport.Finding> findings = source.prepared().findings();
        List<String> limits = source.prepared().limits();
        HostEvaluation.Snapshot before = source.prepared().before();
        HostEvaluation.Trace evidenceTrace = source.prepared().evidenceTrace();
        ParisTracer.Settings traceDefaults = settings.trace();
        ParisTracer.Settings traceSettings = new ParisTracer.Settings(
                spec.maxHops() > 0 ? Math.min(255, spec.maxHops()) : traceDefaults.maxHops(), traceDefaults.probesPerHop(),
                probeSettings.timeout().compareTo(traceDefaults.timeout()) < 0 ? probeSettings.timeout() : traceDefaults.timeout(),
                traceDefaults.silentHopsToStop(), traceDefaults.retry());
        // probes and trace run together (a blocked path costs max(probes, trace), not their sum); the trace's
        // retries of silent TTLs wait for the probes, whose ICMP errors would use up the routers' rate limit
        TraceAlongside tracing = new TraceAlongside(tracer, target, traceSettings, interim,
                probeSettings.totalLimit().plus(probeSettings.timeout()));
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
            return PartReports.probed(order, resolved, PartReports.NO_PROBES, List.of(), findings, null);
        } catch (RuntimeException | Error e) {
            tracing.cancel();
            throw e;
        } finally {
            tracing.probesDone();
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
        FutureTask<CheckReport.NextHop> nextHopLookup = Alongside.start(() -> host.nextHop(finalFlow));
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
        } catch (ExecutionException e) {
            LOG.atDebug().addKeyValue("check", order.key()).log("no next hop: {}", e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("check cancelled", e);
        }
        return PartReports.probed(order, resolved, run.summary(), trace.hops(), findings, nextHop);
    }

    private static InetAddress anyLocal(InetAddress like) {
        try {
            return InetAddress.getByAddress(new byte[like instanceof Inet6Address ? 16 : 4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
