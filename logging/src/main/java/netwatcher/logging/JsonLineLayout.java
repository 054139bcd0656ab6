package netwatcher.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;

/**
 * The JSON format for log shippers: one object per line with {@code time} (ISO-8601 UTC, ms),
 * {@code level}, {@code logger} (the full logger name), {@code message}, then each key=value
 * context pair as a string field of its own ({@code "capture":"pc1"}), then {@code exception}
 * when the event has one: its one-line summary, or its whole stack trace at ERROR (a bug).
 * A context key that would shadow one of these fields is written with a {@code ctx.} prefix.
 *
 * <p>Written with Jackson's streaming generator rather than Logback's {@code JsonEncoder}, whose
 * field names are fixed ({@code timestamp} as epoch millis, {@code loggerName}, the pairs as a
 * {@code kvpList} array) and which repeats the logger context in every line.
 *
 * <p>Thread-safety: stateless apart from the thread-safe {@link JsonFactory}.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> RESERVED = Set.of("time", "level", "logger", "message", "exception");

    @Override
    public String doLayout(ILoggingEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("time", Events.time(event.getTimeStamp()));
            json.writeStringField("level", event.getLevel().toString());
            json.writeStringField("logger", event.getLoggerName());
            json.writeStringField("message", event.getFormattedMessage());
            for (Map.Entry<String, String> pair : Events.context(event).entrySet()) {
                String key = RESERVED.contains(pair.getKey()) ? "ctx." + pair.getKey() : pair.getKey();
                json.writeStringField(key, pair.getValue());
            }
            if (event.getThrowableProxy() != null) {
                json.writeStringField("exception", Events.wantsStackTrace(event)
                        ? Events.stackTrace(event.getThrowableProxy()) : Events.summary(event.getThrowableProxy()));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.append('\n').toString();
    }
}
