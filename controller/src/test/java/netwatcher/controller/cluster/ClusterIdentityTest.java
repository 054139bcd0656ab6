package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two real controllers (HTTPS, own data directories) started at the same moment on one empty PostgreSQL
 * database, with one configured public URL: they end up with one identity (admin token, OAuth keys, default
 * subscription), emit only the public URL, and answer racing creates of one name with 409, never 500.
 */
@Tag("external")
class ClusterIdentityTest {
    static final String PUBLIC = "https://nw.cluster.test:8443";
    static final String V = "?api-version=2025-05-01";
    static TestDatabase pg;
    static Map<String, String> settings;
    static TestController a;
    static TestController b;
    /** The admin token: known to whichever controller created it. */
    static String admin;

    @BeforeAll
    static void startTogether() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        settings = Map.of("database.url", pg.config().jdbcUrl(), "database.user", pg.config().user(),
                "database.password", pg.config().password(), "publicUrl", PUBLIC);
        List<TestController> both = startAtOnce(2);
        a = both.get(0);
        b = both.get(1);
        admin = a.token != null ? a.token : b.token;
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        pg.close();
    }

    static List<TestController> startAtOnce(int n) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(n);
        List<CompletableFuture<TestController>> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    barrier.await();
                    return new TestController(Duration.ofSeconds(3), settings);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<TestController> out = new ArrayList<>();
        for (CompletableFuture<TestController> s : starts) out.add(s.join());
        return out;
    }

    static String bearer() { return "Bearer " + admin; }

    @Test
    void startedTogether_agreeOnOneDefaultSubscription_andOneAdminToken() throws Exception {
        assertEquals(a.sub, b.sub);
        var listA = a.send("GET", "/subscriptions?api-version=2022-12-01", null, bearer());
        assertEquals(200, listA.status(), listA.body());
        assertEquals(1, listA.json().path("value").size(), listA.body());
        assertEquals(200, b.send("GET", "/subscriptions?api-version=2022-12-01", null, bearer()).status());
        // exactly one of the two holds the token file; the other accepts the token by its hash only
        assertTrue(a.token == null ^ b.token == null, "one controller made the token, the other joined");
    }

    @Test
    void restart_keepsTheDefaultSubscription_andTheToken() throws Exception {
        try (TestController third = new TestController(Duration.ofSeconds(3), settings)) {
            assertEquals(a.sub, third.sub);
            assertNull(third.token, "a controller joining later does not learn the token itself");
            assertEquals(200, third.send("GET", "/subscriptions?api-version=2022-12-01", null, bearer()).status());
        }
    }

    @Test
    void oauthToken_fromOneController_isAcceptedByTheOther_withThePublicIssuer() throws Exception {
        var sp = a.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"cluster\"}", bearer());
        assertEquals(201, sp.status(), sp.body());
        String clientId = sp.json().path("clientId").asText();
        String secret = sp.json().path("clientSecret").asText();
        var role = b.send("POST", "/admin/v1/roleAssignments", Json.writeString(Map.of("principalId", clientId, "role", "Reader",
                "scope", "/subscriptions/" + a.sub)), bearer());
        assertEquals(201, role.status(), role.body());

        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope=" + URLEncoder.encode(PUBLIC + "/.default", StandardCharsets.UTF_8);
        var token = b.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(b.url("/adfs/oauth2/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, token.statusCode(), token.body());
        String jwt = Json.tree(token.body().getBytes()).path("access_token").asText();
        JsonNode claims = Json.tree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        assertEquals(PUBLIC + "/adfs", claims.path("iss").asText());

        var onA = a.send("GET", "/subscriptions/" + a.sub + "/providers/Microsoft.Network/networkWatchers" + V, null, "Bearer " + jwt);
        assertEquals(200, onA.status(), onA.body());

        var keysA = a.send("GET", "/adfs/discovery/keys", null, null).json();
        var keysB = b.send("GET", "/adfs/discovery/keys", null, null).json();
        assertEquals(keysA, keysB);
        assertEquals(1, keysA.path("keys").size());
        var discovery = a.send("GET", "/adfs/.well-known/openid-configuration", null, null).json();
        assertEquals(PUBLIC + "/adfs", discovery.path("issuer").asText());
        assertEquals(PUBLIC + "/adfs/oauth2/token", discovery.path("token_endpoint").asText());
    }

    @Test
    void agentCredential_fromOneController_worksOnTheOther_andUrlsNameThePublicUrl() throws Exception {
        TestController tokenHolder = a.token != null ? a : b;
        TestAgent agent = new TestAgent(tokenHolder, "lab", "vmurl", "westeurope");
        TestAgent onOther = TestAgent.attach(tokenHolder == a ? b : a, agent.vmName, agent.vmId, agent.bearer());
        assertEquals(0, onOther.orders(-1, 0).captures().size());

        String nw = watcher("westeurope");
        // the controller-local account is refused in cluster mode (third slice): this capture keeps its file on the VM, and a
        // storagePath under the public URL is now an evidence file's (ClusterFilesTest.evidence_...UnderThePublicUrl)
        var local = b.send("PUT", nw + "/packetCaptures/urls" + V, captureBody(agent.vmId, true), bearer());
        assertEquals(400, local.status(), local.body());
        assertEquals("StorageAccountNotShared", local.errorCode());
        var put = b.send("PUT", nw + "/packetCaptures/urls" + V, captureBody(agent.vmId, false), bearer());
        assertEquals(201, put.status(), put.body());
        assertTrue(put.header("Azure-AsyncOperation").startsWith(PUBLIC + "/subscriptions/"), put.header("Azure-AsyncOperation"));
        var stop = a.send("POST", nw + "/packetCaptures/urls/stop" + V, null, bearer());
        if (stop.status() == 202) assertTrue(stop.header("Location").startsWith(PUBLIC + "/"), stop.header("Location"));
    }

    @Test
    void racingCreatesOfOneName_onTwoControllers_answer201And409_never500() throws Exception {
        TestController tokenHolder = a.token != null ? a : b;
        TestAgent agent = new TestAgent(tokenHolder, "lab", "vmrace", "westeurope");
        String nw = watcher("westeurope");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 10; i++) {
                String path = nw + "/packetCaptures/race" + i + V;
                List<Integer> statuses = race(pool, () -> a.send("PUT", path, captureBody(agent.vmId, false), bearer()).status(),
                        () -> b.send("PUT", path, captureBody(agent.vmId, false), bearer()).status());
                assertEquals(List.of(201, 409), statuses.stream().sorted().toList(), "round " + i);
            }
            for (int i = 0; i < 6; i++) {
                String path = "/subscriptions/" + a.sub + "/resourceGroups/rg" + i + "/providers/Microsoft.Network/networkWatchers/w" + V;
                String body = "{\"location\":\"eastus" + i + "\"}";
                List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
                List<Integer> statuses = race(pool, () -> answered(a.send("PUT", path, body, bearer()), bodies),
                        () -> answered(b.send("PUT", path, body, bearer()), bodies));
                // a PUT of a watcher is create-or-update: the one that comes second (or loses the insert) updates
                assertEquals(List.of(200, 201), statuses.stream().sorted().toList(), "watcher round " + i + ": " + bodies);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void controllerGivenTheClustersCa_isTrustedByClientsOfTheFirst_andItsCertificateNamesThePublicHost() throws Exception {
        Path dir = Files.createTempDirectory("nwtest");
        Files.createDirectories(dir.resolve("tls"));
        for (String file : List.of("ca.pem", "ca-key.pem")) Files.copy(a.dir.resolve("tls").resolve(file), dir.resolve("tls").resolve(file));
        try (TestController third = new TestController(dir, Duration.ofSeconds(3), settings, java.time.Clock.systemUTC())) {
            // a's client trusts only a's generated CA
            var reply = a.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(third.url("/healthz"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, reply.statusCode());
            var leaf = (java.security.cert.X509Certificate) reply.sslSession().orElseThrow().getPeerCertificates()[0];
            assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(n -> "nw.cluster.test".equals(n.get(1))),
                    leaf.getSubjectAlternativeNames().toString());
        }
    }

    @Test
    void healthAndReadiness_answerWithoutCredentials() throws Exception {
        for (TestController c : List.of(a, b)) {
            var health = c.send("GET", "/healthz", null, null);
            assertEquals(200, health.status(), health.body());
            assertEquals("ok", health.json().path("status").asText());
            var ready = c.send("GET", "/readyz", null, null);
            assertEquals(200, ready.status(), ready.body());
            assertNotNull(ready.header("x-ms-request-id"));
        }
    }

    static int answered(TestController.Reply reply, List<String> bodies) {
        bodies.add(reply.status() + " " + reply.body());
        return reply.status();
    }

    static List<Integer> race(ExecutorService pool, Callable<Integer> one, Callable<Integer> other) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        Future<Integer> first = pool.submit(() -> {
            barrier.await();
            return one.call();
        });
        Future<Integer> second = pool.submit(() -> {
            barrier.await();
            return other.call();
        });
        return List.of(first.get(), second.get());
    }

    static String watcher(String location) {
        return "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_"
                + location;
    }

    static String captureBody(String target, boolean storage) {
        String location = storage
                ? "{\"storageId\":\"/subscriptions/" + a.sub + "/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/netwatcherlocal\"}"
                : "{\"filePath\":\"/var/captures/pc.cap\"}";
        return """
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"timeLimitInSeconds":60,
                 "storageLocation":%s}}""".formatted(target, location);
    }
}
