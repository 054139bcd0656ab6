package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live view of a running capture. On a terminal it redraws a three-line panel in place (ANSI
 * cursor-up and erase-line): status, packets, bytes written against the session limit with a bar,
 * kernel and interface drops, and the time left. Elsewhere (pipes, CI, {@code TERM=dumb}) it prints
 * one plain line whenever a counter or the status changes, with no escape codes. Counters are the
 * ones netwatcher adds to queryStatus; against an endpoint that lacks them only the status and time
 * left are shown. Not thread-safe: one polling loop drives it.
 */
public final class Progress {
    private final LivePanel view;
    private final InstantSource clock;

    /** One observation of a capture. Nulls mean "not reported by this endpoint". */
    public record Snapshot(String name, String status, Long packets, Long bytes, Long limitBytes, Long kernelDrops,
                           Long interfaceDrops, Instant start, Long timeLimitSeconds, String stopReason, String uploadState) {

        /** From a queryStatus answer and the capture resource (for the limits). */
        public static Snapshot of(JsonNode status, JsonNode capture) {
            JsonNode p = capture.path("properties");
            return new Snapshot(status.path("name").asText(capture.path("name").asText()), status.path("packetCaptureStatus").asText("Unknown"),
                    num(status, "packetsCaptured"), num(status, "bytesWritten"), num(p, "totalBytesPerSession"),
                    num(status, "kernelDrops"), num(status, "interfaceDrops"), time(status.path("captureStartTime")),
                    num(p, "timeLimitInSeconds"), text(status, "stopReason"), text(status, "uploadState"));
        }

        private static Long num(JsonNode n, String f) { return n.hasNonNull(f) && n.get(f).canConvertToLong() ? n.get(f).asLong() : null; }

        private static String text(JsonNode n, String f) { return n.hasNonNull(f) ? n.get(f).asText() : null; }

        private static Instant time(JsonNode n) {
            if (!n.isTextual()) return null;
            try {
                return Instant.parse(n.asText());
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        /** True when the capture has ended and its file is settled (uploaded, failed, or none). */
        public boolean finished() {
            boolean ended = status.equals("Stopped") || status.equals("Error");
            return ended && (uploadState == null || List.of("done", "failed", "none").contains(uploadState));
        }
    }

    public Progress(PrintWriter out, boolean terminal, InstantSource clock) {
        this.view = new LivePanel(out, terminal);
        this.clock = clock;
    }

    /**
     * True when the panel can be drawn: {@code TERM} is set and not {@code dumb}, and standard error
     * (where progress goes) is a terminal. On Linux that is read from {@code /proc/self/fd/2}, so
     * {@code nw ... > out.json} still shows the panel; elsewhere {@link Console#isTerminal()} decides.
     */
    public static boolean terminal(Map<String, String> env) {
        String term = env.get("TERM");
        if (term == null || term.isBlank() || term.equals("dumb")) return false;
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.exists(fd2, LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException e) {
                // fall through to the JDK's view
            }
        }
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    public void update(Snapshot s) {
        view.show(() -> panel(s), () -> plain(s));
    }

    List<String> panel(Snapshot s) {
        String head = "capture " + s.name() + "  " + s.status() + (s.stopReason() != null ? " (" + s.stopReason() + ")" : "")
                + (s.uploadState() != null && !s.uploadState().equals("none") ? "  upload " + s.uploadState() : "");
        String bytes = s.bytes() == null ? "-" : size(s.bytes());
        String limit = s.limitBytes() == null ? "" : " / " + size(s.limitBytes());
        String bar = "";
        if (s.bytes() != null && s.limitBytes() != null && s.limitBytes() > 0) {
            bar = LivePanel.bar(s.bytes() / (double) s.limitBytes(), "%.1f%%");
        }
        String line2 = "  packets " + count(s.packets()) + "   bytes " + bytes + limit + bar;
        String line3 = "  drops kernel " + count(s.kernelDrops()) + " interface " + count(s.interfaceDrops()) + "   time left " + timeLeft(s);
        return List.of(head, line2, line3);
    }

    String plain(Snapshot s) {
        return s.name() + " " + s.status() + (s.stopReason() != null ? " " + s.stopReason() : "")
                + " packets=" + count(s.packets()) + " bytes=" + (s.bytes() == null ? "-" : s.bytes())
                + (s.limitBytes() == null ? "" : "/" + s.limitBytes())
                + " drops=" + count(s.kernelDrops()) + "/" + count(s.interfaceDrops())
                + " left=" + timeLeft(s) + (s.uploadState() != null ? " upload=" + s.uploadState() : "");
    }

    private String timeLeft(Snapshot s) {
        if (!s.status().equals("Running") && !s.status().equals("NotStarted") && !s.status().equals("Unknown")) return "0:00";
        if (s.start() == null || s.timeLimitSeconds() == null) return "-";
        Duration left = Duration.between(clock.instant(), s.start().plusSeconds(s.timeLimitSeconds()));
        if (left.isNegative()) left = Duration.ZERO;
        long sec = left.toSeconds();
        return sec >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", sec / 3600, sec % 3600 / 60, sec % 60)
                : String.format(Locale.ROOT, "%d:%02d", sec / 60, sec % 60);
    }

    private static String count(Long n) { return n == null ? "-" : String.format(Locale.ROOT, "%,d", n); }

    static String size(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
