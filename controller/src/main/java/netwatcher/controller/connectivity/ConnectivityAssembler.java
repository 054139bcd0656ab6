package netwatcher.controller.connectivity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.Json;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.IpLiteral;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.connectivity.CheckRepository.CheckRow;
import netwatcher.controller.routetables.RouteTableService;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

/**
 * Turns the source's and observers' reports into ARM's ConnectivityInformation. Hops: the source,
 * every trace hop, the destination. Types: Source; VirtualAppliance for a registered host that
 * forwards; VnetLocal for a registered destination; Internet for an address outside every
 * registered network (the destination too, when reached); Destination for an unreached outside
 * destination; Unknown for a hop that stayed silent; VnetLocal for a destination on the source host
 * itself (loopback or one of its addresses), as Azure types local traffic. Issues sit on the hop
 * whose host proved them; what the source's probes prove about an answer (PortClosed, TlsHandshake,
 * HttpStatus, IcmpUnreachable, Unknown with context Address) sits on the hop with that address; a
 * route issue carries its route table resource's id (RouteTableId).
 * Not thread-safe; one per assembly.
 */
final class ConnectivityAssembler {
    private record Owner(Nic nic, int ipConfig) {}

    private final ComputeService compute;
    private final CheckRow check;
    private final CheckRequest request;
    private final CheckReport source;
    private final List<Map.Entry<String, CheckReport>> observers;
    private final boolean sourceConnected;
    private final ApiVersion version;
    private final Map<String, Owner> owners = new LinkedHashMap<>();
    private final List<String> subnets = new ArrayList<>();
    private final List<Owner> sourceOwners = new ArrayList<>();

    ConnectivityAssembler(ComputeService compute, CheckRow check, CheckRequest request, CheckReport source,
                          List<Map.Entry<String, CheckReport>> observers, boolean sourceConnected) {
        this.compute = compute;
        this.check = check;
        this.request = request;
        this.source = source;
        this.observers = observers;
        this.sourceConnected = sourceConnected;
        this.version = ApiVersion.require(check.apiVersion()); // the api-version the check was asked with decides the shape
        List<Nic> nics = new ArrayList<>(compute.listNics(check.subscription(), null)); // one query, not one per VM
        nics.sort(Comparator.comparing(Nic::vmKey).thenComparingInt(Nic::position));
        for (Nic n : nics) {
            for (int i = 0; i < n.addresses().size(); i++) {
                String cidr = n.addresses().get(i);
                // only an address a host can really be reached at owns a hop: never loopback, unspecified,
                // multicast or link-local (stored before validation, or fe80:: that every NIC has)
                var literal = IpLiteral.prefix(cidr).filter(IpLiteral::pathAddress);
                if (literal.isEmpty()) continue;
                owners.putIfAbsent(literal.get().canonical(), new Owner(n, i + 1));
                if (n.vmKey().equals(check.sourceVmKey())) sourceOwners.add(new Owner(n, i + 1));
                subnets.add(cidr);
            }
        }
    }

    private final class Hop {
        final String type;
        final String address;
        final String resourceId;
        final String vmKey;
        final List<Map<String, Object>> issues = new ArrayList<>();
        final List<Double> rtt;
        String id;

        Hop(String type, String address, String resourceId, String vmKey, List<Double> rtt) {
            this.type = type;
            this.address = address;
            this.resourceId = resourceId;
            this.vmKey = vmKey;
            this.rtt = rtt;
        }
    }

