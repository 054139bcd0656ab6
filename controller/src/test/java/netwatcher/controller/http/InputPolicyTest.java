package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputPolicyTest {
    static final String NW = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw";

    @ParameterizedTest
    @ValueSource(strings = {NW + "/packetCaptures/..", NW + "/packetCaptures/.", NW + "/../nw", "/..", "/.",
            NW + "/packetCaptures/pc;x=1", NW + ";x/packetCaptures", NW + "/packetCaptures/a%2Fb", NW + "/packetCaptures/a%2fb",
            NW + "/packetCaptures/a%5Cb", NW + "/packetCaptures/a%00", NW + "/packetCaptures/%2e%2e", NW + "/packetCaptures/%2E",
            NW + "/packetCaptures/a%2e", NW + "/packetCaptures/a%3Bx", NW + "/packetCaptures/a%252F", NW + "/packetCaptures/a%1f",
            NW + "/packetCaptures/a%7F", NW + "/packetCaptures/a%zz", NW + "/packetCaptures/a%4", NW + "/packetCaptures/a%",
            NW + "/packetCaptures/a\\b", NW + "/packetCaptures/a b", NW + "/packetCaptures/a\"b", NW + "/packetCaptures/<x>",
            NW + "/packetCaptures/a%C0%AF", NW + "/packetCaptures/a%FF", NW + "/packetCaptures/\u00e9", "relative/path",
            "/subscriptions//resourceGroups/rg", NW + "//packetCaptures", NW + "/packetCaptures//", NW + "/packetCaptures/%u002e%u002e",
            NW + "/packetCaptures/%c0%ae%c0%ae", "*"})
    void rawPath_refusesAnythingThatCouldNameAnotherResource(String raw) {
        ArmException e = assertThrows(ArmException.class, () -> InputPolicy.checkRawPath(raw));
        assertEquals(400, e.status());
        assertEquals("InvalidRequestFormat", e.error().code());
        assertTrue(e.error().message().startsWith("The request path is not valid"), e.error().message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", NW, NW + "/packetCaptures/pc-1_a.b", "//metadata/endpoints", "/storage/acc/dir/file.cap",
            NW + "/packetCaptures/a%20b", NW + "/packetCaptures/caf%C3%A9", "/a/...", "/a/.b", "/a/b.", "/a:b@c!$&'()*+,=", "///subscriptions/s", NW + "/"})
    void rawPath_acceptsOrdinaryPaths(String raw) {
        assertDoesNotThrow(() -> InputPolicy.checkRawPath(raw));
    }

    @Test
    void rawPath_nullOrEmpty_isLeftToTheRouter() {
        assertDoesNotThrow(() -> InputPolicy.checkRawPath(null));
        assertDoesNotThrow(() -> InputPolicy.checkRawPath(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"CONNECT", "TRACE", "FOO", "get", "PROPFIND", ""})
    void method_outsideTheRouteMethods_is405(String method) {
        assertEquals(405, assertThrows(ArmException.class, () -> InputPolicy.checkMethod(method)).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
            "application/json; charset=\"utf-8\"", " application/json "})
    void mediaType_json_isAccepted(String type) {
        assertDoesNotThrow(() -> InputPolicy.checkJsonMediaType(type));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/jsonp", "text/json", "application/merge-patch+json", "application/json-patch+json",
            "application/json; charset=iso-8859-1", "application/json; odata=verbose", "application/json;", "application/jsonx; charset=utf-8",
            "text/plain", "application/x-www-form-urlencoded", "", "application/json, text/plain"})
    void mediaType_otherThanJson_is415(String type) {
        ArmException e = assertThrows(ArmException.class, () -> InputPolicy.checkJsonMediaType(type));
        assertEquals(415, e.status());
        assertEquals("UnsupportedMediaType", e.error().code());
    }

    @Test
    void tags_withinArmLimits_areAccepted() {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) tags.put("t" + i, "v");
        tags.put("t0", "v".repeat(256));
        tags.put("n".repeat(512), "");
        tags.remove("t1");
        assertEquals(tags, InputPolicy.checkTags(tags, "tags"));
    }

    @Test
    void tags_beyondArmLimits_areRefusedNamingTheTag() {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 51; i++) many.put("t" + i, "v");
        assertEquals("InvalidTagCount", refused(many).error().code());
        assertEquals("InvalidTagNameLength", refused(Map.of("n".repeat(513), "v")).error().code());
        ArmException value = refused(Map.of("env", "v".repeat(257)));
        assertEquals("InvalidTagValueLength", value.error().code());
        assertEquals("tags.env", value.error().target());
        assertTrue(value.error().message().contains("'env'"), value.error().message());
        for (String bad : List.of("a<b", "a>b", "a%b", "a&b", "a\\b", "a?b", "a/b", "a\u0001b")) {
            ArmException e = refused(Map.of(bad, "v"));
            assertEquals("InvalidTagNameCharacters", e.error().code(), bad);
            assertEquals(400, e.status());
        }
        assertEquals("InvalidTagNameCharacters", refused(Map.of("", "v")).error().code());
    }

    private static ArmException refused(Map<String, String> tags) {
        return assertThrows(ArmException.class, () -> InputPolicy.checkTags(tags, "tags"));
    }

    @Test
    void form_decodesStrictly() {
        assertEquals(Map.of("grant_type", "client_credentials", "scope", "https://h/.default", "x", "a b"),
                InputPolicy.form("grant_type=client_credentials&scope=https%3A%2F%2Fh%2F.default&x=a+b".getBytes(StandardCharsets.UTF_8)));
        for (String bad : List.of("a=%zz", "a=%", "a=%4", "%G1=x", "a=%C0%AF", "a=1&a=2")) {
            ArmException e = assertThrows(ArmException.class, () -> InputPolicy.form(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertEquals(400, e.status(), bad);
        }
        assertThrows(ArmException.class, () -> InputPolicy.form(new byte[] {'a', '=', (byte) 0xff}));
    }

    @Test
    void byteRange_ordinaryForms() {
        assertEquals(Optional.of(new InputPolicy.ByteRange(0, 9)), InputPolicy.byteRange("bytes=0-9", 100));
        assertEquals(Optional.of(new InputPolicy.ByteRange(90, 99)), InputPolicy.byteRange("bytes=90-", 100));
        assertEquals(Optional.of(new InputPolicy.ByteRange(90, 99)), InputPolicy.byteRange("bytes=-10", 100));
        assertEquals(Optional.of(new InputPolicy.ByteRange(50, 99)), InputPolicy.byteRange("bytes=50-500", 100));
        assertEquals(Optional.empty(), InputPolicy.byteRange(null, 100));
        assertEquals(Optional.empty(), InputPolicy.byteRange("items=0-9", 100), "unknown units are ignored (RFC 9110 14.2)");
    }

    @Test
    void byteRange_hugeNumbers_areClampedOrUnsatisfiable_neverAnOverflow() {
        assertEquals(416, unsatisfiable("bytes=99999999999999999999-", 100));
        assertEquals(416, unsatisfiable("bytes=99999999999999999999-99999999999999999999", 100));
        assertEquals(Optional.of(new InputPolicy.ByteRange(0, 99)), InputPolicy.byteRange("bytes=0-99999999999999999999", 100));
        assertEquals(Optional.of(new InputPolicy.ByteRange(0, 99)), InputPolicy.byteRange("bytes=-99999999999999999999", 100));
        assertEquals(Optional.of(new InputPolicy.ByteRange(5, 99)), InputPolicy.byteRange("bytes=0000000000000000000000005-", 100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=abc", "bytes=-", "bytes=1-2,3-4", "bytes=5-1", "bytes=100-", "bytes=-0", "bytes=+1-2", "bytes=1-2-3",
            "bytes=0x10-", "bytes", "", "bytes=\u0661-2"})
    void byteRange_malformedOrOutside_is416(String header) {
        assertEquals(416, unsatisfiable(header, 100));
    }

    @Test
    void byteRange_ofAnEmptyBlob_is416() {
        assertEquals(416, unsatisfiable("bytes=0-", 0));
        assertEquals(416, unsatisfiable("bytes=-5", 0));
    }

    private static int unsatisfiable(String header, long size) {
        return assertThrows(ArmException.class, () -> InputPolicy.byteRange(header, size)).status();
    }

    @Test
    void quote_isUrlSafeAndBounded() {
        assertEquals("2025-05-01", InputPolicy.quote("2025-05-01"));
        String q = InputPolicy.quote("a'b\"<x>\n\u0000?&#%");
        for (char c : "'\"<>\n\u0000?&#".toCharArray()) assertFalse(q.indexOf(c) >= 0, "raw " + (int) c + " in " + q);
        assertTrue(InputPolicy.quote("x".repeat(10_000)).length() < 400);
    }
}
