package netwatcher.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The drawing of a live progress view ({@link Progress}, {@link CheckProgress}): on a terminal a panel
 * of lines redrawn in place (cursor up over the last drawing, each line cleared and rewritten; a
 * shorter panel blanks the lines left below it); elsewhere one plain line, printed only when it
 * changed. Not thread-safe.
 */
final class LivePanel {
    private final PrintWriter out;
    private final boolean terminal;
    private int drawnLines;
    private String lastPlain;

    LivePanel(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Shows {@code panel} on a terminal, else {@code plain}; only the one used is computed. */
    void show(Supplier<List<String>> panel, Supplier<String> plain) {
        if (terminal) {
            List<String> lines = new ArrayList<>(panel.get());
            while (lines.size() < drawnLines) lines.add("");
            StringBuilder sb = new StringBuilder();
            if (drawnLines > 0) sb.append("\033[").append(drawnLines).append('A');
            for (String line : lines) sb.append('\r').append("\033[2K").append(line).append('\n');
            out.print(sb);
            drawnLines = lines.size();
        } else {
            String line = plain.get();
            if (!line.equals(lastPlain)) out.println(line);
            lastPlain = line;
        }
        out.flush();
    }

    /** {@code "  [#####...............] 25%"}: 20 cells for {@code fraction} (clamped to 0..1), percent by {@code percentFormat}. */
    static String bar(double fraction, String percentFormat) {
        double f = Math.max(0, Math.min(1.0, fraction));
        int filled = (int) Math.round(f * 20);
        return "  [" + "#".repeat(filled) + ".".repeat(20 - filled) + "] " + String.format(Locale.ROOT, percentFormat, f * 100);
    }
}
