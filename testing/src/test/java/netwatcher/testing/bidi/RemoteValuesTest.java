package netwatcher.testing.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteValuesTest {
    static JsonNode json(String text) throws Exception {
        return BidiFrames.JSON.readTree(text);
    }

    @Test
    void toJson_primitives_areThemselves_andTheSpecialNumbersTheirText() throws Exception {
        assertEquals("\"x\"", RemoteValues.toJson(json("{\"type\":\"string\",\"value\":\"x\"}")).toString());
        assertEquals("3", RemoteValues.toJson(json("{\"type\":\"number\",\"value\":3}")).toString());
        assertEquals("\"NaN\"", RemoteValues.toJson(json("{\"type\":\"number\",\"value\":\"NaN\"}")).toString());
        assertEquals("true", RemoteValues.toJson(json("{\"type\":\"boolean\",\"value\":true}")).toString());
        assertEquals("null", RemoteValues.toJson(json("{\"type\":\"undefined\"}")).toString());
        assertEquals("null", RemoteValues.toJson(json("{\"type\":\"null\"}")).toString());
        assertEquals("\"12345678901234567890\"", RemoteValues.toJson(json("{\"type\":\"bigint\",\"value\":\"12345678901234567890\"}")).toString());
    }

    @Test
    void toJson_objectsAndArrays_nest_asPlainJson() throws Exception {
        JsonNode remote = json("""
                {"type":"object","value":[["status",{"type":"number","value":403}],
                  ["tags",{"type":"array","value":[{"type":"string","value":"a"},{"type":"null"}]}],
                  ["inner",{"type":"object","value":[["ok",{"type":"boolean","value":false}]]}]]}""");
        assertEquals("{\"status\":403,\"tags\":[\"a\",null],\"inner\":{\"ok\":false}}", RemoteValues.toJson(remote).toString());
    }

    @Test
    void toJson_mapWithANonStringKey_usesTheKeysJson_andANodeGivesItsSharedId() throws Exception {
        assertEquals("{\"1\":\"one\"}", RemoteValues.toJson(json(
                "{\"type\":\"map\",\"value\":[[{\"type\":\"number\",\"value\":1},{\"type\":\"string\",\"value\":\"one\"}]]}")).toString());
        assertEquals("{\"sharedId\":\"f.1.d.2\"}", RemoteValues.toJson(json("{\"type\":\"node\",\"sharedId\":\"f.1.d.2\"}")).toString());
        assertEquals("\"[function]\"", RemoteValues.toJson(json("{\"type\":\"function\"}")).toString());
    }

    @Test
    void element_isANodesSharedId_orAnErrorNamingTheSelectorAndWhatCameBack() throws Exception {
        assertEquals(new RemoteValues.Element("f.1.d.2"), RemoteValues.element(json("{\"type\":\"node\",\"sharedId\":\"f.1.d.2\"}"), "'#x'"));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> RemoteValues.element(json("{\"type\":\"null\"}"), "'#x'"));
        assertTrue(none.getMessage().contains("'#x'") && none.getMessage().contains("null"), none.getMessage());
    }

    @Test
    void local_javaValues_becomeLocalValues() {
        assertEquals("{\"type\":\"string\",\"value\":\"a\"}", RemoteValues.local("a").toString());
        assertEquals("{\"type\":\"number\",\"value\":5}", RemoteValues.local(5).toString());
        assertEquals("{\"type\":\"number\",\"value\":\"NaN\"}", RemoteValues.local(Double.NaN).toString());
        assertEquals("{\"type\":\"null\"}", RemoteValues.local(null).toString());
        assertEquals("{\"sharedId\":\"f.1.d.2\"}", RemoteValues.local(new RemoteValues.Element("f.1.d.2")).toString());
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("k", List.of(true));
        assertEquals("{\"type\":\"object\",\"value\":[[\"k\",{\"type\":\"array\",\"value\":[{\"type\":\"boolean\",\"value\":true}]}]]}",
                RemoteValues.local(map).toString());
        assertThrows(IllegalArgumentException.class, () -> RemoteValues.local(new Object()));
        assertThrows(IllegalArgumentException.class, () -> RemoteValues.local(Map.of(1, "x")));
    }
}
