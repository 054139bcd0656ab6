package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import netwatcher.arm.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue #2's bad-input table: every malformed request gets its documented status, ARM error code and
 * (where the error names a field) {@code target}, and leaves the stored state exactly as it was (a
 * snapshot of every list the API offers, taken before and after each row).
 */
@Tag("e2e")
class BadInputTest {
    static final String V = "?api-version=2025-05-01";
    static final String NONE = "\u0000none";
    /** What no error message may mention: the libraries and the language underneath. */
    static final java.util.regex.Pattern INTERNALS = java.util.regex.Pattern.compile(
            "(?i)jackson|jetty|fasterxml|java\\.|exception|ReadFeature|ReadConstraints|`");
    static TestController c;
    static TestAgent agent;
    static String nw;
    static String vmId;
    static String readerElsewhere;
    static String readerHere;
    static String captureEtag;
    static String watcherEtag;

    /** One row: a request and what it must get. A header value of {@link #NONE} removes that header. */
    record Row(String name, String method, String path, String body, Map<String, String> headers,
               int status, String code, String target) {
        Row header(String h, String v) {
            Map<String, String> m = new LinkedHashMap<>(headers);
            m.put(h, v);
            return new Row(name, method, path, body, m, status, code, target);
        }

        @Override
        public String toString() { return name; }
    }

