package netwatcher.controller.connectivity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmError;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.connectivity.CheckRepository.CheckRow;
import netwatcher.controller.connectivity.CheckRepository.Part;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.SqlOperations;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;
import netwatcher.controller.operations.OperationResolver;
import netwatcher.controller.watchers.Watcher;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.ReportState;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs checks over durable rows: records them and their parts, hands the parts to agents as orders,
 * applies their reports and moves each check along by the rules of {@link CheckState} (observing →
 * probing → finishing → collecting → done), then assembles its answer. Thread-safe.
 */
public final class CheckService {
    private static final Logger LOG = LoggerFactory.getLogger(CheckService.class);
    public static final String OP_KIND = "check";
    /**
     * How long a connected source agent may take to fetch its order once the check probes, before
     * the check fails as AgentStopped: an agent's long-poll is woken at once, so this only covers
     * an agent that died since it was last seen.
     */
    static final Duration ORDER_DELIVERY_WAIT = Duration.ofSeconds(10);

    /**
     * Settings.
     *
     * @param probes            probes per connectivity check (Azure sends 100)
     * @param probeTimeout      per probe
     * @param maxHops           the trace's TTL limit
     * @param armWait           how long the source waits for observers to arm
     * @param finishWait        how long observers may take to explain after the source is done
     * @param agentWait         how long a part waits for its agent before the check answers AgentStopped
     */
    public record Settings(int probes, Duration probeTimeout, int maxHops, Duration armWait, Duration finishWait, Duration agentWait) {
        public static Settings defaults() {
            return new Settings(100, Duration.ofSeconds(1), 16, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(20));
        }
    }

    private final Database db;
    private final CheckRepository repo;
    private final ComputeService compute;
    private final AgentPresence presence;
    private final Settings settings;
    private final Clock clock;
    private final AccessControl access;
    private volatile netwatcher.controller.evidence.EvidenceService evidence; // null: checks capture no evidence

    /** The features a check works with: its VMs and their NICs (compute), and their agents (presence, and the wake-up). */
    public record Peers(ComputeService compute, AgentPresence presence) {}