    Map<String, Object> build() {
        Flow flow = source != null && source.flow() != null ? source.flow() : check.flow();
        List<Hop> hops = new ArrayList<>();
        Vm sourceVm = compute.findVm(check.sourceVmKey()).orElseThrow();
        String srcAddr = flow.sourceAddress();
        // the source hop is always the source VM: its NIC that holds the flow's source address, else its first
        // path address; never another VM's NIC that (wrongly) claims the same address
        Owner srcOwner = sourceOwners.stream().filter(o -> srcAddr != null && normal(addressOf(o)).equals(normal(srcAddr)))
                .findFirst().orElse(sourceOwners.isEmpty() ? null : sourceOwners.getFirst());
        Hop src = new Hop("Source", srcAddr != null ? srcAddr : srcOwner == null ? null : addressOf(srcOwner),
                srcOwner == null ? sourceVm.id().toString() : ipConfigId(srcOwner), sourceVm.id().key(), List.of());
        hops.add(src);

        if (source == null) {
            src.issues.add(issue("Local", "Error", "AgentStopped", Map.of("Reason", sourceConnected
                    ? "the source VM's agent did not report within the check's time" : "the source VM's agent is not connected")));
            return result(hops, null, flow);
        }
        // what the probes prove about a remote hop (the destination's refusal, a router's ICMP, a TLS or HTTP answer)
        // goes on that hop once the hops are known; the rest is this host's own part
        List<CheckReport.Finding> remote = new ArrayList<>();
        for (CheckReport.Finding f : source.findings()) {
            String answered = answeredBy(f) == null ? null : normal(answeredBy(f));
            boolean fromDestination = answered != null && flow.destinationAddress() != null
                    && answered.equals(normal(flow.destinationAddress())); // also when the source is its own destination
            if (answered != null && (fromDestination || !answered.equals(normal(src.address == null ? "" : src.address)))) remote.add(f);
            else src.issues.add(issue(f, sourceVm.id()));
        }

        String dest = flow.destinationAddress();
        boolean reached = source.probes() != null && source.probes().sent() > source.probes().failed();
        Map<String, CheckReport> reports = new LinkedHashMap<>();
        for (Map.Entry<String, CheckReport> e : observers) reports.put(e.getKey(), e.getValue());
        Map<Integer, Owner> walked = routeWalk(dest, reports);
        boolean destAnswered = false;
        Map<Hop, String> icmpFromTrace = new LinkedHashMap<>();
        for (CheckReport.TraceHop t : source.hops()) {
            if (t.address() != null && dest != null && normal(t.address()).equals(normal(dest))) {
                destAnswered = true;
                break;
            }
            if (t.address() == null) {
                Owner forwarder = walked.get(t.ttl());
                if (forwarder != null) {
                    // silent on the wire, but the registered hosts' routes put this forwarder at this TTL
                    hops.add(new Hop("VirtualAppliance", addressOf(forwarder), ipConfigId(forwarder), forwarder.nic().vmKey(), new ArrayList<>()));
                } else {
                    hops.add(new Hop("Unknown", null, "Unknown", null, t.rttMs()));
                }
                continue;
            }
            Hop same = hops.stream().skip(1).filter(h -> h.address != null && normal(h.address).equals(normal(t.address()))).findFirst().orElse(null);
            if (same == null) {
                Owner o = owners.get(normal(t.address()));
                if (o != null) same = new Hop("VirtualAppliance", t.address(), ipConfigId(o), o.nic().vmKey(), new ArrayList<>(t.rttMs()));
                else {
                    boolean inside = insideRegistered(t.address());
                    same = new Hop(inside ? "VnetLocal" : "Internet", t.address(), inside ? "Unknown" : "Internet", null, new ArrayList<>(t.rttMs()));
                }
                hops.add(same);
            } else {
                // one address, one hop: a host that answered two TTLs (e.g. time exceeded, then its own ICMP reject) is listed once
                same.rtt.addAll(t.rttMs());
            }
            if ("unreachable".equals(t.reply())) icmpFromTrace.put(same, t.icmpCode());
        }
        // drop trailing silent hops: they are only the trace running past the last responder
        while (hops.size() > 1 && hops.getLast().address == null) hops.removeLast();
        Hop destination = null;
        if (dest != null) {
            Owner o = owners.get(normal(dest));
            List<Double> destRtt = source.hops().stream().filter(t -> t.address() != null && normal(t.address()).equals(normal(dest)))
                    .findFirst().map(CheckReport.TraceHop::rttMs).orElse(List.of());
            Owner own = sourceOwners.stream().filter(so -> normal(addressOf(so)).equals(normal(dest))).findFirst().orElse(null);
            if (isLoopback(dest) || own != null) {
                // traffic that never leaves the source host: Azure types local traffic VnetLocal
                destination = new Hop("VnetLocal", dest, own != null ? ipConfigId(own) : sourceVm.id().toString(),
                        sourceVm.id().key(), destRtt);
            } else if (o != null) destination = new Hop("VnetLocal", dest, ipConfigId(o), o.nic().vmKey(), destRtt);
            else if (reached || destAnswered) destination = new Hop("Internet", dest, "Internet", null, destRtt);
            else destination = new Hop("Destination", dest, "Unknown", null, destRtt);
            hops.add(destination);
        }
        for (CheckReport.Finding f : remote) {
            String at = normal(answeredBy(f));
            Hop target = hops.stream().skip(1).filter(h -> h.address != null && normal(h.address).equals(at)).findFirst().orElse(null);
            if (target != null) {
                target.issues.add(issue(f, null));
            } else {
                // the answer came from an address the hop list does not hold: say so on the source, which saw it
                Map<String, Object> issue = issue(f, null);
                issue.put("origin", "Outbound");
                src.issues.add(issue);
            }
        }
        // only the path testifies: an observer's findings go on its own hop; a host with no hop on the path is not on it,
        // and what it reports (its routes, its rules) never concerns this flow
        for (Map.Entry<String, CheckReport> e : observers) {
            if (e.getValue().findings().isEmpty()) continue;
            Hop target = hops.stream().skip(1).filter(h -> e.getKey().equals(h.vmKey)).findFirst().orElse(null);
            if (target == null) continue;
            for (CheckReport.Finding f : e.getValue().findings()) {
                // the destination saw none of the probes: a middlebox answered, when they were answered at all (an
                // unreached destination saw nothing either, and the cause is where they were lost)
                if (NOT_REACHED.equals(f.type()) && (!reached || target != destination)) continue;
                target.issues.add(issue(f, compute.findVm(e.getKey()).map(Vm::id).orElse(null)));
            }
        }
        // a trace probe's ICMP unreachable, when the probes did not already name it on that hop
        icmpFromTrace.forEach((hop, code) -> {
            if (hop.issues.stream().noneMatch(i -> ICMP_UNREACHABLE.equals(i.get("type")))) {
                Map<String, String> ctx = new LinkedHashMap<>();
                ctx.put("Address", hop.address);
                if (code != null) ctx.put("IcmpCode", code);
                ctx.put("Evidence", "trace");
                hop.issues.add(issue("Local", "Error", ICMP_UNREACHABLE, ctx));
            }
        });
        withoutSymptomsOfNamedCauses(hops);
        boolean anyIssue = hops.stream().anyMatch(h -> !h.issues.isEmpty());
        if (!reached && !anyIssue) {
            Hop last = lastResponder(hops);
            String name = last.vmKey == null ? last.address : compute.findVm(last.vmKey).map(v -> v.id().name()).orElse(last.address);
            last.issues.add(issue("Outbound", "Error", "Unknown", Map.of("Reason", "probes were dropped after hop " + name
                    + " (" + last.address + "); no firewall rule or route on the registered hosts matched the flow")));
        }
        return result(hops, source.probes(), flow);
    }

