package netwatcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sets up the one log output of a netwatcher process: every event, from netwatcher's SLF4J loggers,
 * from Jetty and HikariCP (SLF4J) and from anything using {@code java.util.logging} (the JDK, H2,
 * libraries; bridged), goes to <b>stderr</b> in one {@link LogFormat}. stdout stays for what a command
 * prints for its user ({@code nw up}'s banner), so the two never mix within a line.
 *
 * <p>Levels: INFO for everything, WARN for the chatty libraries ({@link #QUIET}). The system
 * property {@code nw.log.levels} (or the environment variable {@code NW_LOG_LEVELS}) overrides them:
 * {@code netwatcher=DEBUG,org.eclipse.jetty=INFO} ({@code root=...} for everything).
 *
 * <p>A process started by systemd with its stderr on the journal ({@code JOURNAL_STREAM} names
 * stderr's device and inode) gets the text lines without the time and with syslog priorities
 * ({@link LineLayout#forJournal()}). An operator's own {@code -Dlogback.configurationFile=} wins over
 * all of this ({@link NetwatcherConfigurator}).
 *
 * <p>Thread-safety: {@link #configure} may be called from any thread; call it before the first
 * events worth keeping (Logback starts in the text format on its own).
 */
public final class Logging {
    /** Libraries whose INFO is start-up chatter: they log at WARN and above unless overridden. */
    static final Map<String, Level> QUIET = Map.of(
            "org.eclipse.jetty", Level.WARN,
            "com.zaxxer.hikari", Level.WARN,
            "com.azure", Level.WARN,
            "org.h2", Level.WARN,
            "jdk.internal.httpclient", Level.WARN,
            "sun.net", Level.WARN);
    /** System property with level overrides; {@code NW_LOG_LEVELS} in the environment does the same. */
    public static final String LEVELS_PROPERTY = "nw.log.levels";
    /** System property with the format when no command line chose one; {@code NW_LOG_FORMAT} in the environment does the same. */
    public static final String FORMAT_PROPERTY = "nw.log.format";

    private static final String APPENDER = "stderr";
    /** The format last configured, for child processes that should log alike (the lab's agents). */
    private static volatile LogFormat current = LogFormat.TEXT;

    private Logging() {}

    /** The format from {@code nw.log.format} / {@code NW_LOG_FORMAT}, else text. */
    public static LogFormat defaultFormat() {
        String value = setting(FORMAT_PROPERTY, "NW_LOG_FORMAT");
        if (value == null || value.isBlank()) return LogFormat.TEXT;
        try {
            return LogFormat.parse(FORMAT_PROPERTY, value);
        } catch (IllegalArgumentException e) {
            System.err.println("nw: " + e.getMessage() + "; using text");
            return LogFormat.TEXT;
        }
    }

    /**
     * Writes every log event from now on to stderr in {@code format}. Does nothing when SLF4J is
     * bound to another backend (an embedding application's) or an operator's Logback file is in use.
     */
    public static void configure(LogFormat format) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context && !NetwatcherConfigurator.operatorFileGiven()) {
            configure(context, format);
        }
    }

    /** The format this process logs in (text until configured otherwise). */
    public static LogFormat current() {
        return current;
    }

    /** Replaces {@code context}'s whole configuration: one stderr appender, the levels, the JUL bridge. */
    static synchronized void configure(LoggerContext context, LogFormat format) {
        current = format;
        context.reset();
        LevelChangePropagator julLevels = new LevelChangePropagator(); // JUL drops what Logback would drop, cheaply
        julLevels.setContext(context);
        julLevels.setResetJUL(true);
        context.addListener(julLevels);
        julLevels.start();

        Layout<ILoggingEvent> layout = switch (format) {
            case TEXT -> journalOnStderr() ? LineLayout.forJournal() : new LineLayout();
            case JSON -> new JsonLineLayout();
        };
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(appender);
        QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
        overrides(setting(LEVELS_PROPERTY, "NW_LOG_LEVELS")).forEach((name, level) ->
                context.getLogger(name.equalsIgnoreCase("root") ? org.slf4j.Logger.ROOT_LOGGER_NAME : name).setLevel(level));

        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger(); // JUL's own two-line stderr handler
            SLF4JBridgeHandler.install();
        }
    }

    /**
     * Parses {@code logger=LEVEL,logger=LEVEL}; a bad entry is reported on stderr and skipped, since
     * logging must not stop a process from starting.
     */
    static Map<String, Level> overrides(String spec) {
        Map<String, Level> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) return out;
        for (String entry : spec.split("[,\\s]+")) {
            if (entry.isBlank()) continue;
            int eq = entry.lastIndexOf('=');
            String name = eq < 0 ? "root" : entry.substring(0, eq).trim();
            String levelText = (eq < 0 ? entry : entry.substring(eq + 1)).trim().toUpperCase(Locale.ROOT);
            Level level = Level.toLevel(levelText, null);
            if (level == null || name.isEmpty()) {
                System.err.println("nw: " + LEVELS_PROPERTY + ": ignoring '" + entry + "' (use logger=LEVEL, LEVEL one of"
                        + " TRACE, DEBUG, INFO, WARN, ERROR, OFF)");
                continue;
            }
            out.put(name, level);
        }
        return out;
    }

    /**
     * True when stderr is the systemd journal: {@code JOURNAL_STREAM} is {@code device:inode} of the
     * journal's stream socket, and matches stderr's (systemd.exec(5)); a child process that inherited
     * the variable but writes elsewhere does not match.
     */
    static boolean journalOnStderr() {
        String stream = System.getenv("JOURNAL_STREAM");
        if (stream == null || !stream.matches("\\d+:\\d+")) return false;
        try {
            Path stderr = Path.of("/proc/self/fd/2");
            long dev = ((Number) Files.getAttribute(stderr, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(stderr, "unix:ino")).longValue();
            return stream.equals(dev + ":" + ino);
        } catch (Exception e) {
            return false; // no /proc, no unix view: not provably the journal
        }
    }

    private static String setting(String property, String environment) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(environment);
    }
}
