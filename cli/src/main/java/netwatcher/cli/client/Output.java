package netwatcher.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.cli.store.JsonFiles;

/**
 * Renders an API answer: {@code json} (default, the API's shape), {@code yaml}, {@code table} (one
 * row per item, columns from the item's scalar fields and its {@code properties}' scalar fields, as
 * az does) and {@code tsv} (values only, for scripts), after an optional {@code --query} field path
 * such as {@code value[0].properties.provisioningState}. Stateless and thread-safe.
 */
public final class Output {
    /** The output formats of {@code -o/--output}. */
    public enum Format { json, yaml, table, tsv }

    private static final ObjectMapper JSON = JsonFiles.MAPPER;
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)?((?:\\[(?:-?\\d+|\\*?)])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(?:-?\\d+|\\*?)]");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./:@+-]*( [A-Za-z0-9_./:@+-]+)*");
    private static final Set<String> RESERVED = Set.of("true", "false", "null", "yes", "no", "on", "off", "y", "n", "~");

    private Output() {}

    /** The text for {@code node} in {@code format} after {@code query} (null for none), ending with a newline. */
    public static String render(JsonNode node, Format format, String query) {
        JsonNode value = query == null || query.isBlank() ? node : query(node, query);
        return switch (format) {
            case json -> json(value) + "\n";
            case yaml -> yaml(value);
            case table -> table(value);
            case tsv -> tsv(value);
        };
    }

    /**
     * The value at a field path: names separated by dots, each optionally followed by {@code [n]}
     * indexes (negative from the end) or {@code []} to apply the rest of the path to every element
     * of an array (JMESPath's projection, e.g. {@code value[].name}). A missing field gives JSON
     * {@code null}.
     */
    public static JsonNode query(JsonNode node, String path) {
        List<String> tokens = new ArrayList<>();
        for (String part : path.strip().split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(part);
            if (part.isEmpty() || !m.matches()) throw CliException.usage("--query '" + path + "': cannot read '" + part + "'");
            if (m.group(1) != null) tokens.add(m.group(1));
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) tokens.add(idx.group().equals("[*]") ? "[]" : idx.group());
        }
        JsonNode result = walk(node, tokens, 0);
        return result.isMissingNode() ? NullNode.getInstance() : result;
    }

    private static JsonNode walk(JsonNode cur, List<String> tokens, int at) {
        if (at == tokens.size() || cur.isMissingNode()) return cur;
        String t = tokens.get(at);
        if (t.equals("[]")) {
            ArrayNode out = JSON.createArrayNode();
            if (cur.isArray()) {
                for (JsonNode item : cur) {
                    JsonNode v = walk(item, tokens, at + 1);
                    if (!v.isMissingNode() && !v.isNull()) out.add(v);
                }
            }
            return out;
        }
        if (t.startsWith("[")) {
            int i = Integer.parseInt(t.substring(1, t.length() - 1));
            return walk(cur.isArray() ? cur.path(i < 0 ? cur.size() + i : i) : MissingNode.getInstance(), tokens, at + 1);
        }
        return walk(cur.path(t), tokens, at + 1);
    }

    static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node == null ? NullNode.getInstance() : node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- YAML (block style; scalars quoted as JSON strings whenever plain would be ambiguous) ----

    static String yaml(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        if (node == null || node.isNull() || node.isMissingNode()) return "null\n";
        if (node.isContainerNode() && !node.isEmpty()) yamlBlock(node, 0, sb);
        else sb.append(yamlScalar(node)).append('\n');
        return sb.toString();
    }

    private static void yamlBlock(JsonNode node, int indent, StringBuilder sb) {
        String pad = " ".repeat(indent);
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sb.append(pad).append(yamlKey(e.getKey())).append(':');
                yamlChild(e.getValue(), indent + 2, sb);
            }
        } else {
            for (JsonNode item : node) {
                sb.append(pad).append('-');
                if (item.isObject() && !item.isEmpty()) {
                    // first field on the dash line, the rest aligned under it
                    StringBuilder inner = new StringBuilder();
                    yamlBlock(item, indent + 2, inner);
                    sb.append(' ').append(inner.substring(indent + 2));
                } else {
                    yamlChild(item, indent + 2, sb);
                }
            }
        }
    }

    private static void yamlChild(JsonNode v, int indent, StringBuilder sb) {
        if (v.isContainerNode() && !v.isEmpty()) {
            sb.append('\n');
            yamlBlock(v, indent, sb);
        } else {
            sb.append(' ').append(yamlScalar(v)).append('\n');
        }
    }

    private static String yamlKey(String k) {
        return PLAIN.matcher(k).matches() && !RESERVED.contains(k.toLowerCase()) ? k : quote(k);
    }

    private static String yamlScalar(JsonNode v) {
        if (v.isArray()) return "[]";
        if (v.isObject()) return "{}";
        if (v.isNull() || v.isMissingNode()) return "null";
        if (v.isNumber() || v.isBoolean()) return v.asText();
        String s = v.asText();
        boolean plain = PLAIN.matcher(s).matches() && !RESERVED.contains(s.toLowerCase()) && !s.matches("[-+]?[0-9.].*")
                && !s.contains(": ") && !s.contains(" #");
        return plain ? s : quote(s);
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- table ----

    static String table(JsonNode node) {
        List<JsonNode> rows = new ArrayList<>();
        if (node.isArray()) node.forEach(rows::add);
        else if (node.isObject() && node.path("value").isArray() && node.size() <= 2) node.get("value").forEach(rows::add);
        else rows.add(node);
        if (rows.isEmpty()) return "";
        if (rows.stream().noneMatch(JsonNode::isObject)) {
            StringBuilder sb = new StringBuilder("Result\n------\n");
            rows.forEach(r -> sb.append(text(r)).append('\n'));
            return sb.toString();
        }
        Set<String> columns = new LinkedHashSet<>();
        for (JsonNode r : rows) {
            columnsOf(r, "", columns);
            columnsOf(r.path("properties"), "", columns);
        }
        columns.removeAll(Set.of("id", "etag", "type"));
        List<String> cols = new ArrayList<>(columns);
        List<List<String>> cells = new ArrayList<>();
        for (JsonNode r : rows) {
            List<String> line = new ArrayList<>();
            for (String c : cols) {
                JsonNode v = r.has(c) ? r.get(c) : r.path("properties").path(c);
                line.add(v.isMissingNode() || v.isNull() ? "" : text(v));
            }
            cells.add(line);
        }
        int[] width = new int[cols.size()];
        for (int i = 0; i < cols.size(); i++) {
            width[i] = header(cols.get(i)).length();
            for (List<String> line : cells) width[i] = Math.max(width[i], line.get(i).length());
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, cols.stream().map(Output::header).toList(), width);
        appendRow(sb, java.util.Arrays.stream(width).mapToObj("-"::repeat).toList(), width);
        cells.forEach(line -> appendRow(sb, line, width));
        return sb.toString();
    }

    private static void columnsOf(JsonNode obj, String prefix, Set<String> out) {
        if (!obj.isObject()) return;
        obj.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode()) out.add(prefix + e.getKey());
        });
    }

    /** {@code packetCaptureStatus} → {@code PacketCaptureStatus}, as az's table headers. */
    private static String header(String c) {
        return c.isEmpty() ? c : Character.toUpperCase(c.charAt(0)) + c.substring(1);
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) line.append("  ");
            line.append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length()));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    // ---- tsv ----

    static String tsv(JsonNode node) {
        if (node.isNull() || node.isMissingNode()) return "";
        if (node.isValueNode()) return text(node) + "\n";
        StringBuilder sb = new StringBuilder();
        List<JsonNode> rows = new ArrayList<>();
        if (node.isArray()) node.forEach(rows::add);
        else rows.add(node);
        for (JsonNode r : rows) {
            if (r.isObject()) {
                List<String> vals = new ArrayList<>();
                r.fields().forEachRemaining(e -> {
                    if (e.getValue().isValueNode()) vals.add(text(e.getValue()));
                });
                sb.append(String.join("\t", vals)).append('\n');
            } else {
                sb.append(r.isContainerNode() ? json(r).replace('\n', ' ') : text(r)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String text(JsonNode v) {
        if (v.isNull()) return "";
        if (v.isArray() && v.isEmpty()) return "";
        return v.isContainerNode() ? v.toString() : v.asText();
    }

    /** An empty array node, for callers building list answers. */
    public static ArrayNode array() { return JSON.createArrayNode(); }

    /** An empty object node, for callers building request bodies. */
    public static com.fasterxml.jackson.databind.node.ObjectNode object() { return JSON.createObjectNode(); }

    /** Parses user-given JSON (e.g. {@code --filters}); {@code option} names it in the error. */
    public static JsonNode parseOption(String option, String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw CliException.usage(option + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
