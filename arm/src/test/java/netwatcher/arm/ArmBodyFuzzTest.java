package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes the ARM body reader: any byte string as a request body, then every typed accessor on every
 * field the body has (and on a name it lacks), recursing into objects and arrays of objects. The only
 * allowed failure is an {@link ArmException} whose message names no library or class; anything else
 * (a Jackson exception escaping, an NPE, a NumberFormatException, a StackOverflowError on deep
 * nesting) is a finding. Seeds: {@code ArmBodyFuzzTestInputs/body}.
 */
@Tag("fuzz")
class ArmBodyFuzzTest {
    private static final long UINT32_MAX = 4294967295L;

    @FuzzTest(maxDuration = "20s")
    void body(byte[] input) {
        ArmBody root;
        try {
            root = ArmBody.root(input);
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
            return;
        }
        walk(root, Json.tree(input), input, 0);
    }

    private static void walk(ArmBody body, JsonNode node, byte[] input, int depth) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String name : names) read(body, node, name, input, depth);
        read(body, node, "absent", input, depth);
    }

    private static void read(ArmBody body, JsonNode node, String name, byte[] input, int depth) {
        body.has(name);
        attempt(input, () -> body.string(name));
        attempt(input, () -> body.requireString(name));
        attempt(input, () -> body.integer(name, 0, UINT32_MAX, 7));
        attempt(input, () -> body.integer(name, Long.MIN_VALUE, Long.MAX_VALUE, 0));
        attempt(input, () -> body.bool(name));
        attempt(input, () -> body.strings(name));
        attempt(input, () -> body.longs(name));
        attempt(input, () -> body.stringMap(name));
        attempt(input, () -> body.requireObject(name));
        assertNotNull(body.missing(name).error().target());
        if (depth >= 8) return;
        JsonNode child = find(node, name);
        try {
            body.object(name).ifPresent(o -> walk(o, child, input, depth + 1));
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
        }
        try {
            List<ArmBody> items = body.objects(name);
            for (int i = 0; i < items.size(); i++) walk(items.get(i), child.get(i), input, depth + 1);
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
        }
    }

    /** The node ArmBody reads for {@code name}: the exact key, else the first key equal ignoring case. */
    private static JsonNode find(JsonNode node, String name) {
        JsonNode exact = node.get(name);
        if (exact != null) return exact;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        }
        return null;
    }

    private static void attempt(byte[] input, Runnable read) {
        try {
            read.run();
        } catch (ArmException e) {
            FuzzFindings.cleanArmError(e, input);
            assertEquals(e.code().name(), e.error().code());
        }
    }
}
