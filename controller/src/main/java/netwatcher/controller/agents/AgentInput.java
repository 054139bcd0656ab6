package netwatcher.controller.agents;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.compute.IpLiteral;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.HostNames;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.RouteTableReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.StopReason;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

/**
 * Validation of what agents send ({@link HostReport}, {@link Reports}), as strict as the ARM API:
 * every field is checked before anything is recorded, and the first violation is a 400
 * {@code InvalidParameter} whose message and {@code target} name the field (JSON path, e.g.
 * {@code nics[0].addresses[1]}). IP addresses must be literals (never resolved). The rules are listed
 * in docs/agent-protocol.md. Pure and stateless; thread-safe.
 */
public final class AgentInput {
    /** At most this many NICs per host report. */
    public static final int MAX_NICS = 1024;
    /** At most this many addresses per NIC. */
    public static final int MAX_ADDRESSES_PER_NIC = 64;
    /** At most this many addresses per host report, all NICs together. */
    public static final int MAX_ADDRESSES = 1024;
    /** At most this many capture (and, separately, check) reports per POST. */
    public static final int MAX_REPORTS = 1000;
    /** Longest message / problem / free text, in characters. */
    public static final int MAX_TEXT = 4096;
    /** Longest capability or problem list. */
    public static final int MAX_LIST = 64;

    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){3,19}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.+_~-]{0,63}");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** A kernel routing table's name as it can be part of an ARM name ({@code main}, {@code 77}, {@code vpn_1}). */
    public static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern ROUTE_WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** At most this many route tables per host report, and routes per table. */
    public static final int MAX_ROUTE_TABLES = 64;
    public static final int MAX_ROUTES = 1024;
    /** At most this many routes per host report, all tables together. */
    public static final int MAX_TOTAL_ROUTES = 2048;
    private static final Set<String> CAPTURE_STATUS = Set.of("NotStarted", "Running", "Stopped", "Error");
    /** Times before this are not from a capture (a zeroed or garbage clock). */
    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    /** Times after this are not from a capture either. */
    private static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private AgentInput() {}

    /** Validates a host report; throws a 400 naming the first bad field. */
    public static void host(HostReport h) {
        if (h == null) throw bad("The host report is missing.", "body");
        optional(h.agentVersion(), VERSION, "agentVersion", "a version such as 1.2.3");
        if (h.hostname() != null && !HostNames.hostname(h.hostname())) {
            throw bad("Property 'hostname' must be a host name (letters, digits, '-', '_', dot-separated labels of at most 63"
                    + " characters, 253 in all); was '" + shown(h.hostname()) + "'.", "hostname");
        }
        text(h.os(), 256, "os");
        optional(h.scaleSet(), TABLE_NAME, "scaleSet", "a scale set name (1-64 letters, digits, '.', '_' or '-')");
        list(h.capabilities(), MAX_LIST, "capabilities");
        for (int i = 0; i < h.capabilities().size(); i++) {
            required(h.capabilities().get(i), TOKEN, "capabilities[" + i + "]", "a word such as capture");
        }
        list(h.problems(), MAX_LIST, "problems");
        for (int i = 0; i < h.problems().size(); i++) {
            String p = "problems[" + i + "]";
            if (h.problems().get(i) == null) throw bad("Property '" + p + "' must not be null.", p);
            text(h.problems().get(i), 1024, p);
        }
        routeTables(h.routeTables());
        list(h.nics(), MAX_NICS, "nics");
        Set<String> names = new HashSet<>();
        Set<java.net.InetAddress> seen = new HashSet<>();
        int total = 0;
        for (int i = 0; i < h.nics().size(); i++) {
            NicReport n = h.nics().get(i);
            String at = "nics[" + i + "]";
            if (n == null) throw bad("Property '" + at + "' must not be null.", at);
            nicName(n.name(), at + ".name");
            if (!names.add(n.name())) throw bad("Property '" + at + ".name' repeats the interface name '" + n.name() + "'.", at + ".name");
            if (n.macAddress() != null && !n.macAddress().isEmpty() && !MAC.matcher(n.macAddress()).matches()) {
                throw bad("Property '" + at + ".macAddress' must be a hardware address of 4 to 20 hex octets separated by ':'"
                        + " (02:00:00:00:00:10); was '" + shown(n.macAddress()) + "'.", at + ".macAddress");
            }
            list(n.addresses(), MAX_ADDRESSES_PER_NIC, at + ".addresses");
            total += n.addresses().size();
            if (total > MAX_ADDRESSES) throw bad("A host report carries at most " + MAX_ADDRESSES + " addresses in all.", at + ".addresses");
            for (int j = 0; j < n.addresses().size(); j++) {
                String f = at + ".addresses[" + j + "]";
                String text = n.addresses().get(j);
                IpLiteral a = IpLiteral.prefix(text).orElseThrow(() -> bad("Property '" + f + "' must be an IP address"
                        + " literal with its prefix length (198.18.1.10/24, 2001:2::10/64; 1-32 for IPv4, 1-128 for IPv6);"
                        + " host names are not accepted; was '" + shown(text) + "'.", f));
                String why = a.forbidden().orElse(null);
                if (why != null) throw bad("Property '" + f + "' is " + why + " (" + a.canonical() + "); it cannot be a network interface address.", f);
                if (!seen.add(a.address())) throw bad("Property '" + f + "' repeats the address " + a.canonical() + ".", f);
            }
        }
    }

    private static void routeTables(List<RouteTableReport> tables) {
        list(tables, MAX_ROUTE_TABLES, "routeTables");
        Set<String> names = new HashSet<>();
        int total = 0;
        for (int i = 0; i < tables.size(); i++) {
            RouteTableReport t = tables.get(i);
            String at = "routeTables[" + i + "]";
            if (t == null) throw bad("Property '" + at + "' must not be null.", at);
            required(t.name(), TABLE_NAME, at + ".name", "a routing table name (1 to 64 letters, digits, '_', '.' or '-')");
            if (!names.add(t.name().toLowerCase(java.util.Locale.ROOT))) {
                throw bad("Property '" + at + ".name' repeats the table name '" + t.name() + "'.", at + ".name");
            }
            list(t.routes(), MAX_ROUTES, at + ".routes");
            total += t.routes().size();
            if (total > MAX_TOTAL_ROUTES) throw bad("A host report carries at most " + MAX_TOTAL_ROUTES + " routes in all.", at + ".routes");
            for (int j = 0; j < t.routes().size(); j++) {
                RouteTableReport.Route r = t.routes().get(j);
                String f = at + ".routes[" + j + "]";
                if (r == null) throw bad("Property '" + f + "' must not be null.", f);
                if (!routePrefix(r.destination())) {
                    throw bad("Property '" + f + ".destination' must be an IP address literal with its prefix length (0-32 for"
                            + " IPv4, 0-128 for IPv6); was '" + shown(r.destination()) + "'.", f + ".destination");
                }
                required(r.type(), ROUTE_WORD, f + ".type", "a route type such as unicast or blackhole");
                literal(r.gateway(), f + ".gateway");
                if (r.device() != null) nicName(r.device(), f + ".device");
                optional(r.protocol(), ROUTE_WORD, f + ".protocol", "a route protocol such as kernel, boot or static");
                count(r.metric(), f + ".metric");
            }
        }
    }

    /** {@code address/length} with a literal address and 0 to 32 (IPv4) or 0 to 128 (IPv6). */
    static boolean routePrefix(String text) {
        if (text == null) return false;
        int slash = text.indexOf('/');
        if (slash < 0 || !text.substring(slash + 1).matches("0|[1-9]\\d{0,2}")) return false;
        var a = IpLiteral.address(text.substring(0, slash));
        if (a.isEmpty()) return false;
        int length = Integer.parseInt(text.substring(slash + 1));
        return length <= (a.get().address().getAddress().length == 4 ? 32 : 128);
    }

    /** Validates a linux interface name: 1-15 characters of [A-Za-z0-9_.-], not '.' or '..'. */
    static void nicName(String name, String field) {
        if (!HostNames.interfaceName(name)) {
            throw bad("Property '" + field + "' must be a network interface name: 1 to 15 letters, digits, '_', '.' or '-',"
                    + " not '.' or '..'; was '" + shown(name) + "'.", field);
        }
    }

    /** Validates a batch of reports; throws a 400 naming the first bad field. */
    public static void reports(Reports r) {
        if (r == null) throw bad("The reports body is missing.", "body");
        list(r.captures(), MAX_REPORTS, "captures");
        list(r.checks(), MAX_REPORTS, "checks");
        for (int i = 0; i < r.captures().size(); i++) capture(r.captures().get(i), "captures[" + i + "]");
        for (int i = 0; i < r.checks().size(); i++) check(r.checks().get(i), "checks[" + i + "]");
        list(r.snapshots(), MAX_REPORTS, "snapshots");
        for (int i = 0; i < r.snapshots().size(); i++) {
            String at = "snapshots[" + i + "]";
            var s = r.snapshots().get(i);
            required(s.id(), KEY, at + ".id", "a snapshot id");
            required(s.captureKey(), KEY, at + ".captureKey", "a capture key");
            if (s.packets() < 0 || s.bytes() < 0) throw bad("Property '" + at + "' counts must not be negative.", at);
        }
    }

    static void capture(CaptureReport c, String at) {
        if (c == null) throw bad("Property '" + at + "' must not be null.", at);
        required(c.key(), KEY, at + ".key", "a capture key");
        // words outside the protocol's enums are refused while parsing, naming the field (AgentRoutes.parse)
        if (c.status() == null || c.status() == CaptureStatus.Unknown) {
            throw bad("Property '" + at + ".status' must be one of " + sorted(CAPTURE_STATUS) + "; was '" + c.status() + "'.", at + ".status");
        }
        list(c.errors(), CaptureError.values().length, at + ".errors");
        for (int i = 0; i < c.errors().size(); i++) {
            if (c.errors().get(i) == null) {
                throw bad("Property '" + at + ".errors[" + i + "]' must be one of " + sorted(names(CaptureError.values())) + ".", at + ".errors[" + i + "]");
            }
        }
        text(c.message(), MAX_TEXT, at + ".message");
        time(c.startTime(), at + ".startTime");
        time(c.endTime(), at + ".endTime");
        time(c.firstPacketTime(), at + ".firstPacketTime");
        time(c.lastPacketTime(), at + ".lastPacketTime");
        count(c.packets(), at + ".packets");
        count(c.bytes(), at + ".bytes");
        count(c.kernelDrops(), at + ".kernelDrops");
        count(c.interfaceDrops(), at + ".interfaceDrops");
        count(c.kernelReceived(), at + ".kernelReceived");
        count(c.uploadedBytes(), at + ".uploadedBytes");
        text(c.filePath(), MAX_TEXT, at + ".filePath");
        if (c.uploadState() == UploadState.VERIFYING) {
            throw bad("Property '" + at + ".uploadState' must be one of none, pending, uploading, done, failed or null; was 'verifying'"
                    + " (the controller's own state).", at + ".uploadState");
        }
    }

    static void check(CheckReport c, String at) {
        if (c == null) throw bad("Property '" + at + "' must not be null.", at);
        required(c.key(), KEY, at + ".key", "a check key");
        // a role or state outside the protocol's is refused while parsing, naming the field (AgentRoutes.parse)
        if (c.role() == null) throw bad("Property '" + at + ".role' is required.", at + ".role");
        if (c.state() == null) throw bad("Property '" + at + ".state' is required.", at + ".state");
        text(c.error(), MAX_TEXT, at + ".error");
        Flow f = c.flow();
        if (f != null) {
            token(f.protocol(), at + ".flow.protocol");
            literal(f.sourceAddress(), at + ".flow.sourceAddress");
            literal(f.destinationAddress(), at + ".flow.destinationAddress");
            text(f.destinationHost(), 2048, at + ".flow.destinationHost");
            port(f.sourcePort(), at + ".flow.sourcePort");
            port(f.destinationPort(), at + ".flow.destinationPort");
            token(f.direction(), at + ".flow.direction");
            token(f.preferredIpVersion(), at + ".flow.preferredIpVersion");
        }
        CheckReport.ProbeSummary p = c.probes();
        if (p != null) {
            count(p.sent(), at + ".probes.sent");
            count(p.failed(), at + ".probes.failed");
            if (p.failed() > p.sent()) throw bad("Property '" + at + ".probes.failed' must not exceed probes.sent.", at + ".probes.failed");
            for (String[] ms : new String[][] {{"minMs", str(p.minMs())}, {"avgMs", str(p.avgMs())}, {"maxMs", str(p.maxMs())}}) {
                if (ms[1] != null && Long.parseLong(ms[1]) < 0) throw bad("Property '" + at + ".probes." + ms[0] + "' must not be negative.", at + ".probes." + ms[0]);
            }
            map(p.outcomes(), 32, at + ".probes.outcomes");
            for (var e : p.outcomes().entrySet()) {
                if (e.getValue() == null || e.getValue() < 0) throw bad("Property '" + at + ".probes.outcomes." + shown(e.getKey()) + "' must be a count.", at + ".probes.outcomes");
            }
            map(p.latencyMs(), 32, at + ".probes.latencyMs");
            for (var e : p.latencyMs().entrySet()) number(e.getValue(), at + ".probes.latencyMs");
            if (p.httpStatus() != null && (p.httpStatus() < 100 || p.httpStatus() > 599)) {
                throw bad("Property '" + at + ".probes.httpStatus' must be an HTTP status (100-599).", at + ".probes.httpStatus");
            }
        }
        list(c.hops(), 255, at + ".hops");
        for (int i = 0; i < c.hops().size(); i++) {
            CheckReport.TraceHop h = c.hops().get(i);
            String hat = at + ".hops[" + i + "]";
            if (h == null) throw bad("Property '" + hat + "' must not be null.", hat);
            if (h.ttl() < 1 || h.ttl() > 255) throw bad("Property '" + hat + ".ttl' must be 1-255.", hat + ".ttl");
            literal(h.address(), hat + ".address");
            list(h.rttMs(), 32, hat + ".rttMs");
            for (Double d : h.rttMs()) number(d, hat + ".rttMs");
            token(h.reply(), hat + ".reply");
            text(h.icmpCode(), 64, hat + ".icmpCode");
        }
        list(c.findings(), 256, at + ".findings");
        for (int i = 0; i < c.findings().size(); i++) {
            CheckReport.Finding fd = c.findings().get(i);
            String fat = at + ".findings[" + i + "]";
            if (fd == null) throw bad("Property '" + fat + "' must not be null.", fat);
            token(fd.type(), fat + ".type");
            token(fd.origin(), fat + ".origin");
            token(fd.severity(), fat + ".severity");
            token(fd.evidence(), fat + ".evidence");
            stringMap(fd.context(), fat + ".context");
        }
        if (c.verdict() != null) {
            token(c.verdict().access(), at + ".verdict.access");
            text(c.verdict().ruleName(), 1024, at + ".verdict.ruleName");
            stringMap(c.verdict().context(), at + ".verdict.context");
        }
        if (c.evidence() != null) {
            var ev = c.evidence();
            String eat = at + ".evidence";
            if (!Set.of(netwatcher.model.check.EvidenceReport.CAPTURED, netwatcher.model.check.EvidenceReport.UNAVAILABLE).contains(ev.state())) {
                throw bad("Property '" + eat + ".state' must be captured or unavailable; was '" + shown(ev.state()) + "'.", eat + ".state");
            }
            if (!Set.of(netwatcher.model.check.EvidenceReport.UPLOAD_PENDING, netwatcher.model.check.EvidenceReport.UPLOAD_NONE).contains(ev.upload())) {
                throw bad("Property '" + eat + ".upload' must be pending or none; was '" + shown(ev.upload()) + "'.", eat + ".upload");
            }
            text(ev.reason(), MAX_TEXT, eat + ".reason");
            text(ev.filter(), MAX_TEXT, eat + ".filter");
            count(ev.packets(), eat + ".packets");
            count(ev.bytes(), eat + ".bytes");
            time(ev.firstPacketTime(), eat + ".firstPacketTime");
            time(ev.lastPacketTime(), eat + ".lastPacketTime");
            if (netwatcher.model.check.EvidenceReport.UPLOAD_PENDING.equals(ev.upload()) && ev.sha256() == null) {
                throw bad("Property '" + eat + ".sha256' is required with upload pending.", eat + ".sha256");
            }
        }
        if (c.nextHop() != null) {
            token(c.nextHop().type(), at + ".nextHop.type");
            literal(c.nextHop().ipAddress(), at + ".nextHop.ipAddress");
            text(c.nextHop().route(), 1024, at + ".nextHop.route");
        }
    }

    // ---------------------------------------------------------------- field rules

    private static void required(String v, Pattern p, String field, String what) {
        if (v == null || !p.matcher(v).matches()) throw bad("Property '" + field + "' must be " + what + "; was '" + shown(v) + "'.", field);
    }

    private static void optional(String v, Pattern p, String field, String what) {
        if (v != null) required(v, p, field, what);
    }

    private static void token(String v, String field) {
        optional(v, TOKEN, field, "a word of letters, digits, '_' or '-' (at most 64)");
    }

    private static void literal(String v, String field) {
        if (v != null && IpLiteral.address(v).isEmpty()) {
            throw bad("Property '" + field + "' must be an IP address literal (host names are not accepted); was '" + shown(v) + "'.", field);
        }
    }

    private static void port(int v, String field) {
        if (v < 0 || v > 65535) throw bad("Property '" + field + "' must be a port (0-65535); was " + v + ".", field);
    }

    private static void count(long v, String field) {
        if (v < 0) throw bad("Property '" + field + "' must not be negative; was " + v + ".", field);
    }

    private static void number(Double d, String field) {
        if (d == null || d.isNaN() || d.isInfinite() || d < 0) throw bad("Property '" + field + "' must hold non-negative numbers.", field);
    }

    private static void time(Instant t, String field) {
        if (t != null && (t.isBefore(EARLIEST) || t.isAfter(LATEST))) {
            throw bad("Property '" + field + "' must be a time between 2000 and 2200; was " + t + ".", field);
        }
    }

    /** Free text: at most {@code max} characters, no control characters but tab and newline. */
    private static void text(String v, int max, String field) {
        if (v == null) return;
        if (v.length() > max) throw bad("Property '" + field + "' is longer than " + max + " characters.", field);
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f) {
                throw bad("Property '" + field + "' contains a control character.", field);
            }
        }
    }

    private static void list(List<?> l, int max, String field) {
        if (l.size() > max) throw bad("Property '" + field + "' has " + l.size() + " entries; at most " + max + " are allowed.", field);
    }

    private static void map(Map<String, ?> m, int max, String field) {
        if (m.size() > max) throw bad("Property '" + field + "' has " + m.size() + " entries; at most " + max + " are allowed.", field);
    }

    private static void stringMap(Map<String, String> m, String field) {
        map(m, 64, field);
        for (var e : m.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) throw bad("Property '" + field + "' has an empty key.", field);
            text(e.getKey(), 128, field);
            text(e.getValue(), 1024, field + "." + shown(e.getKey()));
        }
    }

    private static Set<String> names(Enum<?>[] values) {
        Set<String> s = new HashSet<>();
        for (Enum<?> e : values) s.add(e.name());
        return s;
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", new java.util.TreeSet<>(s));
    }

    private static String str(Integer i) { return i == null ? null : i.toString(); }

    /** A value for a message: at most 64 characters, control characters replaced. */
    static String shown(String v) {
        if (v == null) return "null";
        String s = v.length() > 64 ? v.substring(0, 64) + "..." : v;
        return s.replaceAll("[\\p{Cntrl}]", "?");
    }

    private static ArmException bad(String message, String target) {
        return ArmErrorCode.InvalidParameter.exception(message, target);
    }
}
