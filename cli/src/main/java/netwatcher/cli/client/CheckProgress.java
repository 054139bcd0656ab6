package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The live view of a running connectivity check, fed with the operation's Azure-AsyncOperation
 * status bodies. netwatcher adds {@code percentComplete} and {@code properties: {phase, probesSent,
 * probesFailed, hops:[{ttl,address}]}} while the check runs; other ARM endpoints send only
 * {@code status}, and then only that is shown. On a terminal it redraws a panel in place (ANSI
 * cursor-up and erase-line): the phase with a bar, the probes, then one line per hop found so far
 * (the panel grows as hops appear). Elsewhere it prints one plain line whenever something changes,
 * with no escape codes. Not thread-safe: one polling loop drives it.
 */
public final class CheckProgress {
    private final LivePanel view;
    private final String destination;

    /** One observation of a check. */
    public record Snapshot(String status, String phase, Double percent, Integer probesSent, Integer probesFailed, List<Hop> hops) {
        /** One hop of the trace so far; {@code address} null for a silent hop. */
        public record Hop(int ttl, String address) {}

        /** From an Azure-AsyncOperation status body. */
        public static Snapshot of(JsonNode status) {
            JsonNode p = status.path("properties");
            List<Hop> hops = new ArrayList<>();
            for (JsonNode h : p.path("hops")) {
                hops.add(new Hop(h.path("ttl").asInt(), h.hasNonNull("address") ? h.get("address").asText() : null));
            }
            return new Snapshot(status.path("status").asText("Unknown"), p.hasNonNull("phase") ? p.get("phase").asText() : null,
                    status.hasNonNull("percentComplete") ? status.get("percentComplete").asDouble() : null,
                    p.hasNonNull("probesSent") ? p.get("probesSent").asInt() : null,
                    p.hasNonNull("probesFailed") ? p.get("probesFailed").asInt() : null, List.copyOf(hops));
        }
    }

    public CheckProgress(PrintWriter out, boolean terminal, String destination) {
        this.view = new LivePanel(out, terminal);
        this.destination = destination;
    }

    /** Shows one status body; a terminal one is left to {@link #finish} (or to the error the caller prints). */
    public void update(JsonNode status) {
        Snapshot s = Snapshot.of(status);
        if (List.of("Succeeded", "Failed", "Canceled").stream().anyMatch(t -> t.equalsIgnoreCase(s.status()))) return;
        show(s);
    }

    /** Shows the end: the final result's status, probes and hop addresses. */
    public void finish(JsonNode result) {
        List<Snapshot.Hop> hops = new ArrayList<>();
        int ttl = 0;
        for (JsonNode h : result.path("hops")) hops.add(new Snapshot.Hop(ttl++, h.hasNonNull("address") ? h.get("address").asText() : null));
        if (!hops.isEmpty()) hops.removeFirst(); // the Source hop is this VM, not a trace hop
        show(new Snapshot(result.path("connectionStatus").asText("Succeeded"), "done", 100.0,
                result.hasNonNull("probesSent") ? result.get("probesSent").asInt() : null,
                result.hasNonNull("probesFailed") ? result.get("probesFailed").asInt() : null, hops));
    }

    void show(Snapshot s) {
        view.show(() -> panel(s), () -> plain(s));
    }

    List<String> panel(Snapshot s) {
        List<String> lines = new ArrayList<>();
        String bar = "";
        if (s.percent() != null) {
            bar = LivePanel.bar(s.percent() / 100, "%.0f%%");
        }
        lines.add("check to " + destination + "  " + (s.phase() != null ? s.phase() : s.status()) + bar);
        lines.add("  probes " + (s.probesSent() == null ? "-" : s.probesSent()) + " sent, "
                + (s.probesFailed() == null ? "-" : s.probesFailed()) + " failed"
                + (s.phase() != null && s.phase().equals("done") ? "   " + s.status() : ""));
        for (Snapshot.Hop h : s.hops()) lines.add(String.format(Locale.ROOT, "  hop %2d  %s", h.ttl(), h.address() == null ? "*" : h.address()));
        return lines;
    }

    String plain(Snapshot s) {
        StringBuilder sb = new StringBuilder("check ").append(destination).append(' ').append(s.phase() != null ? s.phase() : s.status());
        if (s.phase() != null && s.phase().equals("done")) sb.append(' ').append(s.status());
        if (s.percent() != null) sb.append(String.format(Locale.ROOT, " %.0f%%", s.percent()));
        if (s.probesSent() != null) sb.append(" probes=").append(s.probesSent()).append(" failed=").append(s.probesFailed());
        if (!s.hops().isEmpty()) {
            sb.append(" hops=");
            sb.append(String.join(",", s.hops().stream().map(h -> h.address() == null ? "*" : h.address()).toList()));
        }
        return sb.toString();
    }
}
