package netwatcher.testing.bidi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * WebDriver BiDi's script values both ways. A result comes as a serialized remote value
 * ({@code {"type":"number","value":3}}, objects as lists of key/value pairs); {@link #toJson} makes plain JSON of it
 * ({@code 3}, objects as JSON objects), so a test reads what the script returned as if it had been
 * {@code JSON.stringify}-ed. An argument goes as a local value; {@link #local} makes one of a Java string, number,
 * boolean, null, list, map or {@link Element}. Pure; thread-safe.
 */
public final class RemoteValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RemoteValues() {}

    /** A DOM node the browser handed out, by the shared id that names it in later commands of the session. */
    public record Element(String sharedId) {
        public Element {
            if (sharedId == null || sharedId.isBlank()) throw new IllegalArgumentException("an element needs its sharedId");
        }
    }

    /**
     * The plain JSON of a serialized remote value: primitives as themselves ({@code undefined} as null, {@code NaN},
     * {@code Infinity} and {@code -0} as the text BiDi sends, {@code bigint} as its decimal text), arrays and sets as
     * arrays, objects and maps as objects (a map's non-string keys as their JSON text), a DOM node as
     * {@code {"sharedId": "..."}} (see {@link #element}), a date as its ISO text, anything else as {@code "[type]"}.
     */
    public static JsonNode toJson(JsonNode remote) {
        String type = remote.path("type").asText("");
        JsonNode value = remote.path("value");
        return switch (type) {
            case "undefined", "null" -> NODES.nullNode();
            case "string", "bigint", "date" -> NODES.textNode(value.asText());
            case "number" -> value.isNumber() ? value : NODES.textNode(value.asText());
            case "boolean" -> NODES.booleanNode(value.asBoolean());
            case "array", "set", "nodelist", "htmlcollection" -> {
                ArrayNode out = NODES.arrayNode();
                if (value.isArray()) value.forEach(item -> out.add(toJson(item)));
                yield value.isArray() ? out : NODES.textNode("[" + type + "]");
            }
            case "object", "map" -> {
                if (!value.isArray()) yield NODES.textNode("[" + type + "]");
                ObjectNode out = NODES.objectNode();
                for (JsonNode pair : value) {
                    JsonNode key = pair.path(0);
                    String name = key.isTextual() ? key.asText() : toJson(key).toString();
                    out.set(name, toJson(pair.path(1)));
                }
                yield out;
            }
            case "node" -> {
                ObjectNode out = NODES.objectNode();
                out.put("sharedId", remote.path("sharedId").asText());
                yield out;
            }
            default -> NODES.textNode("[" + type + "]");
        };
    }

    /** The element a script returned, or an error naming what it returned instead (a selector that matched nothing). */
    public static Element element(JsonNode remote, String what) {
        if (!"node".equals(remote.path("type").asText()) || !remote.path("sharedId").isTextual()) {
            throw new IllegalStateException("no element: " + what + " (the script returned " + toJson(remote) + ")");
        }
        return new Element(remote.path("sharedId").asText());
    }

    /** The local value of a Java argument. */
    public static JsonNode local(Object value) {
        ObjectNode out = NODES.objectNode();
        switch (value) {
            case null -> out.put("type", "null");
            case String s -> out.put("type", "string").put("value", s);
            case Boolean b -> out.put("type", "boolean").put("value", b);
            case Integer i -> out.put("type", "number").put("value", i);
            case Long l -> out.put("type", "number").put("value", l);
            case Double d when d.isNaN() || d.isInfinite() -> out.put("type", "number").put("value", d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            case Number n -> out.put("type", "number").put("value", n.doubleValue());
            case Element e -> out.put("sharedId", e.sharedId());
            case List<?> list -> {
                ArrayNode items = out.put("type", "array").putArray("value");
                list.forEach(item -> items.add(local(item)));
            }
            case Map<?, ?> map -> {
                ArrayNode pairs = out.put("type", "object").putArray("value");
                map.forEach((k, v) -> {
                    if (!(k instanceof String key)) throw new IllegalArgumentException("an object's key must be a string: " + k);
                    pairs.addArray().add(key).add(local(v));
                });
            }
            default -> throw new IllegalArgumentException("no BiDi local value for a " + value.getClass().getName());
        }
        return out;
    }
}