    /** netwatcher's issue types for what the probes saw (README "Connectivity check"). */
    static final String PORT_CLOSED = "PortClosed";
    static final String ICMP_UNREACHABLE = "IcmpUnreachable";
    static final String NOT_REACHED = "DestinationNotReached";
    /** Issue types that name a rule or a route: a cause, where a reset or an ICMP error is only its symptom. */
    private static final java.util.Set<String> CAUSES = java.util.Set.of("GuestFirewall", "NetworkSecurityRule", "UserDefinedRoute");

    /**
     * Drops symptoms that a named cause explains: an ICMP unreachable on a hop whose own rule or route is named (a
     * {@code reject} rule or an unreachable route sent it), and {@code PortClosed} when any hop names a rule or
     * route (a {@code reject with tcp reset} forges the destination's reset: nothing is known to be closed).
     */
    private static void withoutSymptomsOfNamedCauses(List<Hop> hops) {
        boolean anyCause = false;
        for (Hop h : hops) {
            boolean cause = h.issues.stream().anyMatch(i -> CAUSES.contains(i.get("type")) && "Error".equals(i.get("severity")));
            anyCause |= cause;
            if (cause) h.issues.removeIf(i -> ICMP_UNREACHABLE.equals(i.get("type")));
        }
        if (anyCause) for (Hop h : hops) h.issues.removeIf(i -> PORT_CLOSED.equals(i.get("type")));
    }

