package netwatcher.arm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one JSON mapper of netwatcher: ISO-8601 times, nulls omitted, unknown properties ignored
 * (both sides of the agent protocol and ARM clients add fields over time), a key given twice in one
 * object refused (ARM's rule; "last one wins" would let two readers of one body disagree). Thread-safe.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    // buffers shared by all threads: Jackson's default pool is per thread, and every request of the
                    // controller runs on a virtual thread of its own, so each one allocated fresh 8 KB buffers for each
                    // parser and generator (BENCHMARKS.md §11)
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .build())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
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
            throw ArmErrorCode.InvalidRequestFormat.exception(problem(e));
        } catch (IOException e) {
            // Reading a byte array does no I/O: what remains is text in no encoding JSON allows (UTF-8/16/32).
            throw ArmErrorCode.InvalidRequestFormat.exception("The request body is not valid JSON: its bytes are not"
                    + " UTF-8, UTF-16 or UTF-32 text.");
        }
    }

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'", Pattern.DOTALL);
    /** Words that give away the parser rather than describe the input. */
    private static final Pattern INTERNALS = Pattern.compile(
            "(?i)jackson|java\\.|feature|constraints|source:|class|exception|`|\\bbyte\\[|\\bchar\\[|reference chain");

    /**
     * A message for a body that is not valid JSON: where (line, column) and what, in words of the
     * input rather than the parser (no class, feature or library names).
     */
    public static String problem(JsonProcessingException e) {
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 0 ? "" : " at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr();
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher dup = DUPLICATE.matcher(original);
        if (dup.matches()) {
            return "The request body gives the property '" + printable(dup.group(1)) + "' more than once in the same object"
                    + where + "; each property may appear only once.";
        }
        if (e instanceof JsonMappingException m && !(e instanceof MismatchedInputException && original.startsWith("Trailing token"))
                && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
                else if (r.getIndex() >= 0) path.append('[').append(r.getIndex()).append(']');
            }
            return "The request body does not have the expected shape" + where + ": property '" + printable(path.toString())
                    + "' is missing or has the wrong type or value.";
        }
        String what;
        if (original.startsWith("Trailing token")) {
            what = "there is more input after the JSON value";
        } else if (e instanceof JsonEOFException || original.startsWith("Unexpected end-of-input")) {
            what = "the body ends before the JSON value is complete";
        } else if (e instanceof StreamConstraintsException) {
            what = "the JSON is nested too deeply or holds a value that is too long";
        } else {
            // Jackson's first clause names the offending token ("Unexpected character ('}' (code 125))",
            // "Unrecognized token 'not'"); what follows the colon explains the parser, not the input
            String clause = original.split("[:\\n]", 2)[0].strip();
            what = clause.isEmpty() || INTERNALS.matcher(clause).find() ? "unexpected input" : printable(clause);
        }
        return "The request body is not valid JSON" + where + ": " + what + ".";
    }

    /** Input quoted in a message: printable, at most 100 characters. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(100).forEach(c -> {
            if (Character.isISOControl(c)) sb.append(String.format("\\u%04x", c));
            else sb.appendCodePoint(c);
        });
        return s.codePointCount(0, s.length()) > 100 ? sb + "..." : sb.toString();
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
