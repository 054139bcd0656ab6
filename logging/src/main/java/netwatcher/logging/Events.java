package netwatcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/** What both layouts read from an event the same way: its context pairs and its exception. Stateless. */
final class Events {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Events() {}

    /** ISO-8601 in UTC, always with milliseconds: {@code 2026-12-03T08:00:00.120Z}. */
    static String time(long epochMillis) {
        return TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * The event's key=value pairs (SLF4J 2 fluent {@code addKeyValue}) followed by its MDC entries, first
     * wins; a pair whose value is null is left out (nothing known is nothing to show).
     */
    static Map<String, String> context(ILoggingEvent event) {
        Map<String, String> out = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.key != null && pair.value != null) out.putIfAbsent(pair.key, String.valueOf(pair.value));
            }
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) mdc.forEach(out::putIfAbsent);
        return out;
    }

    /**
     * True when the event's exception is a bug worth its stack trace: logged at ERROR. Anything
     * lower is an expected fault (a peer gone, a file unreadable) that its one-line summary explains.
     */
    static boolean wantsStackTrace(ILoggingEvent event) {
        return event.getThrowableProxy() != null && event.getLevel().isGreaterOrEqual(Level.ERROR);
    }

    /** {@code IOException: connection reset <- SocketException: broken pipe}: the exception and its causes on one line. */
    static String summary(IThrowableProxy throwable) {
        List<String> parts = new ArrayList<>();
        for (IThrowableProxy t = throwable; t != null && parts.size() < 5; t = t.getCause()) {
            String name = t.getClassName();
            String simple = name.substring(name.lastIndexOf('.') + 1);
            parts.add(t.getMessage() == null ? simple : simple + ": " + t.getMessage());
        }
        return String.join(" <- ", parts);
    }

    /** The full stack trace, causes included, as the JDK prints it. */
    static String stackTrace(IThrowableProxy throwable) {
        return ThrowableProxyUtil.asString(throwable);
    }

    /** The last segment of a logger name: {@code netwatcher.agent.control.Reconciler} is {@code Reconciler}. */
    static String component(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) return "-";
        String name = loggerName.endsWith(".") ? loggerName.substring(0, loggerName.length() - 1) : loggerName;
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