    /** Issue types about what a remote hop answered (the agent's context Address names that hop). */
    private static final java.util.Set<String> ANSWERS = java.util.Set.of(PORT_CLOSED, ICMP_UNREACHABLE, "TlsHandshake", "HttpStatus",
            "Unknown");

    /** The address of the hop that answered the probes a finding is about (context Address), or null. */
    private static String answeredBy(CheckReport.Finding f) {
        return ANSWERS.contains(f.type()) ? f.context().get("Address") : null;
    }

    private static boolean isLoopback(String ip) {
        return IpLiteral.address(ip).map(a -> a.address().isLoopbackAddress()).orElse(false);
    }

    /**
     * The path as the registered hosts' routes draw it, by TTL: the source's next hop, then each
     * registered forwarder's next hop for the forwarded flow (its observer's report), until the
     * destination, an address no registered host owns, or a loop. TTL {@code n} is the n-th
     * forwarder. Used only to name a forwarder that stayed silent on the wire.
     */
    private Map<Integer, Owner> routeWalk(String dest, Map<String, CheckReport> reports) {
        Map<Integer, Owner> out = new LinkedHashMap<>();
        CheckReport.NextHop next = source.nextHop();
        java.util.Set<String> seen = new java.util.HashSet<>();
        seen.add(check.sourceVmKey());
        for (int ttl = 1; ttl <= 64 && next != null && next.ipAddress() != null; ttl++) {
            if (dest != null && normal(next.ipAddress()).equals(normal(dest))) break;
            Owner o = owners.get(normal(next.ipAddress()));
            if (o == null || !seen.add(o.nic().vmKey())) break;
            if (dest != null && o.nic().vmKey().equals(destinationVmKey(dest))) break;
            out.put(ttl, o);
            CheckReport report = reports.get(o.nic().vmKey());
            next = report == null ? null : report.nextHop();
        }
        return out;
    }

    private String destinationVmKey(String dest) {
        Owner o = owners.get(normal(dest));
        return o == null ? null : o.nic().vmKey();
    }

    /** The last hop that answered the trace (not an unreached destination), else the source. */
    private Hop lastResponder(List<Hop> hops) {
        for (int i = hops.size() - 1; i > 0; i--) {
            Hop h = hops.get(i);
            if (h.address != null && !h.type.equals("Destination") && !h.rtt.isEmpty()) return h;
        }
        return hops.getFirst();
    }

    private Map<String, Object> result(List<Hop> hops, CheckReport.ProbeSummary probes, Flow flow) {
        for (int i = 0; i < hops.size(); i++) {
            hops.get(i).id = UUID.nameUUIDFromBytes((check.key() + "/" + i).getBytes(StandardCharsets.UTF_8)).toString();
        }
        boolean links = version.atLeast("2020-11-01");
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < hops.size(); i++) {
            Hop h = hops.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", h.type);
            m.put("id", h.id);
            m.put("address", h.address);
            m.put("resourceId", h.resourceId);
            m.put("nextHopIds", i + 1 < hops.size() ? List.of(hops.get(i + 1).id) : List.of());
            if (links) {
                m.put("previousHopIds", i > 0 ? List.of(hops.get(i - 1).id) : List.of());
                List<Map<String, Object>> ls = new ArrayList<>();
                if (i + 1 < hops.size()) ls.add(link(hops.get(i + 1)));
                m.put("links", ls);
                m.put("previousLinks", i > 0 ? List.of(link(h)) : List.of());
            }
            m.put("issues", h.issues);
            out.add(m);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("hops", out);
        int sent = probes == null ? 0 : probes.sent();
        int failed = probes == null ? 0 : probes.failed();
        String status = probes == null ? "Unknown" : failed == 0 && sent > 0 ? "Reachable" : failed >= sent ? "Unreachable" : "Degraded";
        r.put("connectionStatus", status);
        if (probes != null && probes.avgMs() != null && sent > failed) {
            r.put("avgLatencyInMs", probes.avgMs());
            r.put("minLatencyInMs", probes.minMs());
            r.put("maxLatencyInMs", probes.maxMs());
        }
        r.put("probesSent", sent);
        r.put("probesFailed", failed);
        if (probes != null) {
            // netwatcher's extras (ARM clients ignore unknown fields): per-class outcomes, fractional latency percentiles
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("outcomes", probes.outcomes());
            if (!probes.latencyMs().isEmpty()) extra.put("latencyPercentilesMs", probes.latencyMs());
            if (probes.httpStatus() != null) extra.put("lastHttpStatus", probes.httpStatus());
            r.put("probeStatistics", extra);
        }
        return r;
    }

