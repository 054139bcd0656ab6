package netwatcher.arm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapper of netwatcher: ISO-8601 times, nulls omitted, unknown properties ignored
 * (both sides of the agent protocol and ARM clients add fields over time). Thread-safe.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Json() {}

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a request body as a JSON tree.
     *
     * @throws ArmException InvalidRequestFormat with the parser's location when it is not JSON
     */
    public static JsonNode tree(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ArmErrorCode.InvalidRequestFormat.exception("The request body is empty; a JSON object was expected.");
            }
            return node;
        } catch (StreamConstraintsException e) {
            // Jackson's own message names its configuration class; say what the limit is instead.
            throw ArmErrorCode.InvalidRequestFormat.exception("The request body is not valid JSON: " + constraint(e) + ".");
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw ArmErrorCode.InvalidRequestFormat.exception("The request body is not valid JSON" + where + ": "
                    + problem(e) + ".");
        } catch (IOException e) {
            // Reading a byte array does no I/O: what remains is text in no encoding JSON allows (UTF-8/16/32).
            throw ArmErrorCode.InvalidRequestFormat.exception("The request body is not valid JSON: its bytes are not"
                    + " UTF-8, UTF-16 or UTF-32 text.");
        }
    }

    /** Jackson's description of a syntax error, without the names of its classes and features it appends. */
    private static String problem(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Trailing token")) return "unexpected content after the JSON value";
        for (String hint : new String[] {"`", " (not recognized", ": enable", " Feature", "\n"}) {
            int at = m.indexOf(hint);
            if (at >= 0) m = m.substring(0, at);
        }
        return m.strip().replaceAll("[\\s:;,.]+$", "");
    }

    private static String constraint(StreamConstraintsException e) {
        StreamReadConstraints limits = MAPPER.getFactory().streamReadConstraints();
        String m = String.valueOf(e.getOriginalMessage());
        if (m.contains("nesting depth")) return "it nests deeper than " + limits.getMaxNestingDepth() + " levels";
        if (m.contains("Number value length")) return "it has a number longer than " + limits.getMaxNumberLength() + " characters";
        if (m.contains("String value length")) return "it has a string longer than " + limits.getMaxStringLength() + " characters";
        if (m.contains("Name length")) return "it has a property name longer than " + limits.getMaxNameLength() + " characters";
        return "it exceeds the size limits of a request body";
    }
}
