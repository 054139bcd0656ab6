package netwatcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.util.Map;

/**
 * The text format: one line per event,
 * {@code 2026-12-03T08:00:00.123Z INFO  Reconciler capture started capture=pc1 vm=db}: time (ISO-8601,
 * UTC, milliseconds), level (padded to 5), component (the logger's last segment), message (line
 * breaks written as {@code \n}), then the event's key=value context; a value with a space, a quote
 * or an equals sign is double-quoted with {@code \"} escapes. An exception adds
 * {@code error="Type: message <- Cause: message"}; at ERROR (a bug) its stack trace follows on the
 * next lines.
 *
 * <p>Under systemd ({@link #forJournal()}) the time is left out, since the journal stamps every line
 * itself, and each line starts with the {@code <N>} syslog priority systemd reads
 * ({@code SyslogLevelPrefix=}), so {@code journalctl -p warning} works.
 *
 * <p>Thread-safety: immutable once started; Logback calls {@link #doLayout} from any thread.
 */
public final class LineLayout extends LayoutBase<ILoggingEvent> {
    private final boolean journal;

    /** The terminal/file form: with the time. */
    public LineLayout() {
        this(false);
    }

    private LineLayout(boolean journal) {
        this.journal = journal;
    }

    /** The systemd journal form: a syslog priority prefix instead of the time. */
    public static LineLayout forJournal() {
        return new LineLayout(true);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160);
        if (journal) {
            line.append('<').append(syslogPriority(event.getLevel())).append('>');
        } else {
            line.append(Events.time(event.getTimeStamp())).append(' ');
        }
        String level = event.getLevel().toString();
        line.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
        line.append(Events.component(event.getLoggerName())).append(' ');
        appendOneLine(line, event.getFormattedMessage());
        for (Map.Entry<String, String> pair : Events.context(event).entrySet()) {
            line.append(' ').append(pair.getKey()).append('=');
            appendValue(line, pair.getValue());
        }
        if (event.getThrowableProxy() != null) {
            line.append(" error=");
            appendValue(line, Events.summary(event.getThrowableProxy()));
        }
        line.append('\n');
        if (Events.wantsStackTrace(event)) {
            Events.stackTrace(event.getThrowableProxy()).lines().forEach(l -> {
                if (journal) line.append('<').append(syslogPriority(event.getLevel())).append('>');
                line.append(l).append('\n');
            });
        }
        return line.toString();
    }

    /** syslog(3) priorities: err 3, warning 4, info 6, debug 7. */
    static int syslogPriority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
    }

    private static void appendOneLine(StringBuilder out, String text) {
        if (text == null) return;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    static void appendValue(StringBuilder out, String value) {
        String v = value == null ? "null" : value;
        boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\');
        if (!quote) {
            out.append(v);
            return;
        }
        out.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        out.append('"');
    }
}