    private Map<String, Object> link(Hop to) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("nextHopId", to.id);
        l.put("linkType", "HopLink");
        if (!to.rtt.isEmpty()) {
            double min = to.rtt.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = to.rtt.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double avg = to.rtt.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            l.put("properties", Map.of("roundTripTimeMin", Math.round(min), "roundTripTimeAvg", Math.round(avg), "roundTripTimeMax", Math.round(max)));
        }
        l.put("issues", List.of());
        l.put("context", Map.of());
        l.put("resourceId", to.resourceId);
        return l;
    }

    /** Context keys ARM clients look for come first, as Azure's own answers show them. */
    private static final List<String> FIRST_KEYS = List.of("RuleName", "RouteType", "Route", "RouteTableId");

    /**
     * An agent's finding as an ARM issue. A route finding ({@code Table} in its context) of {@code host} gets
     * {@code RouteTableId}: the id of that VM's route table resource.
     */
    private static Map<String, Object> issue(CheckReport.Finding f, netwatcher.arm.ArmResourceId host) {
        Map<String, String> given = new LinkedHashMap<>(f.context());
        if (host != null && given.containsKey("Table") && "UserDefinedRoute".equals(f.type())) {
            given.put("RouteTableId", RouteTableService.idOf(host, given.get("Table")).toString());
        }
        if (given.containsKey("RouteOrigin")) {
            // Azure's RouteType is User or System; the agent's kind of route (Blackhole, PolicyRule, ...) moves to RouteKind
            String kind = given.remove("RouteType");
            given.put("RouteType", given.remove("RouteOrigin"));
            if (kind != null) given.put("RouteKind", kind);
        }
        Map<String, String> ctx = new LinkedHashMap<>();
        for (String k : FIRST_KEYS) if (given.containsKey(k)) ctx.put(k, given.get(k));
        given.keySet().stream().filter(k -> !FIRST_KEYS.contains(k)).sorted().forEach(k -> ctx.put(k, given.get(k)));
        if (f.evidence() != null) ctx.put("Evidence", f.evidence());
        return issue(f.origin() == null ? "Local" : f.origin(), f.severity() == null ? "Error" : f.severity(), f.type(), ctx);
    }

    private static Map<String, Object> issue(String origin, String severity, String type, Map<String, String> context) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("origin", origin);
        m.put("severity", severity);
        m.put("type", type);
        List<Map<String, String>> ctx = new ArrayList<>();
        context.forEach((k, v) -> ctx.add(kv(k, v)));
        m.put("context", ctx);
        return m;
    }

    private static Map<String, String> kv(String k, String v) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("key", k);
        m.put("value", v);
        return m;
    }

    private static String ipConfigId(Owner o) {
        return o.nic().id() + "/ipConfigurations/ipconfig" + o.ipConfig();
    }

    private static String addressOf(Owner o) {
        return o.nic().addresses().get(o.ipConfig() - 1).replaceAll("/.*", "");
    }

    /** The canonical form of an IP literal (never resolved: a name stays as it is and matches no owner). */
    private static String normal(String ip) {
        return IpLiteral.address(ip).map(IpLiteral::canonical).orElse(ip);
    }

    private boolean insideRegistered(String ip) {
        for (String s : subnets) if (inCidr(ip, s)) return true;
        return false;
    }

    static boolean inCidr(String ip, String cidr) {
        var net = IpLiteral.prefix(cidr);
        var a = IpLiteral.address(ip);
        return net.isPresent() && a.isPresent() && net.get().contains(a.get().address());
    }
}
