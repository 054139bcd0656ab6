package netwatcher.agent.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import netwatcher.agent.probe.ProbeResult;
import netwatcher.agent.probe.ProbeRun;
import netwatcher.agent.probe.TlsProblem;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ProbeSpec;

/**
 * What the probes themselves prove, as findings on the hop that answered them (context {@code Address}: the
 * responder's address; the controller puts the issue on the hop with that address, origin Local, evidence
 * {@code probe}). One finding per failure class and responder:
 * <ul>
 *   <li>{@code PortClosed}: TCP resets to the probes: nothing listens on the port (context Port, Reply);</li>
 *   <li>{@code TlsHandshake}: the HTTPS handshake failed (context Problem: UntrustedCertificate, NameMismatch,
 *       CertificateExpired, CertificateNotYetValid or HandshakeFailure; Detail: the TLS library's words);</li>
 *   <li>{@code HttpStatus}: an HTTP status outside {@code validStatusCodes} (context Status, ValidStatusCodes, Path);</li>
 *   <li>{@code IcmpUnreachable}: an ICMP destination-unreachable from a router or the destination (context
 *       IcmpCode);</li>
 *   <li>{@code Unknown}: the destination took the connection but answered no HTTP status line, or not HTTP
 *       (context Reason: what the probe saw).</li>
 * </ul>
 * Each finding says how many probes it covers ({@code Probes: "n of m"}). Probes refused by this host itself
 * (responder {@code local}: its own firewall or routes) and timeouts make no finding here: the host's firewall
 * and route evaluation and the observers explain those. Pure; thread-safe.
 */
final class ProbeFindings {
    /** Finding types netwatcher adds to ARM's IssueType (documented in README "Connectivity check"). */
    static final String PORT_CLOSED = "PortClosed";
    static final String TLS_HANDSHAKE = "TlsHandshake";
    static final String HTTP_STATUS = "HttpStatus";
    static final String ICMP_UNREACHABLE = "IcmpUnreachable";
    /** ARM's Unknown, for an answer of no known class from a remote hop (not HTTP, no status line). */
    static final String UNKNOWN = "Unknown";

    private ProbeFindings() {}

    static List<CheckReport.Finding> of(ProbeRun run, Flow flow, ProbeSpec.Http http) {
        return of(run, flow, http, List.of());
    }

    /**
     * As {@link #of(ProbeRun, Flow, ProbeSpec.Http)}, plus an {@code IcmpUnreachable} (evidence {@code trace}) for a
     * trace hop that answered with ICMP destination-unreachable when no probe did: a TCP socket takes a router's
     * net- or host-unreachable as a soft error and times out, the trace's raw socket sees it.
     */
    static List<CheckReport.Finding> of(ProbeRun run, Flow flow, ProbeSpec.Http http, List<CheckReport.TraceHop> trace) {
        List<CheckReport.Finding> out = fromProbes(run, flow, http);
        for (CheckReport.TraceHop hop : trace) {
            if (!"unreachable".equals(hop.reply()) || hop.address() == null) continue;
            boolean named = out.stream().anyMatch(f -> f.type().equals(ICMP_UNREACHABLE) && hop.address().equals(f.context().get("Address")));
            if (named) continue;
            Map<String, String> context = new LinkedHashMap<>();
            context.put("Address", hop.address());
            if (hop.icmpCode() != null) context.put("IcmpCode", hop.icmpCode());
            context.put("Ttl", Integer.toString(hop.ttl()));
            out.add(new CheckReport.Finding(ICMP_UNREACHABLE, "Local", "Error", context, "trace"));
        }
        return out;
    }

    private static List<CheckReport.Finding> fromProbes(ProbeRun run, Flow flow, ProbeSpec.Http http) {
        int sent = run.results().size();
        Map<String, List<ProbeResult>> groups = new LinkedHashMap<>();
        for (ProbeResult r : run.results()) {
            if (r.responder() == null || r.responder().equals("local")) continue;
            String kind = switch (r.outcome()) {
                case REFUSED -> PORT_CLOSED;
                case TLS_FAILURE -> TLS_HANDSHAKE;
                case HTTP_STATUS_MISMATCH -> HTTP_STATUS;
                case REJECTED, UNREACHABLE -> r.icmp() == null ? null : ICMP_UNREACHABLE;
                // the destination took the connection but its answer was not HTTP, or never came
                case ERROR, TIMEOUT -> r.detail() == null ? null : UNKNOWN;
                default -> null;
            };
            if (kind == null) continue;
            String detail = switch (kind) {
                case TLS_HANDSHAKE -> r.tls() == null ? TlsProblem.HANDSHAKE_FAILURE.wire() : r.tls().wire();
                case HTTP_STATUS -> String.valueOf(r.httpStatus());
                case ICMP_UNREACHABLE -> r.icmp();
                default -> ""; // Unknown: one finding per responder, with the first probe's words
            };
            groups.computeIfAbsent(kind + "|" + r.responder() + "|" + detail, k -> new ArrayList<>()).add(r);
        }
        List<CheckReport.Finding> out = new ArrayList<>();
        for (Map.Entry<String, List<ProbeResult>> e : groups.entrySet()) {
            String kind = e.getKey().substring(0, e.getKey().indexOf('|'));
            List<ProbeResult> results = e.getValue();
            ProbeResult first = results.getFirst();
            Map<String, String> context = new LinkedHashMap<>();
            context.put("Address", first.responder());
            switch (kind) {
                case PORT_CLOSED -> {
                    context.put("Port", Integer.toString(flow.destinationPort()));
                    context.put("Reply", "TCP RST: nothing listens on the port");
                }
                case TLS_HANDSHAKE -> {
                    context.put("Problem", first.tls() == null ? TlsProblem.HANDSHAKE_FAILURE.wire() : first.tls().wire());
                    if (first.detail() != null) context.put("Detail", first.detail());
                }
                case HTTP_STATUS -> {
                    context.put("Status", String.valueOf(first.httpStatus()));
                    context.put("ValidStatusCodes", validCodes(http));
                    if (http != null && http.path() != null) context.put("Path", http.path());
                }
                case ICMP_UNREACHABLE -> context.put("IcmpCode", first.icmp());
                case UNKNOWN -> context.put("Reason", first.detail());
                default -> { }
            }
            context.put("Probes", results.size() + " of " + sent);
            out.add(new CheckReport.Finding(kind, "Local", "Error", context, "probe"));
        }
        return out;
    }

    private static String validCodes(ProbeSpec.Http http) {
        if (http == null || http.validStatusCodes().isEmpty()) return "200-299";
        return http.validStatusCodes().stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
