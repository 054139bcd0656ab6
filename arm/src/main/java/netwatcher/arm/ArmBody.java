package netwatcher.arm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of one JSON object in a request body, with its path from the root
 * ({@code properties.storageLocation}), that reads typed fields and fails with an ARM error naming
 * the field. Property names match case-insensitively and numbers may arrive as numeric strings,
 * as Azure's own service (Newtonsoft.Json) accepts. Not thread-safe; one per request.
 */
public final class ArmBody {
    private final JsonNode node;
    private final String path;

    private ArmBody(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The root object of a request body. */
    public static ArmBody root(byte[] body) {
        JsonNode tree = Json.tree(body);
        if (!tree.isObject()) {
            throw ArmErrorCode.InvalidRequestFormat.exception("The request body must be a JSON object; was " + kind(tree) + ".");
        }
        requireDistinctNames(tree, "");
        return new ArmBody(tree, "");
    }

    /**
     * Refuses an object whose property names differ only in case: fields are read case-insensitively,
     * so {@code {"a":1,"A":2}} would otherwise be read as whichever comes first (exact duplicates are
     * refused by the parser already).
     */
    private static void requireDistinctNames(JsonNode node, String path) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) requireDistinctNames(node.get(i), path + "[" + i + "]");
        } else if (node.isObject()) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (!seen.add(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    throw ArmErrorCode.InvalidRequestFormat.exception("The request body gives the property '" + p
                            + "' more than once (property names are case-insensitive); each property may appear only once.", p);
                }
                requireDistinctNames(e.getValue(), p);
            }
        }
    }

    public String path() { return path; }

    private String at(String name) { return path.isEmpty() ? name : path + "." + name; }

    private JsonNode find(String name) {
        JsonNode exact = node.get(name);
        if (exact != null) return exact;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    /** True when the field is present and not JSON null. */
    public boolean has(String name) {
        JsonNode v = find(name);
        return v != null && !v.isNull();
    }

    /** A nested object, or empty when absent or null. */
    public Optional<ArmBody> object(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isObject()) throw invalid(name, "must be a JSON object; was " + kind(v));
        return Optional.of(new ArmBody(v, at(name)));
    }

    public ArmBody requireObject(String name) {
        return object(name).orElseThrow(() -> missing(name));
    }

    /** An array of objects, or empty list when absent or null. */
    public List<ArmBody> objects(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw invalid(name, "must be a JSON array; was " + kind(v));
        List<ArmBody> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            String itemPath = at(name) + "[" + i + "]";
            if (!item.isObject()) {
                throw ArmErrorCode.InvalidRequestContent.exception(
                        "Property '" + itemPath + "' must be a JSON object; was " + kind(item) + ".", itemPath);
            }
            out.add(new ArmBody(item, itemPath));
        }
        return out;
    }

    /** An array of strings, or empty when absent. */
    public List<String> strings(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw invalid(name, "must be a JSON array of strings; was " + kind(v));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                String p = at(name) + "[" + i + "]";
                throw ArmErrorCode.InvalidRequestContent.exception("Property '" + p + "' must be a string.", p);
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    /** An array of integers, or empty when absent. */
    public List<Long> longs(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw invalid(name, "must be a JSON array of integers; was " + kind(v));
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.canConvertToExactIntegral() || !item.isNumber()) {
                String p = at(name) + "[" + i + "]";
                throw ArmErrorCode.InvalidRequestContent.exception("Property '" + p + "' must be an integer.", p);
            }
            out.add(item.asLong());
        }
        return out;
    }

    /** A string field, or empty when absent or null. Numbers and booleans are refused. */
    public Optional<String> string(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw invalid(name, "must be a string; was " + kind(v));
        return Optional.of(v.asText());
    }

    public String requireString(String name) {
        String s = string(name).orElseThrow(() -> missing(name));
        if (s.isBlank()) throw invalid(name, "must not be empty");
        return s;
    }

    /** A map of string to string (tags), or empty when absent. */
    public Map<String, String> stringMap(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return Map.of();
        if (!v.isObject()) throw invalid(name, "must be a JSON object of strings; was " + kind(v));
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                String p = at(name) + "." + e.getKey();
                throw ArmErrorCode.InvalidRequestContent.exception("Property '" + p + "' must be a string.", p);
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /**
     * An integer field in [min, max], or {@code defaultValue} when absent or null. Accepts JSON
     * numbers with no fraction and numeric strings.
     */
    public long integer(String name, long min, long max, long defaultValue) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return defaultValue;
        long value;
        if (v.isNumber()) {
            if (!v.canConvertToExactIntegral() || !v.canConvertToLong()) throw invalid(name, "must be an integer; was " + v.asText());
            value = v.asLong();
        } else if (v.isTextual() && v.asText().trim().matches("-?\\d{1,19}")) {
            try {
                value = Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                throw invalid(name, "must be an integer; was '" + v.asText() + "'");
            }
        } else {
            throw invalid(name, "must be an integer; was " + kind(v));
        }
        if (value < min || value > max) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + at(name) + "' must be between " + min
                    + " and " + max + "; was " + value + ".", at(name));
        }
        return value;
    }

    /** A boolean field, or empty when absent or null; accepts "true"/"false" strings. */
    public Optional<Boolean> bool(String name) {
        JsonNode v = find(name);
        if (v == null || v.isNull()) return Optional.empty();
        if (v.isBoolean()) return Optional.of(v.asBoolean());
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
            return Optional.of(Boolean.parseBoolean(v.asText()));
        }
        throw invalid(name, "must be true or false; was " + kind(v));
    }

    /** An error for a missing required field. */
    public ArmException missing(String name) {
        return ArmErrorCode.InvalidRequestContent.exception(
                "Required property '" + at(name) + "' is missing.", at(name));
    }

    /** An InvalidRequestContent error for a field of the wrong type or shape. */
    public ArmException invalid(String name, String problem) {
        return ArmErrorCode.InvalidRequestContent.exception("Property '" + at(name) + "' " + problem + ".", at(name));
    }

    /** An InvalidParameter error for a field whose value is not allowed. */
    public ArmException badValue(String name, String problem) {
        return ArmErrorCode.InvalidParameter.exception("Property '" + at(name) + "' " + problem + ".", at(name));
    }

    private static String kind(JsonNode v) {
        if (v.isObject()) return "an object";
        if (v.isArray()) return "an array";
        if (v.isTextual()) return "the string '" + v.asText() + "'";
        if (v.isBoolean()) return "a boolean";
        if (v.isNumber()) return "the number " + v.asText();
        return "null";
    }
}
