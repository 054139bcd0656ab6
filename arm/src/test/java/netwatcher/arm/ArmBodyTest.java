package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** ArmBody's typed reads: values, defaults, and the ARM error (code, target, message) of each refusal. */
class ArmBodyTest {

    private static ArmBody body(String json) {
        return ArmBody.root(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Asserts the ARM error of {@code call}: code, status, target, and that the message names the target. */
    private static ArmException assertArmError(ArmErrorCode code, String target, Executable call) {
        ArmException e = assertThrows(ArmException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(code.status(), e.status());
        assertEquals(code.name(), e.error().code());
        assertEquals(target, e.error().target(), e.getMessage());
        if (target != null) assertTrue(e.error().message().contains("'" + target + "'"), e.error().message());
        return e;
    }

    // ---- root

    @Test
    void root_whenNotAnObject_isInvalidRequestFormatNamingTheKind() {
        ArmException e = assertArmError(ArmErrorCode.InvalidRequestFormat, null, () -> body("[1,2]"));
        assertTrue(e.error().message().contains("must be a JSON object; was an array"), e.error().message());
        assertArmError(ArmErrorCode.InvalidRequestFormat, null, () -> body("\"text\""));
        assertArmError(ArmErrorCode.InvalidRequestFormat, null, () -> body("42"));
    }

    @Test
    void root_whenNotJson_isInvalidRequestFormat() {
        assertArmError(ArmErrorCode.InvalidRequestFormat, null, () -> body("{\"a\":"));
        assertArmError(ArmErrorCode.InvalidRequestFormat, null, () -> body(""));
    }

    @Test
    void root_whenNamesDifferOnlyInCase_refusesNamingThePath() {
        ArmException e = assertArmError(ArmErrorCode.InvalidRequestFormat, "properties.Target",
                () -> body("{\"properties\":{\"target\":\"a\",\"Target\":\"b\"}}"));
        assertTrue(e.error().message().contains("more than once"), e.error().message());
        assertArmError(ArmErrorCode.InvalidRequestFormat, "list[1].X", () -> body("{\"list\":[{},{\"x\":1,\"X\":2}]}"));
    }

    @Test
    void root_pathIsEmpty_nestedPathsAreDotted() {
        ArmBody root = body("{\"properties\":{\"storageLocation\":{\"filePath\":\"/x\"}}}");
        assertEquals("", root.path());
        ArmBody storage = root.requireObject("properties").requireObject("storageLocation");
        assertEquals("properties.storageLocation", storage.path());
    }

    // ---- names

    @Test
    void fields_matchCaseInsensitively_exactSpellingFirst() {
        ArmBody b = body("{\"TargetResourceId\":\"x\",\"properties\":{}}");
        assertEquals(Optional.of("x"), b.string("targetResourceId"));
        assertTrue(b.has("PROPERTIES"));
    }

    @Test
    void has_isFalseForAbsentAndNull() {
        ArmBody b = body("{\"a\":null,\"b\":0}");
        assertFalse(b.has("a"));
        assertFalse(b.has("missing"));
        assertTrue(b.has("b"));
    }

    // ---- objects

    @Test
    void object_whenAbsentOrNull_isEmpty_whenWrongKind_isInvalidRequestContent() {
        ArmBody b = body("{\"n\":null,\"s\":\"x\",\"properties\":{\"p\":[1]}}");
        assertEquals(Optional.empty(), b.object("missing"));
        assertEquals(Optional.empty(), b.object("n"));
        ArmException e = assertArmError(ArmErrorCode.InvalidRequestContent, "s", () -> b.object("s"));
        assertTrue(e.error().message().contains("must be a JSON object; was the string 'x'"), e.error().message());
        assertArmError(ArmErrorCode.InvalidRequestContent, "properties.p", () -> b.requireObject("properties").object("p"));
    }

    @Test
    void requireObject_whenMissing_isInvalidRequestContentNamingThePath() {
        ArmBody properties = body("{\"properties\":{}}").requireObject("properties");
        ArmException e = assertArmError(ArmErrorCode.InvalidRequestContent, "properties.storageLocation",
                () -> properties.requireObject("storageLocation"));
        assertEquals("Required property 'properties.storageLocation' is missing.", e.error().message());
        assertArmError(ArmErrorCode.InvalidRequestContent, "properties", () -> body("{\"properties\":null}").requireObject("properties"));
    }

    @Test
    void objects_readsItemsWithIndexedPaths() {
        List<ArmBody> filters = body("{\"properties\":{\"filters\":[{\"protocol\":\"TCP\"},{}]}}")
                .requireObject("properties").objects("filters");
        assertEquals(2, filters.size());
        assertEquals("properties.filters[0]", filters.get(0).path());
        assertEquals("properties.filters[1]", filters.get(1).path());
        assertEquals(Optional.of("TCP"), filters.get(0).string("protocol"));
    }

    @Test
    void objects_whenAbsentOrNull_isEmpty_whenNotArrayOrItemNotObject_isRefused() {
        assertEquals(List.of(), body("{}").objects("filters"));
        assertEquals(List.of(), body("{\"filters\":null}").objects("filters"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "filters", () -> body("{\"filters\":{}}").objects("filters"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "filters[1]", () -> body("{\"filters\":[{},3]}").objects("filters"));
    }

    // ---- strings

    @Test
    void string_readsText_refusesNumbersAndBooleans() {
        ArmBody b = body("{\"s\":\"v\",\"n\":5,\"t\":true,\"z\":null}");
        assertEquals(Optional.of("v"), b.string("s"));
        assertEquals(Optional.empty(), b.string("z"));
        assertEquals(Optional.empty(), b.string("missing"));
        ArmException e = assertArmError(ArmErrorCode.InvalidRequestContent, "n", () -> b.string("n"));
        assertTrue(e.error().message().contains("was the number 5"), e.error().message());
        assertTrue(assertArmError(ArmErrorCode.InvalidRequestContent, "t", () -> b.string("t"))
                .error().message().contains("was a boolean"));
    }

    @Test
    void requireString_whenMissingOrBlank_isInvalidRequestContent() {
        ArmBody b = body("{\"blank\":\"  \",\"ok\":\"x\"}");
        assertEquals("x", b.requireString("ok"));
        assertEquals("Required property 'gone' is missing.",
                assertArmError(ArmErrorCode.InvalidRequestContent, "gone", () -> b.requireString("gone")).error().message());
        assertEquals("Property 'blank' must not be empty.",
                assertArmError(ArmErrorCode.InvalidRequestContent, "blank", () -> b.requireString("blank")).error().message());
    }

    @Test
    void strings_readsArray_refusesNonStringItemsByIndex() {
        assertEquals(List.of("a", "b"), body("{\"l\":[\"a\",\"b\"]}").strings("l"));
        assertEquals(List.of(), body("{}").strings("l"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "l", () -> body("{\"l\":\"a\"}").strings("l"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "l[1]", () -> body("{\"l\":[\"a\",1]}").strings("l"));
    }

    @Test
    void longs_readsIntegers_refusesFractionsAndStringsByIndex() {
        assertEquals(List.of(200L, 404L), body("{\"codes\":[200,404]}").longs("codes"));
        assertEquals(List.of(), body("{\"codes\":null}").longs("codes"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "codes", () -> body("{\"codes\":200}").longs("codes"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "codes[0]", () -> body("{\"codes\":[2.5]}").longs("codes"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "codes[1]", () -> body("{\"codes\":[1,\"2\"]}").longs("codes"));
    }

    @Test
    void stringMap_readsTags_refusesNonStringValuesNamingTheKey() {
        assertEquals(Map.of("env", "lab"), body("{\"tags\":{\"env\":\"lab\"}}").stringMap("tags"));
        assertEquals(Map.of(), body("{}").stringMap("tags"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "tags", () -> body("{\"tags\":[]}").stringMap("tags"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "tags.n", () -> body("{\"tags\":{\"n\":1}}").stringMap("tags"));
    }

    @Test
    void stringMap_keepsInsertionOrder() {
        assertEquals(List.of("b", "a"), List.copyOf(body("{\"t\":{\"b\":\"1\",\"a\":\"2\"}}").stringMap("t").keySet()));
    }

    // ---- integers

    @Test
    void integer_acceptsNumbersIntegralFloatsAndNumericStrings() {
        ArmBody b = body("{\"n\":5,\"f\":6.0,\"s\":\"7\",\"sp\":\" 8 \",\"neg\":\"-3\",\"z\":null}");
        assertEquals(5, b.integer("n", 0, 10, 1));
        assertEquals(6, b.integer("f", 0, 10, 1));
        assertEquals(7, b.integer("s", 0, 10, 1));
        assertEquals(8, b.integer("sp", 0, 10, 1));
        assertEquals(-3, b.integer("neg", -5, 10, 1));
        assertEquals(1, b.integer("z", 0, 10, 1), "null takes the default");
        assertEquals(1, b.integer("missing", 0, 10, 1), "absent takes the default");
    }

    @Test
    void integer_whenOutOfRange_isInvalidParameterNamingLimitsAndValue() {
        ArmBody b = body("{\"properties\":{\"timeLimitInSeconds\":18001}}").requireObject("properties");
        ArmException e = assertArmError(ArmErrorCode.InvalidParameter, "properties.timeLimitInSeconds",
                () -> b.integer("timeLimitInSeconds", 0, 18000, 18000));
        assertEquals("Property 'properties.timeLimitInSeconds' must be between 0 and 18000; was 18001.", e.error().message());
        assertArmError(ArmErrorCode.InvalidParameter, "n", () -> body("{\"n\":-1}").integer("n", 0, 5, 0));
        assertEquals(0, body("{\"n\":0}").integer("n", 0, 5, 3), "the lower bound is inclusive");
        assertEquals(5, body("{\"n\":5}").integer("n", 0, 5, 3), "the upper bound is inclusive");
    }

    @Test
    void integer_whenNotAnInteger_isInvalidRequestContent() {
        assertArmError(ArmErrorCode.InvalidRequestContent, "n", () -> body("{\"n\":1.5}").integer("n", 0, 10, 0));
        assertArmError(ArmErrorCode.InvalidRequestContent, "n", () -> body("{\"n\":\"1.5\"}").integer("n", 0, 10, 0));
        assertArmError(ArmErrorCode.InvalidRequestContent, "n", () -> body("{\"n\":\"ten\"}").integer("n", 0, 10, 0));
        assertArmError(ArmErrorCode.InvalidRequestContent, "n", () -> body("{\"n\":true}").integer("n", 0, 10, 0));
        assertArmError(ArmErrorCode.InvalidRequestContent, "n", () -> body("{\"n\":[1]}").integer("n", 0, 10, 0));
        assertArmError(ArmErrorCode.InvalidRequestContent, "n",
                () -> body("{\"n\":99999999999999999999}").integer("n", 0, Long.MAX_VALUE, 0));
        assertArmError(ArmErrorCode.InvalidRequestContent, "n",
                () -> body("{\"n\":\"9999999999999999999\"}").integer("n", 0, Long.MAX_VALUE, 0));
    }

    // ---- booleans

    @Test
    void bool_acceptsBooleansAndTheirStringsInAnyCase() {
        ArmBody b = body("{\"a\":true,\"b\":\"FALSE\",\"c\":\"True\",\"z\":null}");
        assertEquals(Optional.of(true), b.bool("a"));
        assertEquals(Optional.of(false), b.bool("b"));
        assertEquals(Optional.of(true), b.bool("c"));
        assertEquals(Optional.empty(), b.bool("z"));
        assertEquals(Optional.empty(), b.bool("missing"));
    }

    @Test
    void bool_whenNotABoolean_isInvalidRequestContent() {
        assertTrue(assertArmError(ArmErrorCode.InvalidRequestContent, "a", () -> body("{\"a\":1}").bool("a"))
                .error().message().contains("must be true or false"));
        assertArmError(ArmErrorCode.InvalidRequestContent, "a", () -> body("{\"a\":\"yes\"}").bool("a"));
    }

    // ---- errors built for callers

    @Test
    void errorFactories_nameTheFullPathWithTheirCodes() {
        ArmBody storage = body("{\"properties\":{\"storageLocation\":{}}}").requireObject("properties").requireObject("storageLocation");
        ArmException missing = storage.missing("filePath");
        assertEquals(ArmErrorCode.InvalidRequestContent, missing.code());
        assertEquals("properties.storageLocation.filePath", missing.error().target());
        ArmException invalid = storage.invalid("filePath", "must end in .cap");
        assertEquals(ArmErrorCode.InvalidRequestContent, invalid.code());
        assertEquals("Property 'properties.storageLocation.filePath' must end in .cap.", invalid.error().message());
        ArmException bad = storage.badValue("storageId", "names no storage account");
        assertEquals(ArmErrorCode.InvalidParameter, bad.code());
        assertEquals(400, bad.status());
        assertEquals("properties.storageLocation.storageId", bad.error().target());
    }
}
