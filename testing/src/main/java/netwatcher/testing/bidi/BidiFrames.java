package netwatcher.testing.bidi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The WebDriver BiDi wire format: a command is {@code {"id":N,"method":"module.command","params":{...}}}; what the
 * browser sends is a success ({@code type} {@code success}, {@code id}, {@code result}), an error ({@code type}
 * {@code error}, {@code id} or null, {@code error}, {@code message}) or an event ({@code type} {@code event},
 * {@code method}, {@code params}). Pure; thread-safe.
 */
public final class BidiFrames {
    static final ObjectMapper JSON = new ObjectMapper();

    private BidiFrames() {}

    /** What the browser sent, decoded. */
    public sealed interface Incoming permits Success, Failure, Event {}

    /** The answer to command {@code id}. */
    public record Success(long id, JsonNode result) implements Incoming {}

    /**
     * A command's error ({@code id} the command's) or an error for a frame the browser could not read ({@code id}
     * null): {@code error} is the protocol's code ({@code no such element}, {@code invalid argument}, ...).
     */
    public record Failure(Long id, String error, String message) implements Incoming {}

    /** An event the session subscribed to. */
    public record Event(String method, JsonNode params) implements Incoming {}

    /** Command {@code id}'s text frame. */
    public static String command(long id, String method, JsonNode params) {
        ObjectNode frame = JSON.createObjectNode();
        frame.put("id", id);
        frame.put("method", method);
        frame.set("params", params == null ? JSON.createObjectNode() : params);
        return frame.toString();
    }

    /**
     * Decodes one text frame.
     *
     * @throws IllegalArgumentException when the frame is not JSON or not one of the three kinds, naming what it holds
     */
    public static Incoming parse(String frame) {
        JsonNode node;
        try {
            node = JSON.readTree(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a BiDi frame that is not JSON: " + abbreviate(frame), e);
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("a BiDi frame that is not an object: " + abbreviate(frame));
        String type = node.path("type").asText("");
        return switch (type) {
            case "success" -> {
                if (!node.path("id").canConvertToLong()) throw new IllegalArgumentException("a success without an id: " + abbreviate(frame));
                yield new Success(node.path("id").asLong(), node.path("result"));
            }
            case "error" -> new Failure(node.path("id").canConvertToLong() ? node.path("id").asLong() : null,
                    node.path("error").asText("unknown error"), node.path("message").asText(""));
            case "event" -> {
                if (!node.path("method").isTextual()) throw new IllegalArgumentException("an event without a method: " + abbreviate(frame));
                yield new Event(node.path("method").asText(), node.path("params"));
            }
            default -> throw new IllegalArgumentException("a BiDi frame of type '" + type + "': " + abbreviate(frame));
        };
    }

    /** An empty params object to fill. */
    public static ObjectNode params() {
        return JSON.createObjectNode();
    }

    static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " chars)";
    }
}