    static Row row(String name, String method, String path, String body, int status, String code, String target) {
        return new Row(name, method, path, body, Map.of(), status, code, target);
    }

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        agent = new TestAgent(c, "lab", "vm1", "westeurope");
        vmId = agent.vmId;
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        var put = c.send("PUT", nw + "/packetCaptures/existing" + V, capture(Map.of()));
        assertEquals(201, put.status(), put.body());
        captureEtag = c.send("GET", nw + "/packetCaptures/existing" + V, null).header("ETag");
        watcherEtag = c.send("GET", nw + V, null).header("ETag");
        readerElsewhere = servicePrincipalToken("Reader", "/subscriptions/" + c.sub + "/resourceGroups/other");
        readerHere = servicePrincipalToken("Reader", "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG");
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static String servicePrincipalToken(String role, String scope) throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"" + role + "\"}").json();
        String clientId = sp.path("clientId").asText();
        var r = c.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"" + role + "\",\"scope\":\"" + scope + "\"}");
        assertEquals(201, r.status(), r.body());
        String base = c.controller.baseUrl();
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(sp.path("clientSecret").asText(), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(base + "/.default", StandardCharsets.UTF_8);
        var t = c.http.send(HttpRequest.newBuilder(URI.create(base + "/adfs/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, t.statusCode(), t.body());
        return "Bearer " + Json.tree(t.body().getBytes(StandardCharsets.UTF_8)).path("access_token").asText();
    }

    /**
     * A valid capture body with overrides: keys are dotted paths under {@code properties}, values raw
     * JSON, or {@code null} to remove the field.
     */
    static String capture(Map<String, String> overrides) {
        ObjectNode root = (ObjectNode) Json.tree(("""
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"totalBytesPerSession":1000000,
                 "timeLimitInSeconds":60,"storageLocation":{"filePath":"/var/captures/pc.cap"},
                 "filters":[{"protocol":"TCP","localIPAddress":"198.18.1.10","localPort":"80"}]}}""")
                .formatted(vmId).getBytes(StandardCharsets.UTF_8));
        overrides.forEach((path, raw) -> {
            String[] parts = ("properties." + path).split("\\.");
            ObjectNode node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                node = node.has(parts[i]) && node.get(parts[i]).isObject() ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
            }
            String last = parts[parts.length - 1];
            if (raw == null) node.remove(last);
            else node.set(last, Json.tree(raw.getBytes(StandardCharsets.UTF_8)));
        });
        return root.toString();
    }

    static String capture(String path, String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(path, raw);
        return capture(m);
    }

    static String q(String s) { return Json.writeString(s); }

    static String filter(String field, String value) {
        return "[{\"protocol\":\"TCP\",\"" + field + "\":" + q(value) + "}]";
    }

    static List<Row> rows() {
        String pc = nw + "/packetCaptures/bad" + V;
        String sub = "/subscriptions/" + c.sub;
        String rg = sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/";
        String storage = sub + "/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/";
        List<Row> rows = new ArrayList<>();

        // --- bad JSON -------------------------------------------------------------------------
        for (String bad : List.of("{", "not json", "{\"properties\":}", "{\"a\":1}}", "{'properties':{}}", "\u0000")) {
            rows.add(row("bad JSON " + bad, "PUT", pc, bad, 400, "InvalidRequestFormat", null));
        }
        for (String notObject : List.of("[]", "\"text\"", "42", "null", "true")) {
            rows.add(row("JSON not an object " + notObject, "PUT", pc, notObject, 400, "InvalidRequestFormat", null));
        }
        rows.add(row("empty body", "PUT", pc, "", 400, "InvalidRequestFormat", null));
        rows.add(row("watcher bad JSON", "PUT", rg + "nwbad" + V, "{\"location\":", 400, "InvalidRequestFormat", null));
        for (String bad : List.of("{\"a\":NaN}", "{\"a\":01}", "{\"a\":1}{}", "{\"a\":\"\u0001\"}", "[".repeat(3000), "{\"a\":" + "9".repeat(2000) + "}")) {
            rows.add(row("bad JSON, no parser internals " + bad.substring(0, Math.min(12, bad.length())), "PUT", pc, bad, 400, "InvalidRequestFormat", null));
        }

        // --- duplicate keys: refused, not "last one wins" ----------------------------------------------
        rows.add(row("duplicate key at the root", "PUT", pc, capture(Map.of()).replaceFirst("\\{", "{\"properties\":{},"), 400, "InvalidRequestFormat", null));
        rows.add(row("duplicate key nested", "PUT", pc, capture(Map.of()).replace("\"timeLimitInSeconds\":60", "\"timeLimitInSeconds\":60,\"timeLimitInSeconds\":61"),
                400, "InvalidRequestFormat", null));
        rows.add(row("duplicate key differing in case", "PUT", pc, capture(Map.of()).replace("\"timeLimitInSeconds\":60", "\"timeLimitInSeconds\":60,\"TimeLimitInSeconds\":61"),
                400, "InvalidRequestFormat", "properties.TimeLimitInSeconds"));
        rows.add(row("duplicate tag", "PUT", nw + V, "{\"location\":\"westeurope\",\"tags\":{\"a\":\"1\",\"a\":\"2\"}}", 400, "InvalidRequestFormat", null));
        rows.add(row("duplicate watcher location", "PUT", rg + "nwdup" + V, "{\"location\":\"westeurope\",\"location\":\"northeurope\"}", 400,
                "InvalidRequestFormat", null));

        // --- missing or wrongly typed fields ----------------------------------------------------
        rows.add(row("no properties", "PUT", pc, "{}", 400, "InvalidRequestContent", "properties"));
        rows.add(row("properties is an array", "PUT", pc, "{\"properties\":[]}", 400, "InvalidRequestContent", "properties"));
        rows.add(row("properties is a string", "PUT", pc, "{\"properties\":\"x\"}", 400, "InvalidRequestContent", "properties"));
        rows.add(row("no target", "PUT", pc, capture("target", null), 400, "InvalidRequestContent", "properties.target"));
        rows.add(row("target is a number", "PUT", pc, capture("target", "5"), 400, "InvalidRequestContent", "properties.target"));
        rows.add(row("target not an id", "PUT", pc, capture("target", q("vm1")), 400, "InvalidParameter", "properties.target"));
        rows.add(row("target a storage account", "PUT", pc, capture("target", q(storage + "netwatcherlocal")), 400,
                "InvalidParameter", "properties.target"));
        rows.add(row("target an unknown VM", "PUT", pc, capture("target", q(sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/nope")),
                400, "InvalidResourceReference", "properties.target"));
        rows.add(row("no storageLocation", "PUT", pc, capture("storageLocation", null), 400, "InvalidRequestContent", "properties.storageLocation"));
        rows.add(row("storageLocation empty", "PUT", pc, capture("storageLocation", "{}"), 400, "InvalidParameter", "properties.storageLocation"));
        rows.add(row("storageLocation a string", "PUT", pc, capture("storageLocation", q("/var/captures/a")), 400,
                "InvalidRequestContent", "properties.storageLocation"));
        rows.add(row("filePath a number", "PUT", pc, capture("storageLocation.filePath", "7"), 400,
                "InvalidRequestContent", "properties.storageLocation.filePath"));
        rows.add(row("filters not an array", "PUT", pc, capture("filters", "{}"), 400, "InvalidRequestContent", "properties.filters"));
        rows.add(row("filter not an object", "PUT", pc, capture("filters", "[\"TCP\"]"), 400, "InvalidRequestContent", "properties.filters[0]"));
        rows.add(row("protocol a number", "PUT", pc, capture("filters", "[{\"protocol\":6}]"), 400, "InvalidRequestContent", "properties.filters[0].protocol"));
        rows.add(row("continuousCapture not boolean", "PUT", pc, capture("continuousCapture", q("maybe")), 400,
                "InvalidRequestContent", "properties.continuousCapture"));
        rows.add(row("captureSettings a number", "PUT", pc, capture("captureSettings", "3"), 400, "InvalidRequestContent", "properties.captureSettings"));
        rows.add(row("scope.include not strings", "PUT", pc, capture("scope", "{\"include\":[1]}"), 400, "InvalidRequestContent", "properties.scope.include[0]"));
        rows.add(row("targetType a number", "PUT", pc, capture("targetType", "1"), 400, "InvalidRequestContent", "properties.targetType"));

        // --- numbers out of range or of the wrong type ----------------------------------------
        for (String field : List.of("bytesToCapturePerPacket", "totalBytesPerSession")) {
            for (String v : List.of("-1", "4294967296", "99999999999")) {
                rows.add(row(field + " = " + v, "PUT", pc, capture(field, v), 400, "InvalidParameter", "properties." + field));
            }
            for (String v : List.of("1.5", "\"abc\"", "true", "[1]", "123456789012345678901234567890")) {
                rows.add(row(field + " = " + v, "PUT", pc, capture(field, v), 400, "InvalidRequestContent", "properties." + field));
            }
        }
        for (String v : List.of("18001", "-1", "86400")) {
            rows.add(row("timeLimitInSeconds = " + v, "PUT", pc, capture("timeLimitInSeconds", v), 400, "InvalidParameter", "properties.timeLimitInSeconds"));
        }
        for (String v : List.of("\"ten\"", "{}", "60.5")) {
            rows.add(row("timeLimitInSeconds = " + v, "PUT", pc, capture("timeLimitInSeconds", v), 400, "InvalidRequestContent", "properties.timeLimitInSeconds"));
        }

        // --- filters: protocols, IPs, ports, ranges ---------------------------------------------
        for (String p : List.of("ICMP", "SCTP", "tcp;udp", "")) {
            if (p.isEmpty()) continue;
            rows.add(row("protocol " + p, "PUT", pc, capture("filters", "[{\"protocol\":" + q(p) + "}]"), 400,
                    "InvalidParameter", "properties.filters[0].protocol"));
        }
        for (String field : List.of("localIPAddress", "remoteIPAddress")) {
            for (String ip : List.of("300.1.1.1", "1.2.3", "abc", "198.18.0.1/24", "198.18.0.9-198.18.0.1",
                    "198.18.0.1-198.18.0.5;198.18.0.7", "198.18.0.1-198.18.0.2;198.18.0.5-198.18.0.6", "1.1.1.1-2001:2::1")) {
                rows.add(row(field + " " + ip, "PUT", pc, capture("filters", filter(field, ip)), 400,
                        "InvalidParameter", "properties.filters[0]." + field));
            }
        }
        for (String field : List.of("localPort", "remotePort")) {
            for (String port : List.of("70000", "80-", "a-b", "80-70", "-1", "65536", "80;90-100", "1-2;3-4", "http", "80-90-100")) {
                rows.add(row(field + " " + port, "PUT", pc, capture("filters", filter(field, port)), 400,
                        "InvalidParameter", "properties.filters[0]." + field));
            }
        }
        rows.add(row("second filter bad", "PUT", pc, capture("filters", "[{\"protocol\":\"UDP\"},{\"protocol\":\"ICMP\"}]"), 400,
                "InvalidParameter", "properties.filters[1].protocol"));

        // --- paths -------------------------------------------------------------------------------
        for (String path : List.of("/tmp/x.cap", "/var/captures/../etc/passwd", "/var/captures/dir/", "relative.cap",
                "var/captures/x.cap", "/var/captures", "/var/captures//x.cap", "/var/capturesx/a.cap",
                "/var/captures/a\\b.cap", "/var/captures/./x.cap", "/var/captures/..", "/var/captures/" + "n".repeat(256))) {
            rows.add(row("filePath " + (path.length() > 40 ? path.substring(0, 40) + "..." : path), "PUT", pc,
                    capture("storageLocation.filePath", q(path)), 400, "InvalidParameter", "properties.storageLocation.filePath"));
        }
        rows.add(row("localPath outside", "PUT", pc, capture("storageLocation.localPath", q("/etc/x.cap")), 400,
                "InvalidParameter", "properties.storageLocation.localPath"));
        rows.add(row("localPath differs from filePath", "PUT", pc, capture("storageLocation.localPath", q("/var/captures/other.cap")), 400,
                "InvalidParameter", "properties.storageLocation.localPath"));

        // --- storage accounts ----------------------------------------------------------------------
        rows.add(row("storageId of an unknown account", "PUT", pc, capture("storageLocation.storageId", q(storage + "nosuchaccount")), 400,
                "InvalidResourceReference", "properties.storageLocation.storageId"));
        rows.add(row("storageId not an account", "PUT", pc, capture("storageLocation.storageId", q(vmId)), 400,
                "InvalidParameter", "properties.storageLocation.storageId"));
        rows.add(row("storageId garbage", "PUT", pc, capture("storageLocation.storageId", q("account1")), 400,
                "InvalidParameter", "properties.storageLocation.storageId"));
        rows.add(row("storagePath without storageId", "PUT", pc, capture("storageLocation.storagePath", q("https://x/network-watcher-logs/a.cap")), 400,
                "InvalidParameter", "properties.storageLocation.storagePath"));
        rows.add(row("storagePath not a URL", "PUT", pc, capture(Map.of("storageLocation.storageId", q(storage + "netwatcherlocal"),
                "storageLocation.storagePath", q("not a url"))), 400, "InvalidParameter", "properties.storageLocation.storagePath"));

        // --- features netwatcher does not have ---------------------------------------------------
        rows.add(row("continuousCapture true with no files", "PUT", pc, capture(Map.of("continuousCapture", "true", "storageLocation",
                "{\"localPath\":\"/var/captures/ring.cap\"}", "captureSettings", "{\"fileCount\":0}")), 400, "UnsupportedFeature",
                "properties.captureSettings.fileCount"));
        rows.add(row("captureSettings with ring files too small", "PUT", pc, capture("captureSettings",
                "{\"fileCount\":10,\"fileSizeInBytes\":100}"), 400, "InvalidParameter", "properties.captureSettings.fileSizeInBytes"));
        rows.add(row("continuousCapture false with filePath", "PUT", pc, capture("continuousCapture", "false"), 400,
                "InvalidParameter", "properties.storageLocation.filePath"));
        rows.add(row("captureSettings.fileCount 10001", "PUT", pc, capture("captureSettings", "{\"fileCount\":10001}"), 400,
                "InvalidParameter", "properties.captureSettings.fileCount"));
        rows.add(row("captureSettings.fileSizeInBytes too big", "PUT", pc, capture("captureSettings", "{\"fileSizeInBytes\":4294967296}"), 400,
                "InvalidParameter", "properties.captureSettings.fileSizeInBytes"));
        rows.add(row("captureSettings.sessionTimeLimitInSeconds too big", "PUT", pc,
                capture("captureSettings", "{\"sessionTimeLimitInSeconds\":604801}"), 400,
                "InvalidParameter", "properties.captureSettings.sessionTimeLimitInSeconds"));
        rows.add(row("captureSettings.fileCount negative", "PUT", pc, capture("captureSettings", "{\"fileCount\":-1}"), 400,
                "InvalidParameter", "properties.captureSettings.fileCount"));
        rows.add(row("targetType AzureVMSS on a VM", "PUT", pc, capture("targetType", q("AzureVMSS")), 400, "InvalidParameter", "properties.target"));
        rows.add(row("targetType unknown", "PUT", pc, capture("targetType", q("Kubernetes")), 400, "InvalidParameter", "properties.targetType"));
        rows.add(row("scope on a VM target", "PUT", pc, capture("scope", "{\"include\":[\"0\"]}"), 400, "InvalidParameter", "properties.scope"));

        // --- names -----------------------------------------------------------------------------------
        for (String name : List.of("-bad", "bad-", "bad.", "_bad", "a%20b", "a*b", "n".repeat(81))) {
            rows.add(row("capture name " + name, "PUT", nw + "/packetCaptures/" + name + V, capture(Map.of()), 400, "InvalidResourceName", "name"));
            rows.add(row("watcher name " + name, "PUT", rg + name + V, "{\"location\":\"westeurope\"}", 400, "InvalidResourceName", "name"));
        }
        for (String name : List.of("bad!rg", "rg.", "r".repeat(91), "a%23b")) {
            rows.add(row("resource group " + name, "PUT", sub + "/resourceGroups/" + name + "/providers/Microsoft.Network/networkWatchers/nw1" + V,
                    "{\"location\":\"westeurope\"}", 400, "InvalidResourceName", "resourceGroupName"));
        }
        rows.add(row("capture name taken", "PUT", nw + "/packetCaptures/existing" + V, capture(Map.of()), 409, "Conflict", null));
        rows.add(row("capture name taken, other case", "PUT", nw + "/packetCaptures/EXISTING" + V, capture(Map.of()), 409, "Conflict", null));

        // --- watchers --------------------------------------------------------------------------------
        rows.add(row("watcher without location", "PUT", rg + "nw2" + V, "{}", 400, "InvalidRequestContent", "location"));
        rows.add(row("watcher location a number", "PUT", rg + "nw2" + V, "{\"location\":5}", 400, "InvalidRequestContent", "location"));
        rows.add(row("watcher location malformed", "PUT", rg + "nw2" + V, "{\"location\":\"west-europe!\"}", 400, "InvalidParameter", "location"));
        rows.add(row("watcher tags not an object", "PUT", rg + "nw2" + V, "{\"location\":\"northeurope\",\"tags\":[]}", 400, "InvalidRequestContent", "tags"));
        rows.add(row("watcher tag value a number", "PUT", rg + "nw2" + V, "{\"location\":\"northeurope\",\"tags\":{\"a\":1}}", 400, "InvalidRequestContent", "tags.a"));
        rows.add(row("second watcher in a location", "PUT", rg + "nw2" + V, "{\"location\":\"westeurope\"}", 400, "NetworkWatcherCountLimitReached", null));
        rows.add(row("watcher moved to another location", "PUT", nw + V, "{\"location\":\"northeurope\"}", 409, "Conflict", null));
        rows.add(row("PATCH tags not an object", "PATCH", nw + V, "{\"tags\":\"x\"}", 400, "InvalidRequestContent", "tags"));

        // --- tags beyond ARM's limits ------------------------------------------------------------------
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 51; i++) many.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":\"v\"");
        String tooMany = many.append('}').toString();
        for (String method : List.of("PUT", "PATCH")) {
            String pre = method.equals("PUT") ? "{\"location\":\"westeurope\",\"tags\":" : "{\"tags\":";
            rows.add(row(method + " 51 tags", method, nw + V, pre + tooMany + "}", 400, "InvalidTagCount", "tags"));
            rows.add(row(method + " tag name 513 chars", method, nw + V, pre + "{\"" + "n".repeat(513) + "\":\"v\"}}", 400, "InvalidTagNameLength", "tags"));
            rows.add(row(method + " tag value 257 chars", method, nw + V, pre + "{\"env\":\"" + "v".repeat(257) + "\"}}", 400, "InvalidTagValueLength", "tags.env"));
            for (String bad : List.of("a<b", "a>b", "a%b", "a&b", "a\\\\b", "a?b", "a/b")) {
                rows.add(row(method + " tag name " + bad, method, nw + V, pre + "{\"" + bad + "\":\"v\"}}", 400, "InvalidTagNameCharacters", null));
            }
        }

        // --- conditional requests ------------------------------------------------------------------
        String stale = "W/\"00000000-0000-0000-0000-000000000000\"";
        rows.add(row("PUT watcher If-Match stale", "PUT", nw + V, "{\"location\":\"westeurope\",\"tags\":{\"x\":\"y\"}}", 412, "PreconditionFailed", null)
                .header("If-Match", stale));
        rows.add(row("PUT watcher If-None-Match *", "PUT", nw + V, "{\"location\":\"westeurope\",\"tags\":{\"x\":\"y\"}}", 412, "PreconditionFailed", null)
                .header("If-None-Match", "*"));
        rows.add(row("PUT new watcher If-Match *", "PUT", rg + "nw3" + V, "{\"location\":\"northeurope\"}", 412, "PreconditionFailed", null)
                .header("If-Match", "*"));
        rows.add(row("PATCH watcher If-Match stale", "PATCH", nw + V, "{\"tags\":{\"x\":\"y\"}}", 412, "PreconditionFailed", null)
                .header("If-Match", stale));
        rows.add(row("DELETE watcher If-Match stale", "DELETE", nw + V, null, 412, "PreconditionFailed", null).header("If-Match", stale));
        rows.add(row("DELETE watcher If-None-Match current", "DELETE", nw + V, null, 412, "PreconditionFailed", null)
                .header("If-None-Match", watcherEtag));
        rows.add(row("PUT capture If-None-Match * on existing", "PUT", nw + "/packetCaptures/existing" + V, capture(Map.of()), 412,
                "PreconditionFailed", null).header("If-None-Match", "*"));
        rows.add(row("PUT capture If-Match on new", "PUT", pc, capture(Map.of()), 412, "PreconditionFailed", null).header("If-Match", "*"));
        rows.add(row("DELETE capture If-Match stale", "DELETE", nw + "/packetCaptures/existing" + V, null, 412, "PreconditionFailed", null)
                .header("If-Match", stale));
        rows.add(row("DELETE capture If-None-Match *", "DELETE", nw + "/packetCaptures/existing" + V, null, 412, "PreconditionFailed", null)
                .header("If-None-Match", "*"));

        // --- api-version -----------------------------------------------------------------------------
        String noV = nw + "/packetCaptures/existing";
        rows.add(row("api-version missing", "GET", noV, null, 400, "MissingApiVersionParameter", "api-version"));
        rows.add(row("api-version missing on PUT", "PUT", nw + "/packetCaptures/bad", capture(Map.of()), 400, "MissingApiVersionParameter", "api-version"));
        rows.add(row("api-version empty", "GET", noV + "?api-version=", null, 400, "MissingApiVersionParameter", "api-version"));
        for (String v : List.of("2016-08-31", "2015-06-15", "abc", "2022-13-01", "2022-7-1", "2022-02-30", "20220701", "2022-07-01-", "2022-07-01-preview-x")) {
            rows.add(row("api-version " + v, "GET", noV + "?api-version=" + v, null, 400, "InvalidApiVersionParameter", "api-version"));
        }
        rows.add(row("api-version before 2016-09-01 on PUT", "PUT", pc.replace(V, "?api-version=2016-03-30"), capture(Map.of()), 400,
                "InvalidApiVersionParameter", "api-version"));

        // --- tokens -------------------------------------------------------------------------------------
        rows.add(row("no Authorization", "GET", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", NONE));
        rows.add(row("no Authorization on PUT", "PUT", pc, capture(Map.of()), 401, "AuthenticationFailed", null).header("Authorization", NONE));
        rows.add(row("wrong token", "GET", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", "Bearer wrong"));
        rows.add(row("wrong token on DELETE", "DELETE", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", "Bearer " + "x".repeat(64)));
        rows.add(row("Basic scheme", "GET", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", "Basic YWRtaW46YWRtaW4="));
        rows.add(row("Bearer without token", "GET", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", "Bearer"));
        rows.add(row("forged JWT", "GET", nw + V, null, 401, "AuthenticationFailed", null)
                .header("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."));
        rows.add(row("garbage JWT", "GET", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", "Bearer aaa.bbb.ccc"));
        rows.add(row("admin token + junk", "GET", nw + V, null, 401, "AuthenticationFailed", null).header("Authorization", "Bearer " + c.token + "x"));
        rows.add(row("no token on admin route", "POST", "/admin/v1/servicePrincipals", "{}", 401, "AuthenticationFailed", null)
                .header("Authorization", NONE));

        // --- scopes -------------------------------------------------------------------------------------
        rows.add(row("reader of another group reads", "GET", nw + V, null, 403, "AuthorizationFailed", null).header("Authorization", readerElsewhere));
        rows.add(row("reader of another group lists", "GET", nw + "/packetCaptures" + V, null, 403, "AuthorizationFailed", null)
                .header("Authorization", readerElsewhere));
        rows.add(row("reader of another group writes", "PUT", pc, capture(Map.of()), 403, "AuthorizationFailed", null).header("Authorization", readerElsewhere));
        rows.add(row("reader PUT capture", "PUT", pc, capture(Map.of()), 403, "AuthorizationFailed", null).header("Authorization", readerHere));
        rows.add(row("reader PUT watcher", "PUT", rg + "nw4" + V, "{\"location\":\"northeurope\"}", 403, "AuthorizationFailed", null)
                .header("Authorization", readerHere));
        rows.add(row("reader DELETE capture", "DELETE", nw + "/packetCaptures/existing" + V, null, 403, "AuthorizationFailed", null)
                .header("Authorization", readerHere));
        rows.add(row("reader stop", "POST", nw + "/packetCaptures/existing/stop" + V, null, 403, "AuthorizationFailed", null)
                .header("Authorization", readerHere));
        rows.add(row("reader PATCH watcher", "PATCH", nw + V, "{\"tags\":{}}", 403, "AuthorizationFailed", null).header("Authorization", readerHere));
        rows.add(row("service principal on admin route", "POST", "/admin/v1/servicePrincipals", "{}", 403, "AuthorizationFailed", null)
                .header("Authorization", readerHere));
        rows.add(row("agent credential on ARM route", "GET", nw + V, null, 403, "AuthorizationFailed", null).header("Authorization", agent.bearer()));

        // --- bodies and media types -----------------------------------------------------------------
        String huge = capture("tags", null).replace("{\"properties\"", "{\"pad\":\"" + "x".repeat(2 << 20) + "\",\"properties\"");
        rows.add(row("body over 1 MiB", "PUT", pc, huge, 413, "RequestEntityTooLarge", null));
        rows.add(row("watcher body over 1 MiB", "PUT", rg + "nw5" + V, "{\"location\":\"northeurope\",\"tags\":{\"a\":\"" + "y".repeat(1 << 20) + "\"}}",
                413, "RequestEntityTooLarge", null));
        rows.add(row("text/plain", "PUT", pc, capture(Map.of()), 415, "UnsupportedMediaType", null).header("Content-Type", "text/plain"));
        rows.add(row("application/xml", "PUT", pc, "<packetCapture/>", 415, "UnsupportedMediaType", null).header("Content-Type", "application/xml"));
        rows.add(row("form encoded", "PUT", rg + "nw6" + V, "location=westeurope", 415, "UnsupportedMediaType", null)
                .header("Content-Type", "application/x-www-form-urlencoded"));
        for (String type : List.of("application/jsonp", "text/json", "application/merge-patch+json", "application/json; charset=iso-8859-1",
                "application/json; odata=verbose", "application/jsonx")) {
            rows.add(row("Content-Type " + type, "PUT", rg + "nw7" + V, "{\"location\":\"northeurope\"}", 415, "UnsupportedMediaType", null)
                    .header("Content-Type", type));
        }
        rows.add(row("api-version with a leading space", "GET", nw + "?api-version=%202025-05-01", null, 400, "InvalidApiVersionParameter", "api-version"));
        rows.add(row("api-version with a trailing tab", "GET", nw + "?api-version=2025-05-01%09", null, 400, "InvalidApiVersionParameter", "api-version"));
        rows.add(row("api-version twice", "GET", nw + V + "&api-version=2025-05-01", null, 400, "InvalidApiVersionParameter", "api-version"));
        rows.add(row("queryStatus with a body", "POST", nw + "/packetCaptures/existing/queryStatus" + V, "{\"x\":1}", 400, "InvalidRequestContent", null));
        rows.add(row("stop with a body", "POST", nw + "/packetCaptures/existing/stop" + V, "[1,2]", 400, "InvalidRequestContent", null));

        // --- unknown things ----------------------------------------------------------------------------
        String unknownSub = "/subscriptions/00000000-0000-0000-0000-000000000000";
        rows.add(row("unknown subscription GET", "GET", unknownSub + V, null, 404, "SubscriptionNotFound", null));
        rows.add(row("unknown subscription PUT watcher", "PUT", unknownSub + "/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw1" + V,
                "{\"location\":\"westeurope\"}", 404, "SubscriptionNotFound", null));
        rows.add(row("unknown subscription list VMs", "GET", unknownSub + "/providers/Microsoft.Compute/virtualMachines" + V, null, 404, "SubscriptionNotFound", null));
        rows.add(row("unknown watcher", "GET", rg + "nosuch" + V, null, 404, "ResourceNotFound", null));
        rows.add(row("capture in unknown watcher", "PUT", rg + "nosuch/packetCaptures/pc" + V, capture(Map.of()), 404, "ResourceNotFound", null));
        rows.add(row("unknown capture", "GET", nw + "/packetCaptures/nosuch" + V, null, 404, "NotFound", null));
        rows.add(row("queryStatus of unknown capture", "POST", nw + "/packetCaptures/nosuch/queryStatus" + V, null, 404, "NotFound", null));
        rows.add(row("stop of unknown capture", "POST", nw + "/packetCaptures/nosuch/stop" + V, null, 404, "NotFound", null));
        rows.add(row("unknown route", "GET", sub + "/providers/Microsoft.Nope/things" + V, null, 404, "NotFound", null));
        rows.add(row("PATCH a capture", "PATCH", nw + "/packetCaptures/existing" + V, "{}", 405, "MethodNotAllowed", null));
        rows.add(row("unknown operation", "GET", sub + "/providers/Microsoft.Network/locations/westeurope/operations/nope" + V, null, 404,
                "OperationNotFound", null));

        // --- admin API ---------------------------------------------------------------------------------
        rows.add(row("role unknown", "POST", "/admin/v1/roleAssignments", "{\"principalId\":\"x\",\"role\":\"God\",\"scope\":\"" + sub + "\"}",
                400, "InvalidParameter", "role"));
        rows.add(row("role without principal", "POST", "/admin/v1/roleAssignments", "{\"role\":\"Reader\",\"scope\":\"" + sub + "\"}",
                400, "InvalidRequestContent", "principalId"));
        rows.add(row("role without scope", "POST", "/admin/v1/roleAssignments", "{\"principalId\":\"x\",\"role\":\"Reader\"}",
                400, "InvalidRequestContent", "scope"));
        rows.add(row("role with bad scope", "POST", "/admin/v1/roleAssignments", "{\"principalId\":\"x\",\"role\":\"Reader\",\"scope\":\"/nope\"}",
                400, "InvalidParameter", "scope"));
        rows.add(row("revoke a non-GUID principal", "DELETE", "/admin/v1/servicePrincipals/not-a-guid", null, 400, "InvalidParameter", "clientId"));
        rows.add(row("enrollment token maxUses 0", "POST", "/admin/v1/enrollmentTokens", "{\"maxUses\":0}", 400, "InvalidParameter", "maxUses"));
        rows.add(row("enrollment token lives 10 s", "POST", "/admin/v1/enrollmentTokens", "{\"expiresInSeconds\":10}", 400, "InvalidParameter", "expiresInSeconds"));
        rows.add(row("enrollment token bad JSON", "POST", "/admin/v1/enrollmentTokens", "{", 400, "InvalidRequestFormat", null));
        rows.add(row("enroll with a wrong token", "POST", "/agent/v1/enroll",
                "{\"enrollmentToken\":\"nope\",\"subscriptionId\":\"" + c.sub + "\",\"resourceGroup\":\"lab\",\"vmName\":\"vm9\",\"location\":\"westeurope\"}",
                401, "AuthenticationFailed", null).header("Authorization", NONE));
        return rows;
    }

    @Test
    void table_hasAtLeastOneHundredRows() {
        assertTrue(rows().size() >= 100, "rows: " + rows().size());
    }

    @TestFactory
    Stream<DynamicTest> everyBadRequest_getsItsErrorAndChangesNothing() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            Map<String, String> before = snapshot();
            HttpResponse<String> r = send(row);
            JsonNode json = r.body().isEmpty() ? null : Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
            String context = row.method() + " " + row.path() + " -> " + r.statusCode() + " " + abbreviate(r.body());
            assertEquals(row.status(), r.statusCode(), context);
            assertTrue(json != null && json.path("error").isObject(), "ARM error shape: " + context);
            assertEquals(row.code(), json.path("error").path("code").asText(), context);
            assertTrue(!json.path("error").path("message").asText().isBlank(), "message: " + context);
            assertTrue(!INTERNALS.matcher(json.path("error").path("message").asText()).find(), "library or class names in: " + context);
            if (row.target() != null) assertEquals(row.target(), json.path("error").path("target").asText(), context);
            assertTrue(r.headers().firstValue("x-ms-request-id").isPresent(), "x-ms-request-id: " + context);
            assertEquals(before, snapshot(), "stored state changed by " + row.name());
        }));
    }

    @Test
    void chunkedBodyOverTheLimit_gets413AndChangesNothing() throws Exception {
        Map<String, String> before = snapshot();
        byte[] huge = capture("tags", null).replace("{\"properties\"", "{\"pad\":\"" + "x".repeat(3 << 20) + "\",\"properties\"")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(c.url(nw + "/packetCaptures/chunked" + V)))
                .header("Authorization", "Bearer " + c.token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge))).build();
        HttpResponse<String> r = c.http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("RequestEntityTooLarge", Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).path("error").path("code").asText());
        assertEquals(before, snapshot());
    }

    static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }

    static HttpResponse<String> send(Row row) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + c.token);
        if (row.body() != null) headers.put("Content-Type", "application/json");
        headers.putAll(row.headers());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.url(row.path()))).timeout(Duration.ofSeconds(30))
                .method(row.method(), row.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(row.body()));
        headers.forEach((k, v) -> {
            if (!NONE.equals(v)) b.header(k, v);
        });
        return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every list the API offers, as its JSON body. */
    static Map<String, String> snapshot() throws Exception {
        String sub = "/subscriptions/" + c.sub;
        Map<String, String> s = new LinkedHashMap<>();
        for (String path : List.of("/subscriptions" + V,
                sub + "/providers/Microsoft.Network/networkWatchers" + V,
                nw + "/packetCaptures" + V,
                sub + "/providers/Microsoft.Compute/virtualMachines" + V,
                sub + "/providers/Microsoft.Network/networkInterfaces" + V,
                "/admin/v1/servicePrincipals", "/admin/v1/roleAssignments", "/admin/v1/enrollmentTokens")) {
            var r = c.send("GET", path, null);
            assertEquals(200, r.status(), path + ": " + r.body());
            s.put(path, r.body());
        }
        return s;
    }
}
