package netwatcher.model.check;

import java.util.List;
import java.util.Map;

/**
 * What an agent reports for its part of a check.
 *
 * @param key       the check's key
 * @param role      the order's role
 * @param state     armed (observer watching), probing (the source's interim report), done, failed
 * @param flow      the flow as this agent resolved it (source: destination address, source address and port)
 * @param probes    source only: the probe summary
 * @param hops      source only: the trace, hop by hop (TTL order)
 * @param findings  what this host knows about the flow, each with its evidence
 * @param verdict   verify only
 * @param nextHop   nexthop (and source: its own route)
 * @param error     a failure message, when state is failed
 * @param evidence  source and observer, final report: what this host captured of the probes, or null
 */
public record CheckReport(String key, CheckRole role, ReportState state, Flow flow, ProbeSummary probes, List<TraceHop> hops,
                          List<Finding> findings, Verdict verdict, NextHop nextHop, String error, EvidenceReport evidence) {
    public CheckReport {
        hops = hops == null ? List.of() : List.copyOf(hops);
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    /** This report with {@code value} as its evidence. */
    public CheckReport withEvidence(EvidenceReport value) {
        return new CheckReport(key, role, state, flow, probes, hops, findings, verdict, nextHop, error, value);
    }

    /**
     * The probes of a connectivity check.
     *
     * @param outcomes count per class: connected, refused, timeout, rejected, unreachable, httpStatusMismatch, error
     * @param minMs    min/avg/max latency over the successful probes, null when none succeeded
     * @param httpStatus the last HTTP status seen, or null
     * @param latencyMs  percentiles of the successful probes' latency in fractional milliseconds
     *                   (p50, p90, p99), or empty; ARM's integer fields round away sub-millisecond paths
     */
    public record ProbeSummary(int sent, int failed, Integer minMs, Integer avgMs, Integer maxMs,
                               Map<String, Integer> outcomes, Integer httpStatus, Map<String, Double> latencyMs) {
        public ProbeSummary {
            outcomes = outcomes == null ? Map.of() : Map.copyOf(outcomes);
            latencyMs = latencyMs == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(latencyMs));
        }
    }

    /**
     * One TTL of the trace.
     *
     * @param address the responder, or null when the hop stayed silent
     * @param reply   timeExceeded | destination (the destination answered: SYN-ACK, RST, echo reply)
     *                | unreachable (ICMP destination unreachable from this hop) | none
     * @param icmpCode ICMP type/code text for unreachable replies (e.g. "admin-prohibited", "port-unreachable")
     */
    public record TraceHop(int ttl, String address, List<Double> rttMs, String reply, String icmpCode) {
        public TraceHop {
            rttMs = rttMs == null ? List.of() : List.copyOf(rttMs);
        }
    }

    /**
     * A fact about the flow on this host, with its proof.
     *
     * @param type     an ARM IssueType (GuestFirewall, NetworkSecurityRule, UserDefinedRoute, DnsResolution,
     *                 SocketBind, Platform, Unknown) or one of netwatcher's: PortClosed, TlsHandshake, HttpStatus,
     *                 IcmpUnreachable (about the hop that answered: context Address), DestinationNotReached
     * @param origin   Inbound, Outbound or Local
     * @param severity Error or Warning
     * @param context  key/value context (RuleName, Table, Chain, Handle, Verdict, RouteType, Route, ...)
     * @param evidence counters (a rule's counter moved) | trace (an nftables trace of the flow saw it) | ruleset (the
     *                 live ruleset evaluated for the flow) | route-lookup | probe | none
     */
    public record Finding(String type, String origin, String severity, Map<String, String> context, String evidence) {
        public Finding {
            context = context == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(context));
        }
    }

    /** IP flow verify's answer: Allow or Deny, and the rule that decided (null when the chain policy did). */
    public record Verdict(String access, String ruleName, Map<String, String> context) {
        public Verdict {
            context = context == null ? Map.of() : Map.copyOf(context);
        }
    }

    /**
     * The route the kernel picks.
     *
     * @param type      Internet, VirtualAppliance, VnetLocal, None (blackhole/unreachable/prohibit), ...
     * @param ipAddress the gateway, or null
     * @param userDefined true when the route is not a kernel/connected route (proto static/boot added by a user)
     * @param route     the route as `ip route` prints it
     * @param table     the kernel routing table that holds the route (or whose policy rule refused the flow), or
     *                  null when no table has a route for it; the controller points {@code routeTableId} at it
     */
    public record NextHop(String type, String ipAddress, boolean userDefined, String route, String table) {
        /** A next hop whose table is not known. */
        public NextHop(String type, String ipAddress, boolean userDefined, String route) {
            this(type, ipAddress, userDefined, route, null);
        }
    }
}
