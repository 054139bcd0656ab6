package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import netwatcher.arm.Json;
import netwatcher.controller.Controller;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The edge against hostile requests sent byte for byte over a raw TLS socket (no client library
 * normalises or refuses anything): every answer ARM-shaped JSON with a request id, never a 500, never
 * Jetty's pages, never a library name; path tricks refused before they reach any resource.
 */
@Tag("e2e")
class HttpEdgeTest {
    static final String V = "?api-version=2025-05-01";
    static final Pattern INTERNALS = Pattern.compile("(?i)jetty|jackson|java\\.|exception|fasterxml|eclipse|<html|<body");
    static TestController c;
    static String nw;
    static String captures;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        TestAgent agent = new TestAgent(c, "lab", "vm1", "westeurope");
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        String body = """
                {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/pc.cap"}}}""".formatted(agent.vmId);
        var put = c.send("PUT", nw + "/packetCaptures/existing" + V, body);
        assertEquals(201, put.status(), put.body());
        captures = c.send("GET", nw + "/packetCaptures" + V, null).body();
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    /** A response as read off the socket. */
    record Raw(int status, Map<String, String> headers, String body) {
        String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }

        JsonNode json() { return Json.tree(body.getBytes(StandardCharsets.UTF_8)); }
    }

    /** Sends {@code head} (request line and headers, CRLF-separated, without the blank line) and a body. */
    static Raw raw(String head, byte[] body) throws IOException {
        try (SSLSocket s = (SSLSocket) TestController.sslContext(c.controller.caFile()).getSocketFactory()
                .createSocket("127.0.0.1", c.controller.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) out.write(("\r\nContent-Length: " + body.length).getBytes(StandardCharsets.ISO_8859_1));
            out.write("\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) out.write(body);
            out.flush();
            return parse(s.getInputStream());
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** Reads one response: up to the end of its Content-Length body, or to EOF without one. */
    static Raw parse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') break;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.endsWith("\r\n\r\n"), "no complete response head: " + text);
        String[] lines = text.strip().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] rest = headers.containsKey("content-length")
                ? in.readNBytes(Integer.parseInt(headers.get("content-length"))) : in.readAllBytes();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) rest = dechunk(rest);
        return new Raw(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int i = 0;
        while (true) {
            int eol = s.indexOf("\r\n", i);
            int n = Integer.parseInt(s.substring(i, eol).split(";")[0].strip(), 16);
            if (n == 0) break;
            out.write(b, eol + 2, n);
            i = eol + 2 + n + 2;
        }
        return out.toByteArray();
    }

    static String request(String method, String target, String... headers) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + c.controller.port()
                + "\r\nAuthorization: Bearer " + c.token);
        for (String h : headers) sb.append("\r\n").append(h);
        return sb.toString();
    }

    static Raw send(String method, String target, String... headers) throws IOException {
        return raw(request(method, target, headers), null);
    }

    /** The ARM error shape, JSON media type, a request id, no internals; returns the error object. */
    static JsonNode armError(Raw r, int status, String context) {
        String where = context + " -> " + r.status() + " " + r.headers() + " " + r.body();
        assertEquals(status, r.status(), where);
        assertNotNull(r.header("Content-Type"), where);
        assertTrue(r.header("Content-Type").toLowerCase(Locale.ROOT).startsWith("application/json"), where);
        assertNotNull(r.header("x-ms-request-id"), where);
        assertFalse(INTERNALS.matcher(r.body()).find(), "internals in " + where);
        JsonNode error = r.json().path("error");
        assertTrue(error.isObject(), where);
        assertFalse(error.path("code").asText().isBlank(), where);
        assertFalse(error.path("message").asText().isBlank(), where);
        return error;
    }

    static void nothingChanged() throws Exception {
        var watcher = c.send("GET", nw + V, null);
        assertEquals(200, watcher.status(), "the watcher must still exist: " + watcher.body());
        assertEquals(captures, c.send("GET", nw + "/packetCaptures" + V, null).body());
    }

    @Test
    void deleteDotDotCapture_isRefused_andTheWatcherLives() throws Exception {
        for (String name : List.of("..", ".", "%2e%2e", "%2E", ".%2e", "..;", "existing/..")) {
            armError(send("DELETE", nw + "/packetCaptures/" + name + V), 400, "DELETE " + name);
            nothingChanged();
        }
        armError(send("DELETE", nw + "/packetCaptures/../../networkWatchers/NetworkWatcher_westeurope" + V), 400, "DELETE ../..");
        nothingChanged();
    }

    @Test
    void matrixParameter_doesNotCreateTheResourceWithoutIt() throws Exception {
        String body = "{\"properties\":{}}";
        Raw r = raw(request("PUT", nw + "/packetCaptures/pc;x=1" + V, "Content-Type: application/json"), body.getBytes(StandardCharsets.UTF_8));
        armError(r, 400, "PUT pc;x=1");
        armError(send("GET", nw + ";x=1" + V), 400, "GET watcher;x=1");
        assertEquals(404, c.send("GET", nw + "/packetCaptures/pc" + V, null).status());
        nothingChanged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%2Fb", "a%2fb", "a%00", "a%5Cb", "a\\b", "%2e%2e", "a%zz", "a%", "a%C0%AF", "a%252e", "a%0d%0aX-Injected:%201",
            "a\"b", "a<b>"})
    void encodedOrOddPathSegments_are400Json(String segment) throws Exception {
        armError(send("GET", nw + "/packetCaptures/" + segment + V), 400, segment);
        armError(send("DELETE", nw + "/packetCaptures/" + segment + V), 400, "DELETE " + segment);
        nothingChanged();
    }

    @Test
    void everyRouteKind_getsThePathCheck() throws Exception {
        armError(send("GET", "/storage/netwatcherlocal/..%2f..%2fadmin.token"), 400, "storage download");
        armError(send("GET", "/storage/netwatcherlocal/../../admin.token"), 400, "storage download ..");
        armError(send("GET", "/admin/v1/servicePrincipals/.."), 400, "admin");
        armError(send("GET", "/adfs/discovery/%2e%2e/keys"), 400, "public");
        armError(send("GET", "/agent/v1/../v1/orders"), 400, "agent");
        String sub = "/subscriptions/" + c.sub;
        armError(send("DELETE", "/subscriptions//resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope" + V),
                400, "empty subscription segment");
        armError(send("DELETE", sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers//NetworkWatcher_westeurope" + V),
                400, "empty segment");
        nothingChanged();
    }

    @Test
    void longUriAndLargeHeaders_areArmErrors() throws Exception {
        armError(send("GET", nw + "/packetCaptures/" + "a".repeat(10 * 1024) + V), 414, "10 KB URL");
        armError(send("GET", nw + V, "X-Big: " + "b".repeat(9 * 1024)), 431, "9 KB header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TRACE", "FOO", "PROPFIND", "OPTIONS"})
    void unknownMethods_are405Json(String method) throws Exception {
        armError(send(method, nw + V), 405, method);
        nothingChanged();
    }

    @Test
    void connect_isAnArmError() throws Exception {
        Raw r = raw("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443", null);
        assertTrue(r.status() == 400 || r.status() == 405, r.status() + " " + r.body());
        armError(r, r.status(), "CONNECT");
    }

    @Test
    void garbageRequestLines_areArmErrors() throws Exception {
        for (String head : List.of("GET\r\nHost: x", "GET / HTTP/9.9\r\nHost: x", "GET " + nw + V + " HTTP/1.1\r\nHost: x\r\nBad Header Name: y",
                "GET " + nw + V + " HTTP/1.1\r\nHost: x\r\nContent-Length: -5", "GET " + nw + V + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999")) {
            Raw r = raw(head, null);
            assertTrue(r.status() >= 400 && r.status() < 500 || r.status() == 505, head + " -> " + r.status());
            armError(r, r.status(), head);
        }
    }

    @Test
    void brokenFraming_isAnArmError() throws Exception {
        String put = "PUT " + nw + "/packetCaptures/framing" + V + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + c.token
                + "\r\nContent-Type: application/json";
        for (String framing : List.of("\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                "\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                "\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n{}")) {
            try (var s = (javax.net.ssl.SSLSocket) TestController.sslContext(c.controller.caFile()).getSocketFactory()
                    .createSocket("127.0.0.1", c.controller.port())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write((put + framing).getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                Raw r = parse(s.getInputStream());
                assertTrue(r.status() >= 400 && r.status() < 500 || r.status() == 501, framing + " -> " + r.status() + " " + r.body());
                armError(r, r.status(), framing.strip());
            }
            assertEquals(404, c.send("GET", nw + "/packetCaptures/framing" + V, null).status());
        }
    }

    @Test
    void oddHostHeaders_neverReachAUrl() throws Exception {
        for (String host : List.of("x\"<y", "a b", "[::1", "h:99999", "h:-1", "", "h:80:80", "%00")) {
            Raw r = raw("DELETE " + nw + "/packetCaptures/none" + V + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + c.token, null);
            assertTrue(r.status() < 500, host + " -> " + r.status() + " " + r.body());
            if (r.status() >= 400) armError(r, r.status(), "Host: " + host);
            assertFalse(r.body().contains("<") || String.valueOf(r.header("Location")).contains("<"), host + " -> " + r.body());
        }
    }

    @Test
    void unknownRoute_is404Json() throws Exception {
        JsonNode e = armError(send("GET", "/nothing/here" + V), 404, "unknown");
        assertEquals("NotFound", e.path("code").asText());
    }

    @Test
    void tokenEndpoint_badForms_areOAuthErrors_evenWithoutToken() throws Exception {
        for (String form : List.of("grant_type=client_credentials&client_id=%zz", "grant_type=%", "grant_type=a&grant_type=b",
                "client_secret=%C0%AF")) {
            byte[] b = form.getBytes(StandardCharsets.UTF_8);
            Raw r = raw("POST /adfs/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded", b);
            assertEquals(400, r.status(), form + " -> " + r.body());
            assertTrue(r.header("Content-Type").startsWith("application/json"), form);
            assertEquals("invalid_request", r.json().path("error").asText(), r.body());
            assertFalse(r.json().path("error_description").asText().isBlank(), r.body());
            assertFalse(INTERNALS.matcher(r.body()).find(), r.body());
        }
        Raw get = send("GET", "/adfs/oauth2/token");
        assertEquals(405, get.status(), get.body());
        assertEquals("invalid_request", get.json().path("error").asText(), get.body());
        assertNotNull(get.header("x-ms-request-id"));
        Raw big = raw("POST /adfs/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded",
                ("grant_type=" + "x".repeat(70_000)).getBytes(StandardCharsets.UTF_8));
        assertEquals(413, big.status(), big.body());
        assertEquals("invalid_request", big.json().path("error").asText(), big.body());
        Raw json = raw("POST /adfs/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, json.status(), json.body());
        assertEquals("invalid_request", json.json().path("error").asText());
    }

    @Test
    void downloadRange_oddOrHugeValues_are416OrIgnored_never500() throws Exception {
        Path file = c.dir.resolve("storage").resolve(Controller.LOCAL_ACCOUNT).resolve("network-watcher-logs").resolve("edge.cap");
        Files.createDirectories(file.getParent());
        Files.write(file, "0123456789".getBytes(StandardCharsets.US_ASCII));
        String url = "/storage/" + Controller.LOCAL_ACCOUNT + "/network-watcher-logs/edge.cap";
        Raw whole = send("GET", url);
        assertEquals(200, whole.status(), whole.body());
        assertEquals("0123456789", whole.body());
        for (String range : List.of("bytes=99999999999999999999-", "bytes=abc", "bytes=1-2,3-4", "bytes=-0", "bytes=10-", "bytes=5-1",
                "bytes=99999999999999999999-99999999999999999999999999")) {
            Raw r = send("GET", url, "Range: " + range);
            armError(r, 416, range);
            assertEquals("bytes */10", r.header("Content-Range"), range);
        }
        Raw clamped = send("GET", url, "Range: bytes=2-99999999999999999999");
        assertEquals(206, clamped.status(), clamped.body());
        assertEquals("23456789", clamped.body());
        Raw suffix = send("GET", url, "Range: bytes=-99999999999999999999");
        assertEquals(206, suffix.status());
        assertEquals("0123456789", suffix.body());
        Raw ignored = send("GET", url, "Range: lines=1-2");
        assertEquals(200, ignored.status());
        assertEquals("0123456789", ignored.body());
    }

    @Test
    void apiVersion_isTakenExactly_andEchoedUrlSafe() throws Exception {
        for (String v : List.of("%202025-05-01", "2025-05-01%20", "2025-05-01%09", "%3Cscript%3E", "2025-05-01%27%22")) {
            JsonNode e = armError(send("GET", nw + "?api-version=" + v), 400, v);
            assertEquals("InvalidApiVersionParameter", e.path("code").asText(), v);
            String message = e.path("message").asText();
            for (char ch : " \t<>'\"".toCharArray()) {
                assertFalse(message.substring(message.indexOf('\'') + 1, message.indexOf("' is")).indexOf(ch) >= 0,
                        "raw '" + ch + "' echoed: " + message);
            }
        }
        JsonNode twice = armError(send("GET", nw + V + "&api-version=2016-09-01"), 400, "twice");
        assertEquals("InvalidApiVersionParameter", twice.path("code").asText());
        armError(send("GET", nw + "?api-version=%zz"), 400, "bad query encoding");
    }

    @Test
    void locationHeaders_carryTheApiVersionExactly() throws Exception {
        Raw r = send("DELETE", nw + "/packetCaptures/existing?api-version=2025-05-01-PREVIEW");
        assertEquals(202, r.status(), r.body());
        for (String h : List.of("Location", "Azure-AsyncOperation")) {
            assertTrue(r.header(h).endsWith("?api-version=2025-05-01-PREVIEW"), h + ": " + r.header(h));
        }
        captures = c.send("GET", nw + "/packetCaptures" + V, null).body();
    }

    @Test
    void jsonErrors_nameNoParserInternals() throws Exception {
        for (String body : List.of("{\"a\":NaN}", "{\"a\":01}", "{\"a\":1}{}", "{\"a\":\"\u0001\"}", "{\"a\":1,\"a\":2}", "[".repeat(5000),
                "{\"location\":\"westeurope\",\"tags\":{\"a\":\"1\",\"a\":\"2\"}}", "{\"a\":" + "9".repeat(2000) + "}")) {
            Raw r = raw(request("PUT", nw + V, "Content-Type: application/json"), body.getBytes(StandardCharsets.UTF_8));
            JsonNode e = armError(r, 400, body.length() > 50 ? body.substring(0, 50) : body);
            assertFalse(e.path("message").asText().contains("Feature"), e.toString());
            nothingChanged();
        }
    }

    @Test
    void ordinaryRequests_stillWork() throws Exception {
        Raw r = send("GET", nw + V);
        assertEquals(200, r.status(), r.body());
        Raw meta = raw("GET //metadata/endpoints?api-version=2022-09-01 HTTP/1.1\r\nHost: 127.0.0.1", null);
        assertEquals(200, meta.status(), meta.body());
    }

    @Test
    void aBodyCutShortByTheClient_isTheClients400_neverAnInternalError() throws Exception {
        // a client killed mid-request: the body ends (the client half-closes) long before its Content-Length; streamed
        // bodies (an agent's upload) reach the same answer through EdgeErrors.clientGone, below
        try (SSLSocket s = (SSLSocket) TestController.sslContext(c.controller.caFile()).getSocketFactory()
                .createSocket("127.0.0.1", c.controller.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + nw + "/packetCaptures/cut" + V + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + c.token
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"properties\":{").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            Raw r = parse(s.getInputStream());
            assertEquals(400, r.status(), r.body());
            assertEquals("InvalidRequestFormat", r.json().path("error").path("code").asText(), r.body());
        }
        assertEquals(404, c.send("GET", nw + "/packetCaptures/cut" + V, null).status(), "nothing was created");
    }

    @Test
    void clientGone_isFoundInTheCauseChain_andNothingElseIsTakenForIt() {
        var eof = new org.eclipse.jetty.io.EofException("Early EOF");
        assertEquals(netwatcher.arm.ArmErrorCode.InvalidRequestFormat,
                EdgeErrors.clientGone(new java.io.UncheckedIOException(eof)).code());
        assertEquals(null, EdgeErrors.clientGone(new java.io.UncheckedIOException(new IOException("disk full"))));
        assertEquals(null, EdgeErrors.clientGone(new IllegalStateException("a bug")));
    }
}
