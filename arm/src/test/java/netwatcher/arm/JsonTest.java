package netwatcher.arm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Json: the one mapper's settings, and the messages of bodies that are not JSON (no library names in them). */
class JsonTest {
    record Sample(String name, Instant at, Integer count) {}

    private static String problem(String body) {
        ArmException e = assertThrows(ArmException.class, () -> Json.tree(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(ArmErrorCode.InvalidRequestFormat, e.code());
        String message = e.error().message();
        assertFalse(message.matches("(?is).*(jackson|java\\.|exception|feature|class ).*"), message);
        return message;
    }

    @Test
    void write_omitsNulls_andWritesTimesAsIso8601() {
        String json = Json.writeString(new Sample("a", Instant.parse("2026-01-02T03:04:05Z"), null));
        assertEquals("{\"name\":\"a\",\"at\":\"2026-01-02T03:04:05Z\"}", json);
        assertEquals(json, new String(Json.write(new Sample("a", Instant.parse("2026-01-02T03:04:05Z"), null)), StandardCharsets.UTF_8));
    }

    @Test
    void read_ignoresUnknownProperties_andRoundTrips() {
        Sample sample = Json.read("{\"name\":\"a\",\"at\":\"2026-01-02T03:04:05Z\",\"count\":3,\"future\":true}", Sample.class);
        assertEquals(new Sample("a", Instant.parse("2026-01-02T03:04:05Z"), 3), sample);
        assertEquals(sample, Json.read(Json.write(sample), Sample.class));
    }

    @Test
    void read_whenKeyGivenTwice_fails() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Json.read("{\"name\":\"a\",\"name\":\"b\"}", Sample.class));
        assertTrue(e.getMessage().startsWith("cannot read Sample"), e.getMessage());
    }

    @Test
    void read_whenTrailingTokens_fails() {
        assertThrows(UncheckedIOException.class, () -> Json.read("{\"name\":\"a\"} {}", Sample.class));
    }

    @Test
    void tree_readsAnyJsonValue() {
        JsonNode node = Json.tree("{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, node.get("a").size());
        assertTrue(Json.tree("7".getBytes(StandardCharsets.UTF_8)).isNumber());
    }

    @Test
    void tree_whenEmpty_saysSo() {
        assertEquals("The request body is empty; a JSON object was expected.", problem(""));
        assertEquals("The request body is empty; a JSON object was expected.", problem("   "));
    }

    @Test
    void tree_whenDuplicateKey_namesTheKeyAndWhere() {
        String message = problem("{\"a\":1,\n \"a\":2}");
        assertTrue(message.startsWith("The request body gives the property 'a' more than once in the same object at line 2"), message);
    }

    @Test
    void tree_whenTruncated_saysItEndsEarly() {
        assertTrue(problem("{\"a\":").contains("the body ends before the JSON value is complete"), problem("{\"a\":"));
    }

    @Test
    void tree_whenTrailingInput_saysSo() {
        String message = problem("{} {}");
        assertTrue(message.contains("there is more input after the JSON value"), message);
    }

    @Test
    void tree_whenBadToken_namesLineColumnAndToken() {
        String message = problem("{\"a\": nope}");
        assertTrue(message.startsWith("The request body is not valid JSON at line 1, column "), message);
        assertTrue(message.contains("nope"), message);
    }

    @Test
    void tree_whenNestedTooDeep_namesTheLimit() {
        String message = problem("[".repeat(1_100) + "]".repeat(1_100));
        assertTrue(message.contains("nests deeper than 1000 levels"), message);
    }

    @Test
    void tree_whenNotUnicodeText_saysSo() {
        ArmException e = assertThrows(ArmException.class, () -> Json.tree(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0, 0x7b}));
        assertEquals(ArmErrorCode.InvalidRequestFormat, e.code());
        assertTrue(e.error().message().startsWith("The request body is not valid JSON"), e.error().message());
    }

    @Test
    void tree_quotesInputPrintably() {
        String message = problem("{\"a\\u0001\":2,\"a\\u0001\":3}");
        assertTrue(message.contains("a\\u0001"), message);
    }
}
