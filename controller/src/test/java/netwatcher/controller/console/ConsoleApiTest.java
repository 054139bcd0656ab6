package netwatcher.controller.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The console's server side over real HTTPS against a real controller: files and headers, login and logout,
 * the cookie standing in for the bearer on ARM routes with the CSRF rule, read models filtered by the caller's
 * roles, paging, and the event stream carrying an agent's report.
 */
@Tag("e2e")
class ConsoleApiTest {
    static final String V = "?api-version=2025-05-01";
    static TestController c;
    static TestAgent app;
    static TestAgent secret;
    static String nw;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        app = new TestAgent(c, "apps", "app1", "westeurope", List.of("198.18.1.10/24"));
        secret = new TestAgent(c, "secret", "hidden1", "westeurope", List.of("198.18.1.12/24"));
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        for (int i = 0; i < 7; i++) {
            assertEquals(201, c.send("PUT", nw + "/packetCaptures/page" + i + V, capture(i % 2 == 0 ? app.vmId : secret.vmId)).status());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static String capture(String target) {
        return "{\"properties\":{\"target\":\"" + target + "\",\"timeLimitInSeconds\":60,\"storageLocation\":{\"filePath\":\"/var/captures/c.cap\"}}}";
    }

    /** A request with the given headers (name, value, ...), no Authorization unless given. */
    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.url(path))).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in with {@code token}; returns the cookie header value and the CSRF token. */
    static String[] login(String token) throws Exception {
        HttpResponse<String> r = send("POST", "/console/api/session", "{\"token\":\"" + token + "\"}", "Content-Type", "application/json",
                "Origin", c.controller.baseUrl());
        assertEquals(201, r.statusCode(), r.body());
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new String[] {set.substring(0, set.indexOf(';')), Json.tree(r.body().getBytes()).path("csrfToken").asText()};
    }

    static String readerToken(Map<String, String> roles) throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"console\"}").json();
        String clientId = sp.path("clientId").asText();
        for (var role : roles.entrySet()) {
            assertEquals(201, c.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"" + clientId + "\",\"role\":\""
                    + role.getValue() + "\",\"scope\":\"" + role.getKey() + "\"}").status());
        }
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(sp.path("clientSecret").asText(), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(c.controller.baseUrl() + "/.default", StandardCharsets.UTF_8);
        HttpResponse<String> t = send("POST", "/adfs/oauth2/token", form, "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, t.statusCode(), t.body());
        return Json.tree(t.body().getBytes()).path("access_token").asText();
    }

    @Test
    void files_areServedWithAStrictPolicy_andNothingElseUnderConsole() throws Exception {
        HttpResponse<String> index = send("GET", "/console/", null);
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"), csp);
        assertEquals("nosniff", index.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertTrue(index.headers().firstValue("Strict-Transport-Security").isPresent());
        assertEquals(200, send("GET", "/console", null).statusCode());
        HttpResponse<String> js = send("GET", "/console/js/main.js", null);
        assertTrue(js.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"));
        String etag = js.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, send("GET", "/console/js/main.js", null, "If-None-Match", etag).statusCode());
        assertEquals(404, send("GET", "/console/js/nope.js", null).statusCode());
        assertEquals(404, send("GET", "/console/netwatcher/console/index.html", null).statusCode());
        for (String file : StaticAssets.FILES) {
            String text = send("GET", "/console/" + file, null).body();
            // the SVG namespace (sparkline, hop diagram) is a name, not a request
            assertFalse(text.contains("innerHTML") || text.contains("eval(") || text.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                    file + " builds markup from strings or names another origin");
        }
    }

    @Test
    void login_setsAStrictCookie_whichThenStandsForTheBearer_withCsrfOnWrites() throws Exception {
        HttpResponse<String> r = send("POST", "/console/api/session", "{\"token\":\"" + c.token + "\"}", "Content-Type", "application/json");
        assertEquals(201, r.statusCode(), r.body());
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Strict"), set);
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        String cookie = set.substring(0, set.indexOf(';'));
        String csrf = Json.tree(r.body().getBytes()).path("csrfToken").asText();
        assertEquals("ADMIN", Json.tree(r.body().getBytes()).path("kind").asText());

        // reads with the cookie alone
        assertEquals(200, send("GET", nw + "/packetCaptures" + V, null, "Cookie", cookie).statusCode());
        assertEquals(200, send("GET", "/console/api/fleet", null, "Cookie", cookie).statusCode());
        // a write without the CSRF token is refused before anything happens
        HttpResponse<String> refused = send("PUT", nw + "/packetCaptures/nocsrf" + V, capture(app.vmId), "Cookie", cookie,
                "Content-Type", "application/json");
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("CSRF"), refused.body());
        assertEquals(404, c.send("GET", nw + "/packetCaptures/nocsrf" + V, null).status());
        assertEquals(403, send("PUT", nw + "/packetCaptures/nocsrf" + V, capture(app.vmId), "Cookie", cookie,
                "Content-Type", "application/json", "X-CSRF-Token", "wrong").statusCode());
        // with it, the ARM API acts
        HttpResponse<String> created = send("PUT", nw + "/packetCaptures/withcsrf" + V, capture(app.vmId), "Cookie", cookie,
                "Content-Type", "application/json", "X-CSRF-Token", csrf);
        assertEquals(201, created.statusCode(), created.body());
        int deleted = send("DELETE", nw + "/packetCaptures/withcsrf" + V, null, "Cookie", cookie, "X-CSRF-Token", csrf).statusCode();
        assertTrue(deleted == 200 || deleted == 202 || deleted == 204, "delete: " + deleted);

        // logout needs the token too, then the cookie opens nothing
        assertEquals(403, send("DELETE", "/console/api/session", null, "Cookie", cookie).statusCode());
        HttpResponse<String> out = send("DELETE", "/console/api/session", null, "Cookie", cookie, "X-CSRF-Token", csrf);
        assertEquals(204, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElseThrow().contains("Max-Age=0"));
        assertEquals(401, send("GET", "/console/api/fleet", null, "Cookie", cookie).statusCode());
        assertEquals(401, send("GET", nw + "/packetCaptures" + V, null, "Cookie", cookie).statusCode());
    }

    @Test
    void login_refusesBadTokens_formsAndOtherOrigins() throws Exception {
        assertEquals(401, send("POST", "/console/api/session", "{\"token\":\"nope\"}", "Content-Type", "application/json").statusCode());
        assertEquals(415, send("POST", "/console/api/session", "token=" + c.token, "Content-Type", "application/x-www-form-urlencoded").statusCode());
        assertEquals(415, send("POST", "/console/api/session", "{\"token\":\"" + c.token + "\"}").statusCode());
        assertEquals(403, send("POST", "/console/api/session", "{\"token\":\"" + c.token + "\"}", "Content-Type", "application/json",
                "Origin", "https://attacker.example").statusCode());
        assertEquals(401, send("GET", "/console/api/session", null).statusCode());
        assertEquals(401, send("GET", "/console/api/captures", null).statusCode());
    }

    @Test
    void readModels_showOnlyWhatTheCallerMayRead_andWritesFollowTheRole() throws Exception {
        String s = "/subscriptions/" + c.sub;
        String[] appsOnly = login(readerToken(Map.of(s + "/resourceGroups/apps", "Reader")));
        JsonNode fleet = Json.tree(send("GET", "/console/api/fleet", null, "Cookie", appsOnly[0]).body().getBytes());
        List<String> names = new ArrayList<>();
        fleet.path("vms").forEach(vm -> names.add(vm.path("name").asText()));
        assertEquals(List.of("app1"), names, "a Reader on 'apps' sees that group's VMs only");
        assertEquals(0, Json.tree(send("GET", "/console/api/captures", null, "Cookie", appsOnly[0]).body().getBytes()).path("total").asInt(),
                "captures live in NetworkWatcherRG, which this reader may not read");

        String[] watcherReader = login(readerToken(Map.of(s + "/resourceGroups/NetworkWatcherRG", "Reader")));
        JsonNode page = Json.tree(send("GET", "/console/api/captures?sort=name&dir=asc&size=3&page=0&search=page", null,
                "Cookie", watcherReader[0]).body().getBytes());
        assertEquals(7, page.path("total").asInt(), page.toString());
        assertEquals(List.of("page0", "page1", "page2"), Stream.of(0, 1, 2).map(i -> page.path("items").get(i).path("name").asText()).toList());
        assertFalse(page.path("items").get(0).path("canWrite").asBoolean(), "a Reader may not stop or delete");
        JsonNode last = Json.tree(send("GET", "/console/api/captures?sort=name&dir=desc&size=3&page=2&search=page", null,
                "Cookie", watcherReader[0]).body().getBytes());
        assertEquals(1, last.path("items").size());
        assertEquals("page0", last.path("items").get(0).path("name").asText());
        HttpResponse<String> stop = send("POST", nw + "/packetCaptures/page0/stop" + V, null, "Cookie", watcherReader[0],
                "X-CSRF-Token", watcherReader[1]);
        assertEquals(403, stop.statusCode(), stop.body());
        assertTrue(stop.body().contains("AuthorizationFailed"), stop.body());

        JsonNode admin = Json.tree(c.send("GET", "/console/api/captures?search=page&size=1", null).body().getBytes());
        assertTrue(admin.path("items").get(0).path("canWrite").asBoolean());
        JsonNode none = c.send("GET", "/console/api/captures?search=matches-nothing", null).json();
        assertEquals(0, none.path("total").asInt(), none.toString());
        assertEquals(0, none.path("failed").asInt(), "totals over no rows are 0, not NULL: " + none);
        assertEquals(400, c.send("GET", "/console/api/captures?sort=packets", null).status());
        assertEquals(400, c.send("GET", "/console/api/captures?size=100000", null).status());
    }

    /**
     * The fleet's {@code checkable} (the VMs the connectivity form lets a session probe from) is exactly what the API
     * allows: for each role set, a VM is listed if and only if the ARM POST connectivityCheck from it is not refused
     * 403; and ipFlowVerify, a read-only action, is accepted for a Reader whatever the list says.
     */
    @Test
    void fleetCheckable_isWhatTheApiAllows_forEachRoleSet() throws Exception {
        String s = "/subscriptions/" + c.sub;
        String watcherRg = s + "/resourceGroups/NetworkWatcherRG";
        Map<String, Map<String, String>> principals = new java.util.LinkedHashMap<>();
        principals.put("reader on the subscription", Map.of(s, "Reader"));
        principals.put("contributor on apps only", Map.of(s + "/resourceGroups/apps", "Contributor"));
        principals.put("contributor on apps and the watchers", Map.of(s + "/resourceGroups/apps", "Contributor", watcherRg, "Contributor"));
        principals.put("contributor on the subscription", Map.of(s, "Contributor"));
        Map<String, List<String>> listed = new java.util.LinkedHashMap<>();
        for (var p : principals.entrySet()) {
            String[] session = login(readerToken(p.getValue()));
            JsonNode fleet = Json.tree(send("GET", "/console/api/fleet", null, "Cookie", session[0]).body().getBytes());
            List<String> checkable = new ArrayList<>();
            fleet.path("checkable").forEach(id -> checkable.add(id.asText()));
            listed.put(p.getKey(), checkable);
            for (TestAgent vm : List.of(app, secret)) {
                HttpResponse<String> check = send("POST", nw + "/connectivityCheck" + V, "{\"source\":{\"resourceId\":\"" + vm.vmId
                        + "\"},\"destination\":{\"address\":\"198.18.1.12\",\"port\":80}}", "Cookie", session[0], "X-CSRF-Token", session[1],
                        "Content-Type", "application/json");
                assertEquals(checkable.contains(vm.vmId), check.statusCode() != 403, p.getKey() + " from " + vm.vmId + ": listed "
                        + checkable + ", API answered " + check.statusCode() + " " + check.body());
            }
        }
        assertEquals(List.of(), listed.get("reader on the subscription"), "a check sends probes: Reader may not");
        assertEquals(List.of(), listed.get("contributor on apps only"), "the watcher's group needs Contributor too");
        assertEquals(List.of(app.vmId), listed.get("contributor on apps and the watchers"));
        assertEquals(2, listed.get("contributor on the subscription").size());

        String[] reader = login(readerToken(Map.of(s, "Reader")));
        HttpResponse<String> verify = send("POST", nw + "/ipFlowVerify" + V, "{\"targetResourceId\":\"" + app.vmId + "\",\"direction\":\"Inbound\","
                + "\"protocol\":\"TCP\",\"localPort\":\"80\",\"remotePort\":\"*\",\"localIPAddress\":\"198.18.1.10\",\"remoteIPAddress\":\"198.18.1.12\"}",
                "Cookie", reader[0], "X-CSRF-Token", reader[1], "Content-Type", "application/json");
        assertEquals(202, verify.statusCode(), "ipFlowVerify is a read-only action a Reader may run: " + verify.body());
    }

    @Test
    void eventStream_carriesAnAgentsReport_ofACaptureTheCallerMayRead() throws Exception {
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/live" + V, capture(app.vmId)).status());
        String key = c.send("GET", "/console/api/captures?search=live", null).json().path("items").get(0).path("key").asText();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<HttpResponse<Stream<String>>> stream = c.http.sendAsync(HttpRequest.newBuilder(URI.create(c.url("/console/api/events")))
                .header("Authorization", "Bearer " + c.token).build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = stream.get(20, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        Thread reader = Thread.ofVirtual().start(() -> response.body().forEach(lines::add));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String event = null;
            long packets = 1;
            while (event == null && System.nanoTime() < deadline) {
                app.report(key, "Running", null, List.of(), packets++);
                Thread.sleep(200);
                synchronized (lines) {
                    event = lines.stream().filter(l -> l.startsWith("data: ") && l.contains(key)).findFirst().orElse(null);
                }
            }
            assertNotNull(event, "no event within 20 s: " + lines);
            JsonNode data = Json.tree(event.substring(6).getBytes());
            assertEquals("Running", data.path("capture").path("status").asText(), event);
            assertTrue(data.path("capture").path("counters").path("packets").asLong() >= 1, event);
            assertFalse(data.path("publishedAt").asText().isEmpty(), event);
        } finally {
            reader.interrupt();
            response.body().close();
        }
    }
}
