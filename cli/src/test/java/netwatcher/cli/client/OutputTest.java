package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OutputTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode tree(String s) throws Exception { return JSON.readTree(s); }

    @Test
    void query_whenPathHasIndexesAndProjection_returnsField() throws Exception {
        JsonNode n = tree("{\"value\":[{\"name\":\"a\",\"p\":{\"x\":[1,2,3]}},{\"name\":\"b\"}]}");
        assertEquals("a", Output.query(n, "value[0].name").asText());
        assertEquals(3, Output.query(n, "value[0].p.x[-1]").asInt());
        assertEquals("[\"a\",\"b\"]", Output.query(n, "value[].name").toString());
        assertEquals("[\"a\",\"b\"]", Output.query(n, "value[*].name").toString());
        assertEquals("null", Output.query(n, "value[7].name").toString());
        assertThrows(CliException.class, () -> Output.query(n, "value..name"));
    }

    @Test
    void yaml_whenStringsLookLikeOtherTypes_quotesThem() throws Exception {
        String y = Output.render(tree("{\"a\":\"true\",\"b\":\"10\",\"c\":\"W/\\\"x\\\"\",\"d\":\"plain text\",\"e\":[],\"f\":[{\"k\":1,\"m\":2}],\"g\":\"\"}"),
                Output.Format.yaml, null);
        assertEquals("""
                a: "true"
                b: "10"
                c: "W/\\"x\\""
                d: plain text
                e: []
                f:
                  - k: 1
                    m: 2
                g: ""
                """, y);
    }

    @Test
    void table_whenArmList_usesNameAndPropertiesColumns() throws Exception {
        String t = Output.render(tree("{\"value\":[{\"id\":\"/x\",\"name\":\"pc1\",\"properties\":{\"provisioningState\":\"Succeeded\",\"filters\":[]}}]}"),
                Output.Format.table, null);
        assertEquals("""
                Name  ProvisioningState
                ----  -----------------
                pc1   Succeeded
                """, t);
    }

    @Test
    void tsv_whenScalarsAndObjects_printsValuesOnly() throws Exception {
        assertEquals("a\tb\n", Output.render(tree("[{\"x\":\"a\",\"y\":\"b\",\"z\":{}}]"), Output.Format.tsv, null));
        assertEquals("Running\n", Output.render(tree("{\"s\":\"Running\"}"), Output.Format.tsv, "s"));
    }
}
