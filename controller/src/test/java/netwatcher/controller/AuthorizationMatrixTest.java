package netwatcher.controller;

import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import netwatcher.arm.Json;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.check.CheckOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue #9's authorization matrix (docs/security.md): every operation against every kind of
 * principal, over HTTPS against a real controller with agents that speak the real protocol. Each
 * cell states the answer (status, ARM code, and the field a linked refusal names); each refused
 * cell also proves that nothing was recorded and nothing reached an agent.
 *
 * <p>The estate: subscription S (the default) with VMs {@code victim} and {@code peer} in resource
 * group {@code apps}, {@code hidden} in {@code secret}, its watcher in {@code NetworkWatcherRG} and
 * the local storage account in {@code netwatcher-storage}; subscription T with VM {@code own} and
 * its own watcher.
 */
@Tag("e2e")
class AuthorizationMatrixTest {
    static final String V = "?api-version=2025-05-01";
    static final String T = "team-b";

    /** The principals of the matrix, each with the role assignments it holds. */
    enum Who {
        SUBSCRIPTION, WATCHER_RG, VM_RG, OTHER_SUBSCRIPTION, READER, WATCHER_AND_VM_RG;
    }

    static TestController c;
    static TestAgent victim;
    static TestAgent peer;
    static TestAgent hidden;
    static TestAgent own;
    static String nw;
    static String nwT;
    static String storageId;
    static final Map<Who, String> tokens = new LinkedHashMap<>();
    static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        assertEquals(201, c.send("POST", "/admin/v1/subscriptions", "{\"subscriptionId\":\"" + T + "\"}").status());
        victim = new TestAgent(c, "apps", "victim", "westeurope", List.of("198.18.1.10/24"));
        peer = new TestAgent(c, "apps", "peer", "westeurope", List.of("198.18.1.11/24"));
        hidden = new TestAgent(c, "secret", "hidden", "westeurope", List.of("198.18.1.12/24"));
        own = new TestAgent(c, T, "tapps", "own", "westeurope", List.of("198.18.2.10/24"));
        String s = "/subscriptions/" + c.sub;
        nw = s + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        nwT = "/subscriptions/" + T + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        storageId = s + "/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/netwatcherlocal";
        tokens.put(Who.SUBSCRIPTION, token(Map.of(s, "Contributor")));
        tokens.put(Who.WATCHER_RG, token(Map.of(s + "/resourceGroups/NetworkWatcherRG", "Contributor")));
        tokens.put(Who.VM_RG, token(Map.of(s + "/resourceGroups/apps", "Contributor")));
        tokens.put(Who.OTHER_SUBSCRIPTION, token(Map.of("/subscriptions/" + T, "Contributor")));
        tokens.put(Who.READER, token(Map.of(s, "Reader")));
        tokens.put(Who.WATCHER_AND_VM_RG, token(Map.of(s + "/resourceGroups/NetworkWatcherRG", "Contributor",
                s + "/resourceGroups/apps", "Contributor")));
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/fixture" + V, capture(victim.vmId, null)).status());
        Path blob = c.dir.resolve("storage").resolve("netwatcherlocal").resolve("network-watcher-logs").resolve("matrix.cap");
        Files.createDirectories(blob.getParent());
        Files.write(blob, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1});
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    /** A service principal holding {@code roles} (scope → role) and its access token. */
    static String token(Map<String, String> roles) throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"matrix\"}").json();
        String clientId = sp.path("clientId").asText();
        for (var role : roles.entrySet()) {
            var r = c.send("POST", "/admin/v1/roleAssignments",
                    "{\"principalId\":\"" + clientId + "\",\"role\":\"" + role.getValue() + "\",\"scope\":\"" + role.getKey() + "\"}");
            assertEquals(201, r.status(), r.body());
        }
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

    static String capture(String target, String storage) {
        return """
                {"properties":{"target":"%s","timeLimitInSeconds":60,"storageLocation":{%s"filePath":"/var/captures/m.cap"}}}"""
                .formatted(target, storage == null ? "" : "\"storageId\":\"" + storage + "\",");
    }

    static String connectivity(String source, String destination) {
        return "{\"source\":{\"resourceId\":\"" + source + "\"},\"destination\":{\"resourceId\":\"" + destination + "\",\"port\":80}}";
    }

    static String ipFlowVerify(String target) {
        return "{\"targetResourceId\":\"" + target + "\",\"direction\":\"Inbound\",\"protocol\":\"TCP\",\"localPort\":\"80\","
                + "\"remotePort\":\"*\",\"localIPAddress\":\"198.18.1.10\",\"remoteIPAddress\":\"198.18.1.99\"}";
    }

    static String nextHop(String target) {
        return "{\"targetResourceId\":\"" + target + "\",\"sourceIPAddress\":\"198.18.1.10\",\"destinationIPAddress\":\"198.18.9.9\"}";
    }

    /** An expected answer: status, ARM error code (null for success) and the error's target (null: none). */
    record Expect(int status, String code, String target) {
        static Expect parse(String text) {
            String[] p = text.split(":", -1);
            return new Expect(Integer.parseInt(p[0]), p.length > 1 ? p[1] : null, p.length > 2 ? p[2] : null);
        }

        boolean allowed() { return status < 300; }
    }

    /**
     * One operation: what it sends (fresh per cell; {@code name} is unique to the cell), the answer
     * for each principal in {@link Who} order, and what must not have happened when it is refused.
     */
    record Operation(String name, Setup setup, Request request, List<String> answers, Unchanged unchanged) {
        Operation(String name, Request request, List<String> answers, Unchanged unchanged) {
            this(name, n -> { }, request, answers, unchanged);
        }
    }

    /** What a cell needs before its request (as the admin), e.g. a capture of its own to stop. */
    interface Setup {
        void prepare(String name) throws Exception;
    }

    interface Request {
        TestController.Reply send(String name, String bearer) throws Exception;
    }

    /** After a refused cell: asserts that no state changed and no order reached an agent. */
    interface Unchanged {
        void verify(String name, Set<String> ordersBefore) throws Exception;
    }

    static final String LINKED = "403:AuthorizationFailed:";
    static final String DENIED = "403:AuthorizationFailed";

    static List<Operation> operations() {
        String pcs = nw + "/packetCaptures/";
        String ghost = "/subscriptions/" + c.sub + "/resourceGroups/apps/providers/Microsoft.Compute/virtualMachines/ghost";
        Unchanged noCapture = (name, before) -> {
            assertEquals(404, c.send("GET", pcs + name + V, null).status(), "a refused create left a capture");
            assertEquals(404, c.send("GET", nwT + "/packetCaptures/" + name + V, null).status(), "a refused create left a capture");
            assertNoNewOrders(before, "a refused create reached an agent");
        };
        Unchanged noCheck = (name, before) -> assertNoNewOrders(before, "a refused check reached an agent");
        Unchanged nothing = (name, before) -> assertNoNewOrders(before, "a refused read reached an agent");
        Unchanged stillRunning = (name, before) -> {
            assertEquals(200, c.send("GET", pcs + name + V, null).status(), "a refused stop or delete removed the capture");
            assertTrue(runs(name), "a refused stop or delete told the agent to stop");
            assertNoNewOrders(before, "a refused stop or delete reached an agent");
        };
        List<Operation> ops = new ArrayList<>();
        //                                                  SUBSCRIPTION  WATCHER_RG  VM_RG   OTHER_SUB   READER  WATCHER_AND_VM_RG
        ops.add(new Operation("capture create", (n, b) -> c.send("PUT", pcs + n + V, capture(victim.vmId, null), b),
                List.of("201", LINKED + "properties.target", DENIED, DENIED, DENIED, "201"), noCapture));
        ops.add(new Operation("capture create writing to storage", (n, b) -> c.send("PUT", pcs + n + V, capture(victim.vmId, storageId), b),
                List.of("201", LINKED + "properties.target", DENIED, DENIED, DENIED, LINKED + "properties.storageLocation.storageId"),
                noCapture));
        ops.add(new Operation("capture create from the caller's own watcher in another subscription",
                (n, b) -> c.send("PUT", nwT + "/packetCaptures/" + n + V, capture(victim.vmId, null), b),
                List.of(DENIED, DENIED, DENIED, "400:InvalidResourceReference:properties.target", DENIED, DENIED), noCapture));
        ops.add(new Operation("capture create on a VM that does not exist", (n, b) -> c.send("PUT", pcs + n + V, capture(ghost, null), b),
                List.of("400:InvalidResourceReference:properties.target", LINKED + "properties.target", DENIED, DENIED, DENIED,
                        "400:InvalidResourceReference:properties.target"), noCapture));
        ops.add(new Operation("capture get", (n, b) -> c.send("GET", pcs + "fixture" + V, null, b),
                List.of("200", "200", DENIED, DENIED, "200", "200"), nothing));
        ops.add(new Operation("capture list", (n, b) -> c.send("GET", nw + "/packetCaptures" + V, null, b),
                List.of("200", "200", DENIED, DENIED, "200", "200"), nothing));
        ops.add(new Operation("capture queryStatus", (n, b) -> c.send("POST", pcs + "fixture/queryStatus" + V, null, b),
                List.of("200", "200", DENIED, DENIED, "200", "200"), nothing));
        Setup ownCapture = n -> assertEquals(201, c.send("PUT", pcs + n + V, capture(victim.vmId, null)).status());
        ops.add(new Operation("capture stop", ownCapture, (n, b) -> c.send("POST", pcs + n + "/stop" + V, null, b),
                List.of("202", "202", DENIED, DENIED, DENIED, "202"), stillRunning));
        ops.add(new Operation("capture delete", ownCapture, (n, b) -> c.send("DELETE", pcs + n + V, null, b),
                List.of("202", "202", DENIED, DENIED, DENIED, "202"), stillRunning));
        ops.add(new Operation("connectivityCheck", (n, b) -> c.send("POST", nw + "/connectivityCheck" + V,
                connectivity(victim.vmId, peer.vmId), b),
                List.of("202", LINKED + "source.resourceId", DENIED, DENIED, DENIED, "202"), noCheck));
        ops.add(new Operation("connectivityCheck to a VM of a group the caller cannot read", (n, b) -> c.send("POST",
                nw + "/connectivityCheck" + V, connectivity(victim.vmId, hidden.vmId), b),
                List.of("202", LINKED + "source.resourceId", DENIED, DENIED, DENIED, LINKED + "destination.resourceId"), noCheck));
        ops.add(new Operation("connectivityCheck from the caller's own watcher in another subscription", (n, b) -> c.send("POST",
                nwT + "/connectivityCheck" + V, connectivity(victim.vmId, own.vmId), b),
                List.of(DENIED, DENIED, DENIED, "400:InvalidResourceReference:source.resourceId", DENIED, DENIED), noCheck));
        ops.add(new Operation("ipFlowVerify", (n, b) -> c.send("POST", nw + "/ipFlowVerify" + V, ipFlowVerify(victim.vmId), b),
                List.of("202", LINKED + "targetResourceId", DENIED, DENIED, "202", "202"), noCheck));
        ops.add(new Operation("ipFlowVerify from the caller's own watcher in another subscription", (n, b) -> c.send("POST",
                nwT + "/ipFlowVerify" + V, ipFlowVerify(victim.vmId), b),
                List.of(DENIED, DENIED, DENIED, "400:InvalidResourceReference:targetResourceId", DENIED, DENIED), noCheck));
        ops.add(new Operation("nextHop", (n, b) -> c.send("POST", nw + "/nextHop" + V, nextHop(victim.vmId), b),
                List.of("202", LINKED + "targetResourceId", DENIED, DENIED, "202", "202"), noCheck));
        ops.add(new Operation("nextHop from the caller's own watcher in another subscription", (n, b) -> c.send("POST",
                nwT + "/nextHop" + V, nextHop(victim.vmId), b),
                List.of(DENIED, DENIED, DENIED, "400:InvalidResourceReference:targetResourceId", DENIED, DENIED), noCheck));
        ops.add(new Operation("storage download", (n, b) -> c.send("GET", "/storage/netwatcherlocal/network-watcher-logs/matrix.cap", null, b),
                List.of("200", DENIED, DENIED, DENIED, "200", DENIED), nothing));
        ops.add(new Operation("storage download from an account that does not exist", (n, b) -> c.send("GET",
                "/storage/nosuchaccount/network-watcher-logs/matrix.cap", null, b),
                List.of(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED), nothing));
        ops.add(new Operation("VM get", (n, b) -> c.send("GET", victim.vmId + "?api-version=2024-07-01", null, b),
                List.of("200", DENIED, "200", DENIED, "200", "200"), nothing));
        return ops;
    }

    /**
     * The captures and checks every agent holds orders for now. Checks earlier cells started move on
     * by themselves (an observing check gains its source order a second later, a finished one loses
     * them), so a refusal is proved by "no capture or check that was not there before", not by equality.
     */
    static Set<String> orders() throws Exception {
        Set<String> out = new HashSet<>();
        for (TestAgent a : List.of(victim, peer, hidden, own)) {
            var o = a.orders(-1, 0);
            for (CaptureOrder co : o.captures()) out.add("capture " + co.captureId().toLowerCase(java.util.Locale.ROOT));
            for (CheckOrder ch : o.checks()) out.add("check " + ch.key());
        }
        return out;
    }

    static void assertNoNewOrders(Set<String> before, String why) throws Exception {
        Set<String> added = new HashSet<>(orders());
        added.removeAll(before);
        assertEquals(Set.of(), added, why);
    }

    /** Whether the victim's agent is told to keep running capture {@code name}. */
    static boolean runs(String name) throws Exception {
        return victim.orders(-1, 0).captures().stream()
                .anyMatch(o -> o.captureId().endsWith("/packetCaptures/" + name) && o.run());
    }

    @TestFactory
    Stream<DynamicTest> everyOperation_everyPrincipal_getsItsAnswer_andARefusalChangesNothing() {
        List<DynamicTest> cells = new ArrayList<>();
        for (Operation op : operations()) {
            for (Who who : Who.values()) {
                Expect expect = Expect.parse(op.answers().get(who.ordinal()));
                cells.add(DynamicTest.dynamicTest(op.name() + " as " + who + " → " + op.answers().get(who.ordinal()), () -> {
                    String name = "m" + names.incrementAndGet();
                    op.setup().prepare(name);
                    Set<String> before = expect.allowed() ? Set.of() : orders();
                    var reply = op.request().send(name, tokens.get(who));
                    assertEquals(expect.status(), reply.status(), reply.body());
                    if (expect.code() != null) {
                        assertEquals(expect.code(), reply.errorCode(), reply.body());
                        var target = reply.json().path("error").path("target");
                        if (expect.target() != null) assertEquals(expect.target(), target.asText(), reply.body());
                        String message = reply.json().path("error").path("message").asText();
                        assertFalse(message.contains("Exception") || message.contains("netwatcher."), message);
                    }
                    if (!expect.allowed()) op.unchanged().verify(name, before);
                }));
            }
        }
        return cells.stream();
    }

    @Test
    void refusal_forAVmInAnotherGroup_isTheSameWhetherItExistsOrNot() throws Exception {
        String watcherOnly = tokens.get(Who.WATCHER_RG);
        String existing = victim.vmId;
        String missing = existing.replace("/victim", "/nosuchvm");
        var a = c.send("PUT", nw + "/packetCaptures/leak1" + V, capture(existing, null), watcherOnly);
        var b = c.send("PUT", nw + "/packetCaptures/leak2" + V, capture(missing, null), watcherOnly);
        assertEquals(403, a.status(), a.body());
        assertEquals(a.status(), b.status(), b.body());
        assertEquals(a.errorCode(), b.errorCode());
        assertEquals(a.json().path("error").path("message").asText().replace(existing, "X").replace("leak1", "pc"),
                b.json().path("error").path("message").asText().replace(missing, "X").replace("leak2", "pc"));
        // and a VM of another subscription: refused on its id alone, before any lookup
        String otherSub = tokens.get(Who.OTHER_SUBSCRIPTION);
        var x = c.send("PUT", nwT + "/packetCaptures/leak3" + V, capture(existing, null), otherSub);
        var y = c.send("PUT", nwT + "/packetCaptures/leak4" + V, capture(missing, null), otherSub);
        assertEquals(400, x.status(), x.body());
        assertEquals(x.status(), y.status());
        assertEquals(x.errorCode(), y.errorCode());
        // the storage download: an account the caller may not read answers like one that does not exist
        var d1 = c.send("GET", "/storage/netwatcherlocal/network-watcher-logs/matrix.cap", null, otherSub);
        var d2 = c.send("GET", "/storage/nosuchaccount/network-watcher-logs/matrix.cap", null, otherSub);
        assertEquals(d1.status(), d2.status());
        assertEquals(d1.json().path("error").path("message").asText().replace("netwatcherlocal", "X"),
                d2.json().path("error").path("message").asText().replace("nosuchaccount", "X"));
    }

    @Test
    void connectivityCheck_armsObserversOnlyOnVmsTheCallerMayRead() throws Exception {
        for (TestAgent a : List.of(peer, hidden)) a.orders(-1, 0); // connected: candidates for observing
        var narrow = c.send("POST", nw + "/connectivityCheck" + V, connectivity(victim.vmId, peer.vmId), tokens.get(Who.WATCHER_AND_VM_RG));
        assertEquals(202, narrow.status(), narrow.body());
        String narrowKey = newestObservedBy(peer);
        assertTrue(observes(peer, narrowKey), "peer (readable by the caller) observes");
        assertFalse(observes(hidden, narrowKey), "hidden (in a group the caller cannot read) was ordered to observe");

        var wide = c.send("POST", nw + "/connectivityCheck" + V, connectivity(victim.vmId, peer.vmId), tokens.get(Who.SUBSCRIPTION));
        assertEquals(202, wide.status(), wide.body());
        assertTrue(observes(hidden, newestObservedBy(peer)), "with rights on the whole subscription hidden observes too");
    }

    /** The key of the newest check {@code a} is ordered to observe. */
    private static String newestObservedBy(TestAgent a) throws Exception {
        return a.orders(-1, 0).checks().stream().filter(o -> o.role().equals(CheckRole.OBSERVER))
                .max(java.util.Comparator.comparing(CheckOrder::createdAt)).orElseThrow(() -> new AssertionError("no observer order")).key();
    }

    private static boolean observes(TestAgent a, String key) throws Exception {
        return a.orders(-1, 0).checks().stream().anyMatch(o -> o.key().equals(key) && o.role().equals(CheckRole.OBSERVER));
    }

    @Test
    void operationPoll_needsReadOnTheCaptureItActsOn() throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/polled" + V, capture(victim.vmId, null), tokens.get(Who.SUBSCRIPTION));
        assertEquals(201, put.status(), put.body());
        String status = put.header("Azure-AsyncOperation");
        assertEquals(200, c.send("GET", status, null, tokens.get(Who.READER)).status());
        assertEquals(200, c.send("GET", status, null, tokens.get(Who.WATCHER_RG)).status());
        var vmOnly = c.send("GET", status, null, tokens.get(Who.VM_RG));
        assertEquals(403, vmOnly.status(), vmOnly.body());
        var other = c.send("GET", status, null, tokens.get(Who.OTHER_SUBSCRIPTION));
        assertEquals(403, other.status(), other.body());
        // a caller with no role in the subscription gets the same answer for an operation that does not exist
        var missing = c.send("GET", status.replaceAll("/operations/[^?]+", "/operations/00000000-0000-0000-0000-000000000000"), null,
                tokens.get(Who.OTHER_SUBSCRIPTION));
        assertEquals(403, missing.status(), missing.body());
    }

    @Test
    void operationPoll_ofACheck_needsReadOnItsWatcher() throws Exception {
        var post = c.send("POST", nw + "/ipFlowVerify" + V, ipFlowVerify(victim.vmId), tokens.get(Who.SUBSCRIPTION));
        assertEquals(202, post.status(), post.body());
        String status = post.header("Azure-AsyncOperation");
        assertEquals(200, c.send("GET", status, null, tokens.get(Who.READER)).status());
        assertEquals(200, c.send("GET", status, null, tokens.get(Who.WATCHER_RG)).status());
        var vmOnly = c.send("GET", status, null, tokens.get(Who.VM_RG));
        assertEquals(403, vmOnly.status(), vmOnly.body());
        var result = c.send("GET", post.header("Location"), null, tokens.get(Who.VM_RG));
        assertEquals(403, result.status(), result.body());
    }
}