    public CheckService(Database db, CheckRepository repo, Peers peers, Settings settings, Clock clock, AccessControl access) {
        this.access = access;
        this.db = db;
        this.repo = repo;
        this.compute = peers.compute();
        this.presence = peers.presence();
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Records a check and the parts of the agents involved; returns its key. First authorizes
     * {@code caller} on every VM the request names (before looking any up; nothing is recorded when
     * one is refused). Observers are the connected VMs of the subscription that the caller may read:
     * a check never arms an agent, nor names a hop, on a VM its caller cannot see.
     */
    public String create(Caller caller, Watcher watcher, CheckRequest req, ApiVersion version) {
        return create(caller, watcher, req, version, null);
    }

    /** Captures the probes of connectivity checks as evidence (see {@code netwatcher.controller.evidence}). */
    public void evidence(netwatcher.controller.evidence.EvidenceService value) {
        this.evidence = value;
    }

    /**
     * As {@link #create(Caller, Watcher, CheckRequest, ApiVersion)}; a connectivity check created with the
     * {@code clientBaseUrl} its caller reached captures its probes as evidence, listed with storage paths
     * on that URL.
     */
    public String create(Caller caller, Watcher watcher, CheckRequest req, ApiVersion version, String clientBaseUrl) {
        access.authorizeReferences(caller, watcher.id(), req.references());
        ArmResourceId sourceId = ArmResourceId.tryParse(req.sourceVm()).orElseThrow();
        String field = req.kind().equals(CheckRequest.CONNECTIVITY) ? "source.resourceId" : "targetResourceId";
        Vm source = compute.findVm(sourceId).orElseThrow(() -> ArmErrorCode.InvalidResourceReference.exception("Resource "
                + req.sourceVm() + " was not found: no agent has registered that virtual machine.", field));
        if (!source.location().equalsIgnoreCase(watcher.location())) {
            throw ArmErrorCode.InvalidParameter.exception("Virtual machine " + source.id().name() + " is in location '" + source.location()
                    + "' but network watcher " + watcher.id().name() + " is in '" + watcher.location() + "'.", field);
        }
        if (req.kind().equals(CheckRequest.NEXT_HOP)) requireOwnAddress(source, req.localAddress());
        String destAddress = null;
        String destHost = null;
        if (req.destinationVm() != null) {
            Vm dest = compute.findVm(ArmResourceId.tryParse(req.destinationVm()).orElseThrow()).orElseThrow(() ->
                    ArmErrorCode.InvalidResourceReference.exception("Resource " + req.destinationVm() + " was not found: no agent has"
                            + " registered that virtual machine.", "destination.resourceId"));
            destAddress = primaryAddress(dest, req.preferredIpVersion()).orElseThrow(() -> ArmErrorCode.InvalidParameter.exception(
                    "Virtual machine " + dest.id().name() + " has no registered address.", "destination.resourceId"));
        } else if (req.destinationAddress() != null) {
            if (CheckRequestParser.isLiteralIp(req.destinationAddress())) destAddress = req.destinationAddress();
            else destHost = req.destinationAddress();
        }
        int port = req.kind().equals(CheckRequest.CONNECTIVITY)
                ? netwatcher.model.check.Destinations.port(req.protocol(), destHost, req.destinationPort()) : req.destinationPort();
        String sourceAddress = req.kind().equals(CheckRequest.CONNECTIVITY) ? null : req.localAddress();
        Flow flow = new Flow(req.protocol(), sourceAddress, req.sourcePort(), destAddress, destHost, port, req.direction(),
                req.preferredIpVersion());
        if (req.kind().equals(CheckRequest.IP_FLOW_VERIFY)) {
            // local/remote are the VM's side and the other side; express as source/destination by direction
            flow = req.direction().equals("Outbound")
                    ? new Flow(req.protocol(), req.localAddress(), req.localPort(), req.destinationAddress(), null, req.destinationPort(), "Outbound", null)
                    : new Flow(req.protocol(), req.destinationAddress(), req.destinationPort(), req.localAddress(), null, req.localPort(), "Inbound", null);
        }
        String key = "k-" + UUID.randomUUID();
        Instant now = clock.instant();
        String checkId = watcher.id() + "/" + req.kind() + "/" + key;
        boolean connectivity = req.kind().equals(CheckRequest.CONNECTIVITY);
        AgentPresence.Presence sourcePresence = presence.of(source.id().key());
        if (!sourcePresence.connected()) {
            // the check cannot run: record it as failed at once, so the operation answers on its first poll
            ArmError offline = agentNotConnected(source.id().name(), sourcePresence, now);
            CheckRow failed = new CheckRow(key, req.kind(), checkId, sourceId.subscriptionId().toLowerCase(java.util.Locale.ROOT),
                    watcher.location(), source.id().key(), req, version.toString(), CheckPhase.DONE, flow,
                    null, offline, now, now, null);
            db.inTransaction(h -> {
                repo.insert(h, failed);
                return null;
            });
            return key;
        }
        List<Vm> observers = new ArrayList<>();
        if (connectivity) {
            List<Vm> candidates = compute.listVms(sourceId.subscriptionId(), null).stream()
                    .filter(vm -> !vm.id().key().equals(source.id().key())).toList();
            // every candidate's presence in one read (cluster mode: one query, not one per VM)
            Map<String, AgentPresence.Presence> present = presence.ofAll(candidates.stream().map(vm -> vm.id().key()).toList());
            for (Vm vm : candidates) {
                if (present.get(vm.id().key()).connected() && access.allows(caller, AccessControl.Permission.READ, vm.id())) observers.add(vm);
            }
        }
        CheckRow row = new CheckRow(key, req.kind(), checkId, sourceId.subscriptionId().toLowerCase(java.util.Locale.ROOT),
                watcher.location(), source.id().key(), req, version.toString(),
                connectivity && !observers.isEmpty() ? CheckPhase.OBSERVING : CheckPhase.PROBING, flow, null, null,
                now, now, null);
        Set<String> touched = new LinkedHashSet<>();
        var evidenceService = evidence;
        db.inTransaction(h -> {
            repo.insert(h, row);
            if (connectivity && evidenceService != null && clientBaseUrl != null) evidenceService.record(h, key, clientBaseUrl, now);
            CheckRole role = switch (req.kind()) {
                case CheckRequest.IP_FLOW_VERIFY -> CheckRole.VERIFY;
                case CheckRequest.NEXT_HOP -> CheckRole.NEXTHOP;
                default -> CheckRole.SOURCE;
            };
            repo.insertPart(h, new Part(key, source.id().key(), role, PartState.PENDING, null, now));
            touched.add(source.id().key());
            for (Vm o : observers) {
                repo.insertPart(h, new Part(key, o.id().key(), CheckRole.OBSERVER, PartState.PENDING, null, now));
                touched.add(o.id().key());
            }
            for (String vm : touched) compute.repository().bumpGeneration(h, vm);
            return null;
        });
        touched.forEach(presence::signal);
        LOG.atInfo().addKeyValue("check", key).addKeyValue("kind", req.kind()).addKeyValue("source", source.id())
                .addKeyValue("destination", destAddress != null ? destAddress : destHost).addKeyValue("observers", observers.size())
                .log("check started");
        return key;
    }

    /**
     * Refuses a next hop from a source address that {@code vm} does not own (400 InvalidParameter naming the VM's
     * addresses): the kernel would answer for a packet the VM never sends, and Azure refuses it too. Loopback
     * addresses are the VM's own.
     */
    private void requireOwnAddress(Vm vm, String address) {
        var wanted = netwatcher.controller.compute.IpLiteral.address(address);
        if (wanted.isEmpty() || wanted.get().address().isLoopbackAddress()) return; // the parser already refused a non-literal
        List<String> own = new ArrayList<>();
        for (Nic n : compute.nicsOf(vm.id().key())) {
            for (String cidr : n.addresses()) {
                var a = netwatcher.controller.compute.IpLiteral.prefix(cidr);
                if (a.isEmpty()) continue;
                if (a.get().address().equals(wanted.get().address())) return;
                own.add(cidr.replaceAll("/.*", ""));
            }
        }
        throw ArmErrorCode.InvalidParameter.exception("Source IP address " + address + " is not an address of virtual machine "
                + vm.id().name() + "; its addresses are " + (own.isEmpty() ? "none registered" : String.join(", ", own))
                + ".", "sourceIPAddress");
    }

    private Optional<String> primaryAddress(Vm vm, String preferred) {
        List<String> all = new ArrayList<>();
        for (Nic n : compute.nicsOf(vm.id().key())) for (String cidr : n.addresses()) {
            // a destination VM is reached at a routable address: never loopback, unspecified or link-local
            if (netwatcher.controller.compute.IpLiteral.prefix(cidr).filter(a -> a.pathAddress()).isPresent()) all.add(cidr.replaceAll("/.*", ""));
        }
        boolean v6 = "IPv6".equals(preferred);
        return all.stream().filter(a -> a.contains(":") == v6).findFirst().or(() -> all.stream().findFirst());
    }

    /** The check orders for a VM's agent, without evidence capture. */
    public List<CheckOrder> ordersFor(String vmKey) {
        return ordersFor(vmKey, null);
    }

    /** The check orders for a VM's agent, which reached the controller at {@code controllerBase} (null: no evidence). */
    public List<CheckOrder> ordersFor(String vmKey, String controllerBase) {
        var evidenceService = controllerBase == null ? null : evidence;
        // no advanceAll() here: reports advance their check at once, and the sweeper handles timeouts every second
        List<CheckOrder> out = new ArrayList<>();
        List<Part> delivered = new ArrayList<>();
        for (Part p : repo.openPartsFor(db, vmKey)) {
            Optional<CheckRow> c = repo.find(db, p.checkKey());
            if (c.isEmpty()) continue;
            CheckRow row = c.get();
            Flow flow = row.flow();
            switch (p.role()) {
                case OBSERVER -> {
                    boolean active = row.phase() == CheckPhase.OBSERVING || row.phase() == CheckPhase.PROBING;
                    // once the flow is resolved, the destination's host keeps even an empty file: it proves nothing arrived
                    var spec = evidenceService == null ? null : evidenceService.spec(row.key(), row.sourceVmKey(), vmKey,
                            !active && evidenceService.owns(vmKey, flow.destinationAddress()), controllerBase);
                    out.add(new CheckOrder(row.key(), row.checkId(), p.role(), active, flow, null, row.createdAt(), spec));
                }
                case SOURCE -> {
                    if (row.phase() == CheckPhase.PROBING) {
                        CheckRequest req = row.request();
                        ProbeSpec.Http http = req.http();
                        if (http == null && (flow.protocol().equals("Http") || flow.protocol().equals("Https"))) {
                            http = netwatcher.model.check.Destinations.defaultHttp(null);
                        }
                        var spec = evidenceService == null ? null
                                : evidenceService.spec(row.key(), row.sourceVmKey(), vmKey, true, controllerBase);
                        out.add(new CheckOrder(row.key(), row.checkId(), p.role(), true, flow,
                                new ProbeSpec(settings.probes(), (int) settings.probeTimeout().toMillis(), settings.maxHops(), http),
                                row.createdAt(), spec));
                        if (p.state() == PartState.PENDING) delivered.add(p);
                    }
                }
                default -> {
                    out.add(new CheckOrder(row.key(), row.checkId(), p.role(), true, flow, null, row.createdAt(), null));
                    if (p.state() == PartState.PENDING) delivered.add(p);
                }
            }
        }
        if (!delivered.isEmpty()) {
            // the agent is about to get these orders: the delivery watchdog (advance) stops counting for them
            db.inTransaction(h -> {
                for (Part p : delivered) repo.markDelivered(h, p.checkKey(), p.vmKey(), p.role(), clock.instant());
                return null;
            });
        }
        return out;
    }

    /** Applies an agent's report for its part. */
    public void applyReport(String vmKey, CheckReport report) {
        Set<String> touched = new LinkedHashSet<>();
        db.inTransaction(h -> {
            Optional<CheckRow> c = repo.lock(h, report.key());
            if (c.isEmpty()) return null;
            Optional<Part> part = repo.parts(h, report.key()).stream()
                    .filter(p -> p.vmKey().equals(vmKey) && p.role().equals(report.role())).findFirst();
            if (part.isEmpty()) {
                throw ArmErrorCode.AuthorizationFailed.exception("Check " + report.key() + " has no " + report.role().wire() + " part for this agent's VM.");
            }
            if (part.get().state().isFinal()) return null; // never regress a finished part
            Instant now = clock.instant();
            if (report.state() == ReportState.PROBING) {
                // interim: keep it for progress; it neither finishes the part nor moves the check
                if (report.role() != CheckRole.SOURCE || c.get().phase() == CheckPhase.DONE) return null;
                repo.updatePart(h, new Part(report.key(), vmKey, report.role(), PartState.PROBING, report, now));
                return null;
            }
            repo.updatePart(h, new Part(report.key(), vmKey, report.role(), PartState.of(report.state()), report, now));
            advance(h, c.get(), touched);
            return null;
        });
        touched.forEach(presence::signal);
    }

    /** Moves every unfinished check along (timeouts). */
    public void advanceAll() {
        for (CheckRow c : repo.unfinished(db)) advance(c.key());
    }

    /** True when the VM has a source or observer part in the check (it may upload evidence for it). */
    public boolean takesPart(String key, String vmKey) {
        return repo.parts(db, key).stream().anyMatch(p -> p.vmKey().equals(vmKey)
                && (p.role() == CheckRole.SOURCE || p.role() == CheckRole.OBSERVER));
    }

    /** Moves one check along now (e.g. its last evidence file was stored). */
    public void advanceNow(String key) {
        advance(key);
    }

    /** Moves one check along (its timeouts), in its own transaction. */
    private void advance(String key) {
        Set<String> touched = new LinkedHashSet<>();
        db.inTransaction(h -> {
            repo.lock(h, key).ifPresent(locked -> advance(h, locked, touched));
            return null;
        });
        touched.forEach(presence::signal);
    }

    private void advance(SqlOperations h, CheckRow c, Set<String> touched) {
        Instant now = clock.instant();
        List<Part> parts = repo.parts(h, c.key());
        Part main = parts.stream().filter(p -> p.role() != CheckRole.OBSERVER).findFirst().orElseThrow();
        List<Part> observers = parts.stream().filter(p -> p.role() == CheckRole.OBSERVER).toList();
        var facts = new CheckState.Facts(main.state(), observers.stream().map(Part::state).toList(),
                presence.of(main.vmKey()).connected(), () -> evidenceSettled(c, main, observers));
        CheckState.Step step = c.state().next(facts, timing(c), now);
        Flow flow = step.flowFromSource() && main.report().flow() != null ? main.report().flow() : c.flow();
        String result = null;
        ArmError error = null;
        switch (step.end()) {
            case NONE -> { }
            case SOURCE_UNAVAILABLE -> {
                String name = compute.findVm(main.vmKey()).map(v -> v.id().name()).orElse(main.vmKey());
                error = agentNotConnected(name, presence.of(main.vmKey()), now);
            }
            case ANSWER -> {
                Answer answer = assemble(c, main, observers);
                result = answer.resultJson();
                error = answer.error();
            }
        }
        if (step.wake().contains(CheckState.Wake.MAIN)) touched.add(main.vmKey());
        if (step.wake().contains(CheckState.Wake.OBSERVERS)) observers.forEach(o -> touched.add(o.vmKey()));
        if (step.moved(c.state())) { // the flow changes only as the check enters FINISHING
            repo.updateCheck(h, c.key(), step.state(), flow, result, error);
            if (step.state().phase() == CheckPhase.DONE) {
                LOG.atInfo().addKeyValue("check", c.key()).addKeyValue("kind", c.kind())
                        .addKeyValue("ms", Duration.between(c.createdAt(), now).toMillis())
                        .log(error == null ? "check done" : "check failed: " + error.message());
            }
            for (String vm : touched) compute.repository().bumpGeneration(h, vm);
        }
    }

    /** The waits of {@code c}'s rules. */
    private CheckState.Timing timing(CheckRow c) {
        var e = evidence;
        return new CheckState.Timing(settings.armWait(), ORDER_DELIVERY_WAIT, settings.agentWait().plus(probeBudget(c)),
                settings.finishWait(), e == null ? Duration.ZERO : e.collectWait());
    }

    /** True when the check has no evidence file still to wait for. */
    private boolean evidenceSettled(CheckRow c, Part main, List<Part> observers) {
        var e = evidence;
        if (e == null || !c.kind().equals(CheckRequest.CONNECTIVITY)) return true;
        return e.settled(c.key(), finalReports(main, observers));
    }

    /** (VM key, report) of every part with a final report. */
    private static List<Map.Entry<String, CheckReport>> finalReports(Part main, List<Part> observers) {
        List<Map.Entry<String, CheckReport>> out = new ArrayList<>();
        List<Part> all = new ArrayList<>();
        all.add(main);
        all.addAll(observers);
        for (Part p : all) {
            CheckReport r = p.report();
            if (r == null) continue;
            if (r.state() != ReportState.PROBING) out.add(Map.entry(p.vmKey(), r));
        }
        return out;
    }

    private Duration probeBudget(CheckRow c) {
        return c.kind().equals(CheckRequest.CONNECTIVITY) ? settings.probeTimeout().multipliedBy(Math.max(10, settings.probes() / 2)) : Duration.ZERO;
    }

    /** A check's answer: its result body, or the error it failed with. */
    private record Answer(String resultJson, ArmError error) {
        static Answer result(Object body) {
            return new Answer(Json.writeString(body), null);
        }

        static Answer failed(ArmError error) {
            return new Answer(null, error);
        }
    }

    private Answer assemble(CheckRow c, Part main, List<Part> observers) {
        CheckRequest req = c.request();
        CheckReport mainReport = main.report();
        // only interim reports by the deadline: the source never finished, so the check says AgentStopped
        if (mainReport != null && mainReport.state() == ReportState.PROBING) mainReport = null;
        boolean agentAnswered = mainReport != null;
        return switch (c.kind()) {
            case CheckRequest.IP_FLOW_VERIFY -> {
                if (!agentAnswered || mainReport.verdict() == null) yield failure(mainReport);
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("access", mainReport.verdict().access());
                if (mainReport.verdict().ruleName() != null) m.put("ruleName", mainReport.verdict().ruleName());
                // netwatcher's extra (ARM clients ignore it): how the host's ruleset decided, chain by chain, and the rule's text
                if (!mainReport.verdict().context().isEmpty()) m.put("evaluation", new java.util.TreeMap<>(mainReport.verdict().context()));
                yield Answer.result(m);
            }
            case CheckRequest.NEXT_HOP -> {
                if (!agentAnswered || mainReport.nextHop() == null) yield failure(mainReport);
                CheckReport.NextHop nh = mainReport.nextHop();
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("nextHopType", nh.type());
                if (nh.ipAddress() != null) m.put("nextHopIpAddress", nh.ipAddress());
                if (nh.table() != null) {
                    ArmResourceId vmId = compute.findVm(main.vmKey()).map(Vm::id).orElse(null);
                    m.put("routeTableId", vmId == null ? "System Route"
                            : netwatcher.controller.routetables.RouteTableService.idOf(vmId, nh.table()).toString());
                } else {
                    m.put("routeTableId", "System Route"); // no table holds a route for the destination
                }
                if (nh.route() != null) m.put("route", nh.route()); // netwatcher's extra: the route as `ip route` prints it
                yield Answer.result(m);
            }
            default -> !agentAnswered ? Answer.failed(notAnswered(main)) : Answer.result(withEvidence(c, main, observers, mainReport,
                    new ConnectivityAssembler(compute, c, req, mainReport, observers.stream()
                    .filter(p -> p.report() != null).map(p -> Map.entry(p.vmKey(), p.report())).toList(),
                    presence.of(main.vmKey()).connected()).build()));
        };
    }

    /**
     * The error of a check whose source agent cannot take part: names the VM and when its agent was
     * last seen, so a caller knows at once where to look.
     */
    static ArmError agentNotConnected(String vmName, AgentPresence.Presence p, Instant now) {
        String seen = p.lastSeen() == null ? "its agent has never connected"
                : "its agent was last seen at " + p.lastSeen() + " (" + Duration.between(p.lastSeen(), now).toSeconds() + " s ago)";
        String state = p.connected() ? "did not take the check's order" : "is not connected";
        return ArmErrorCode.AgentStopped.error("The agent of virtual machine " + vmName + " " + state + "; " + seen
                + ". The check cannot run until it is back.", null);
    }

    /** The source's agent took the order but gave no final report by the check's deadline (or is gone). */
    private ArmError notAnswered(Part main) {
        AgentPresence.Presence p = presence.of(main.vmKey());
        String name = compute.findVm(main.vmKey()).map(v -> v.id().name()).orElse(main.vmKey());
        if (!p.connected()) return agentNotConnected(name, p, clock.instant());
        return ArmErrorCode.AgentStopped.error("The agent of virtual machine " + name
                + " took the check but did not report its result within the check's time (" + settings.agentWait().toSeconds()
                + " s after the probes' budget).");
    }

    /** The connectivity result with its {@code evidence} extension property (ARM clients ignore it). */
    private Map<String, Object> withEvidence(CheckRow c, Part main, List<Part> observers, CheckReport mainReport, Map<String, Object> result) {
        var e = evidence;
        if (e == null) return result;
        Flow flow = mainReport != null && mainReport.flow() != null ? mainReport.flow() : c.flow();
        List<String> traced = mainReport == null ? List.of()
                : mainReport.hops().stream().map(CheckReport.TraceHop::address).filter(java.util.Objects::nonNull).toList();
        List<Map<String, Object>> entries = e.entries(c.key(), c.sourceVmKey(), flow.destinationAddress(), traced,
                finalReports(main, observers));
        if (entries.isEmpty()) return result;
        Map<String, Object> out = new java.util.LinkedHashMap<>(result);
        out.put("evidence", entries);
        return out;
    }

    private static Answer failure(CheckReport report) {
        return Answer.failed(ArmErrorCode.AgentStopped.error(report == null
                ? "The agent of the virtual machine did not answer; it is not connected."
                : "The agent could not evaluate the request: " + report.error()));
    }

    /**
     * The progress of a pending check for the operation status body: {@code phase} (the check's
     * state), {@code probesSent}/{@code probesFailed} and {@code hops} [{ttl, address}] from the
     * source's latest report (interim or final), and a percentage: observing 0-5, probing 5-90 by
     * probes sent against the order's count, finishing 95.
     */
    public Optional<OperationResolver.Progress> progress(String key) {
        Optional<CheckRow> c = repo.find(db, key);
        if (c.isEmpty() || c.get().phase() == CheckPhase.DONE) return Optional.empty();
        CheckRow row = c.get();
        Part main = repo.parts(db, key).stream().filter(p -> p.role() != CheckRole.OBSERVER).findFirst().orElse(null);
        CheckReport report = main == null ? null : main.report();
        int sent = report != null && report.probes() != null ? report.probes().sent() : 0;
        int failed = report != null && report.probes() != null ? report.probes().failed() : 0;
        List<Map<String, Object>> hops = new ArrayList<>();
        if (report != null) {
            for (CheckReport.TraceHop h : report.hops()) {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                m.put("ttl", h.ttl());
                m.put("address", h.address()); // null: the hop stayed silent
                hops.add(m);
            }
        }
        boolean connectivity = row.kind().equals(CheckRequest.CONNECTIVITY);
        double percent = switch (row.phase()) {
            case OBSERVING -> 0;
            case PROBING -> connectivity ? 5 + 85.0 * Math.min(1.0, sent / (double) Math.max(1, settings.probes())) : 50;
            default -> 95;
        };
        Map<String, Object> props = new java.util.LinkedHashMap<>();
        props.put("phase", row.phase().wire());
        if (connectivity) {
            props.put("probesSent", sent);
            props.put("probesFailed", failed);
            props.put("hops", hops);
        }
        return Optional.of(new OperationResolver.Progress(Math.round(percent * 10) / 10.0, props));
    }

    /** The ARM path of the check with internal key {@code key} (under its watcher), for authorizing polls of its operation. */
    public Optional<String> resourceOfKey(String key) {
        return repo.find(db, key).map(CheckRow::checkId);
    }

    /** Resolves the check operation: done when the check is; reports {@link #progress} meanwhile. */
    public OperationResolver resolver() {
        return new OperationResolver() {
            @Override
            public Optional<OperationResolver.Progress> progress(netwatcher.controller.operations.Operation op) {
                return CheckService.this.progress(op.targetKey());
            }

            @Override
            public Optional<Outcome> resolve(netwatcher.controller.operations.Operation op) {
                return resolveCheck(op);
            }
        };
    }

    private Optional<OperationResolver.Outcome> resolveCheck(netwatcher.controller.operations.Operation op) {
        Optional<CheckRow> c = repo.find(db, op.targetKey());
        if (c.isPresent() && c.get().phase() != CheckPhase.DONE) {
            advance(op.targetKey()); // only the polled check: the sweeper moves the others
            c = repo.find(db, op.targetKey());
        }
        if (c.isEmpty()) return Optional.of(new OperationResolver.Failure(ArmErrorCode.NotFound.error("The check is gone.")));
        if (c.get().phase() != CheckPhase.DONE) return Optional.empty();
        if (c.get().error() != null) return Optional.of(new OperationResolver.Failure(c.get().error()));
        return Optional.of(new OperationResolver.Success(200, c.get().resultJson()));
    }
}
