package netwatcher.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The text and JSON layouts on hand-made events: pure, no appender, no clock. */
class LineLayoutTest {
    private static final Instant AT = Instant.parse("2026-12-03T08:01:02.030Z");
    private final LoggerContext context = new LoggerContext();

    LineLayoutTest() {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    private LoggingEvent event(String logger, Level level, String message, Throwable error, Map<String, Object> pairs) {
        LoggingEvent event = new LoggingEvent(getClass().getName(), context.getLogger(logger), level, message, error, null);
        event.setTimeStamp(AT.toEpochMilli());
        pairs.forEach((k, v) -> event.addKeyValuePair(new KeyValuePair(k, v)));
        return event;
    }

    @Test
    void text_isTimeLevelComponentMessageThenPairs() {
        String line = new LineLayout().doLayout(event("netwatcher.agent.control.Reconciler", Level.INFO, "capture started", null,
                orderedPairs("capture", "pc1", "vm", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db")));
        assertEquals("2026-12-03T08:01:02.030Z INFO  Reconciler capture started capture=pc1"
                + " vm=/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db\n", line);
    }

    @Test
    void text_quotesValuesWithSpacesQuotesOrEquals_andKeepsMultiLineMessagesOnOneLine() {
        String line = new LineLayout().doLayout(event("org.eclipse.jetty.server.Server", Level.WARN, "two\nlines", null,
                orderedPairs("filter", "tcp port 80", "empty", "", "q", "say \"hi\"", "eq", "a=b")));
        assertEquals("2026-12-03T08:01:02.030Z WARN  Server two\\nlines filter=\"tcp port 80\" empty=\"\" q=\"say \\\"hi\\\"\" eq=\"a=b\"\n", line);
    }

    @Test
    void text_warnWithException_isOneLineWithTheSummaryOfEveryCause() {
        Exception error = new IOException("upload failed", new java.net.ConnectException("Connection refused"));
        String line = new LineLayout().doLayout(event("netwatcher.agent.upload.UploadService", Level.WARN, "retrying", error, Map.of()));
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.endsWith(" error=\"IOException: upload failed <- ConnectException: Connection refused\"\n"), line);
    }

    @Test
    void text_errorWithException_addsTheStackTraceAfterTheLine() {
        String text = new LineLayout().doLayout(event("netwatcher.controller.http.HttpServer", Level.ERROR, "request failed", new IllegalStateException("bug"),
                orderedPairs("request", "r-1")));
        List<String> lines = text.lines().toList();
        assertTrue(lines.getFirst().startsWith("2026-12-03T08:01:02.030Z ERROR HttpServer request failed request=r-1 error=\"IllegalStateException: bug\""), text);
        assertTrue(lines.get(1).startsWith("java.lang.IllegalStateException: bug"), text);
        assertTrue(lines.get(2).strip().startsWith("at "), text);
    }

    @Test
    void journal_dropsTheTime_andStartsWithTheSyslogPriority() {
        LineLayout journal = LineLayout.forJournal();
        assertEquals("<6>INFO  Agent enrolled agent=a1\n", journal.doLayout(event("netwatcher.agent.Agent", Level.INFO, "enrolled", null, orderedPairs("agent", "a1"))));
        assertTrue(journal.doLayout(event("x.Y", Level.WARN, "w", null, Map.of())).startsWith("<4>WARN  Y w"));
        assertTrue(journal.doLayout(event("x.Y", Level.ERROR, "e", null, Map.of())).startsWith("<3>ERROR Y e"));
        assertTrue(journal.doLayout(event("x.Y", Level.DEBUG, "d", null, Map.of())).startsWith("<7>DEBUG Y d"));
    }

    @Test
    void json_hasTheNamedFieldsThePairsAndTheExceptionSummary() throws Exception {
        String line = new JsonLineLayout().doLayout(event("netwatcher.agent.control.Reconciler", Level.WARN, "upload failed",
                new IOException("disk full"), orderedPairs("capture", "pc1", "time", "shadowed")));
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertEquals("2026-12-03T08:01:02.030Z", tree.path("time").asText());
        assertEquals("WARN", tree.path("level").asText());
        assertEquals("netwatcher.agent.control.Reconciler", tree.path("logger").asText());
        assertEquals("upload failed", tree.path("message").asText());
        assertEquals("pc1", tree.path("capture").asText());
        assertEquals("shadowed", tree.path("ctx.time").asText());
        assertEquals("IOException: disk full", tree.path("exception").asText());
    }

    @Test
    void json_errorCarriesTheStackTrace_stillOnOneLine() throws Exception {
        String line = new JsonLineLayout().doLayout(event("x.Y", Level.ERROR, "bug", new IllegalStateException("boom"), Map.of()));
        assertEquals(1, line.lines().count());
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        assertTrue(tree.path("exception").asText().startsWith("java.lang.IllegalStateException: boom"));
        assertTrue(tree.path("exception").asText().contains("\tat "));
    }

    @Test
    void logFormat_parsesCaseInsensitively_andNamesTheSettingWhenWrong() {
        assertEquals(LogFormat.JSON, LogFormat.parse("--log-format", " JSON "));
        assertEquals(LogFormat.TEXT, LogFormat.parse("--log-format", "text"));
        var e = assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("log-format", "xml"));
        assertEquals("log-format must be one of text, json; was 'xml'", e.getMessage());
    }

    @Test
    void levelOverrides_parseLoggerEqualsLevel_andSkipBadEntries() {
        Map<String, Level> levels = Logging.overrides("netwatcher=DEBUG, org.eclipse.jetty=info,bogus=LOUD,WARN");
        assertEquals(Map.of("netwatcher", Level.DEBUG, "org.eclipse.jetty", Level.INFO, "root", Level.WARN), levels);
        assertFalse(levels.containsKey("bogus"));
    }

    private static Map<String, Object> orderedPairs(String... keysAndValues) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) out.put(keysAndValues[i], keysAndValues[i + 1]);
        return out;
    }
}
