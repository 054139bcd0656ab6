package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.Orders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two real controllers on one PostgreSQL: an agent's presence (connected, last seen, version) reads the same
 * through either, enrolling a second agent for a connected VM is 409 on both, an order created through one
 * wakes the agent's long-poll held by the other through {@code LISTEN/NOTIFY}, and the background work has one
 * leader, elected through the lease row, that moves when the leader goes.
 */
@Tag("external")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPresenceTest {
    static final String V = "?api-version=2025-05-01";
    static final String VMV = "?api-version=2024-07-01";
    static TestDatabase pg;
    static Map<String, String> settings;
    static TestController a;
    static TestController b;

    @BeforeAll
    static void start() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        settings = Map.of("database.url", pg.config().jdbcUrl(), "database.user", pg.config().user(),
                "database.password", pg.config().password(), "publicUrl", "https://nw.cluster.test:8443", "agent-lost-seconds", "2");
        a = new TestController(Duration.ofSeconds(30), settings);
        b = new TestController(Duration.ofSeconds(30), settings);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        pg.close();
    }

    static String bearer() { return "Bearer " + a.token; }

    static String extensionStatus(TestController c, TestAgent agent) throws Exception {
        var r = c.send("GET", agent.vmId + "/extensions/AzureNetworkWatcherExtension" + VMV, null, bearer());
        assertEquals(200, r.status(), r.body());
        return r.json().path("properties").path("instanceView").path("statuses").get(0).path("displayStatus").asText()
                + " " + r.json().path("properties").path("instanceView").path("typeHandlerVersion").asText();
    }

    /** Holds a long-poll of {@code agent} (waiting for orders above {@code after}) on its controller. */
    static CompletableFuture<Orders> poll(TestAgent agent, long after, int waitSeconds) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return agent.orders(after, waitSeconds);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @Order(1)
    void presence_readsTheSameOnEitherController_andASecondEnrollmentIs409OnBoth() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmpresence", "westeurope");
        long generation = agent.orders(-1, 0).generation();
        CompletableFuture<Orders> held = poll(agent, generation, 3);
        Thread.sleep(300); // the poll is open on A
        assertEquals("Connected test-1.0", extensionStatus(a, agent));
        assertEquals("Connected test-1.0", extensionStatus(b, agent));

        for (TestController c : List.of(a, b)) {
            var again = c.send("POST", "/agent/v1/enroll", Json.writeString(new EnrollRequest(a.token, a.sub, "lab", "vmpresence", "westeurope", "other")), null);
            assertEquals(409, again.status(), again.body());
        }
        // the connected agent was not revoked by the refused enrollments
        held.get(15, TimeUnit.SECONDS);
        assertEquals(generation, agent.orders(generation, 0).generation());

        // it stops polling: after the grace (2 s) it reads Disconnected through both, with the same last contact
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (extensionStatus(b, agent).startsWith("Connected") && System.nanoTime() < deadline) Thread.sleep(200);
        assertEquals("Disconnected test-1.0", extensionStatus(b, agent));
        assertEquals("Disconnected test-1.0", extensionStatus(a, agent));
        var onA = a.send("GET", agent.vmId + "/extensions/AzureNetworkWatcherExtension" + VMV, null, bearer()).json();
        var onB = b.send("GET", agent.vmId + "/extensions/AzureNetworkWatcherExtension" + VMV, null, bearer()).json();
        assertEquals(onA.path("properties").path("instanceView"), onB.path("properties").path("instanceView"));

        // a disconnected agent may be replaced, through either controller
        var replaced = b.send("POST", "/agent/v1/enroll", Json.writeString(new EnrollRequest(a.token, a.sub, "lab", "vmpresence", "westeurope", "other")), null);
        assertEquals(200, replaced.status(), replaced.body());
    }

    @Test
    @Order(2)
    void orderCreatedOnB_wakesTheLongPollHeldByA_withoutThePeriodicRecheck() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmwake", "westeurope");
        String vmKey = a.controller.presence() == null ? null : keyOf(agent);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(a.controller.wakeups().listening() && b.controller.wakeups().listening()) && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(a.controller.wakeups().listening() && b.controller.wakeups().listening());

        // A's wait for this VM returns only on a wake-up (its own re-check is in the long-poll's loop, not here)
        CompletableFuture<Void> woken = CompletableFuture.runAsync(() -> {
            try {
                a.controller.presence().await(vmKey, Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        String nw = "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        assertEquals(201, b.send("PUT", nw + "/packetCaptures/wake0" + V, captureBody(agent.vmId), bearer()).status());
        woken.get(30, TimeUnit.SECONDS);

        // and the agent's long-poll on A returns with it; latencies printed for BENCHMARKS.md
        List<Long> micros = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            long generation = agent.orders(-1, 0).generation();
            CompletableFuture<Orders> held = poll(agent, generation, 10);
            CompletableFuture<Long> answered = held.thenApply(o -> System.nanoTime());
            Thread.sleep(150);
            long sent = System.nanoTime();
            String path = nw + "/packetCaptures/wake" + i + V;
            var put = b.send(i % 2 == 1 ? "PUT" : "DELETE", i % 2 == 1 ? path : nw + "/packetCaptures/wake" + (i - 1) + V,
                    i % 2 == 1 ? captureBody(agent.vmId) : null, bearer());
            assertTrue(put.status() == 201 || put.status() == 202 || put.status() == 200, put.status() + " " + put.body());
            Orders orders = held.get(15, TimeUnit.SECONDS);
            micros.add((answered.get() - sent) / 1000);
            assertTrue(orders.generation() > generation, "the poll on A returned with the order made on B");
        }
        micros.sort(null);
        System.out.printf("order B->A (PUT/DELETE sent to B -> long-poll held by A answered): n=%d p50=%d ms p99=%d ms max=%d ms%n", micros.size(),
                micros.get(micros.size() / 2) / 1000, micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000, micros.getLast() / 1000);
    }

    @Test
    @Order(3)
    void runningCapture_ofAnAgentPollingA_readsRunningThroughB_thenUnknownOnBothWhenItIsLost() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmrunning", "westeurope");
        String nw = "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        long generation = agent.orders(-1, 0).generation();
        CompletableFuture<Orders> first = poll(agent, generation, 10);
        assertEquals(201, b.send("PUT", nw + "/packetCaptures/running" + V, captureBody(agent.vmId), bearer()).status());
        var order = first.get(15, TimeUnit.SECONDS).captures().stream().filter(o -> o.captureId().endsWith("/running")).findFirst().orElseThrow();
        agent.report(order.key(), "Running", null, List.of(), 1);
        CompletableFuture<Orders> held = poll(agent, first.get().generation(), 3);
        Thread.sleep(200);
        for (TestController c : List.of(b, a)) {
            var q = c.send("POST", nw + "/packetCaptures/running/queryStatus" + V, null, bearer());
            assertEquals(200, q.status(), q.body());
            assertEquals("Running", q.json().path("packetCaptureStatus").asText(), c == a ? "on A" : "on B");
        }
        held.get(15, TimeUnit.SECONDS);
        // the agent is gone: after the 2 s grace both read Unknown
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"Unknown".equals(queryStatus(b, nw)) && System.nanoTime() < deadline) Thread.sleep(200);
        assertEquals("Unknown", queryStatus(b, nw));
        assertEquals("Unknown", queryStatus(a, nw));
    }

    static String queryStatus(TestController c, String nw) throws Exception {
        return c.send("POST", nw + "/packetCaptures/running/queryStatus" + V, null, bearer()).json().path("packetCaptureStatus").asText();
    }

    @Test
    @Order(4)
    void connectivityCheckThroughB_choosesAsObserverAnAgentPollingA() throws Exception {
        TestAgent source = new TestAgent(a, "lab", "vmsrc", "westeurope", List.of("198.18.5.10/24"));
        TestAgent observer = new TestAgent(a, "lab", "vmobs", "westeurope", List.of("198.18.5.1/24"));
        long sourceGeneration = source.orders(-1, 0).generation();
        long observerGeneration = observer.orders(-1, 0).generation();
        CompletableFuture<Orders> sourcePoll = poll(source, sourceGeneration, 10);
        CompletableFuture<Orders> observerPoll = poll(observer, observerGeneration, 10);
        Thread.sleep(300); // both long-polls are open on A
        String nw = "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        var post = b.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"address":"198.18.5.1","port":80}}""".formatted(source.vmId), bearer());
        assertEquals(202, post.status(), post.body());
        // a source B took for disconnected would fail the check at once, with no part and no new generation
        assertTrue(sourcePoll.get(15, TimeUnit.SECONDS).generation() > sourceGeneration,
                "B found the source's agent connected (through A) and gave it the source's part");
        assertTrue(observerPoll.get(15, TimeUnit.SECONDS).checks().stream().anyMatch(o -> o.role() == netwatcher.model.check.CheckRole.OBSERVER),
                "the agent connected to A is an observer of the check B created");
    }

    @Test
    @Order(5)
    void leaseRow_oneLeaderAtATime_aStalledLeaderIsFencedOut() throws Exception {
        try (Database db = Database.open(pg.config())) {
            Leadership x = Leadership.elected(db, "fencing-test", "x", Duration.ofSeconds(1), Clock.systemUTC());
            Leadership y = Leadership.elected(db, "fencing-test", "y", Duration.ofSeconds(1), Clock.systemUTC());
            assertTrue(x.tick());
            assertFalse(y.tick(), "the lease is x's");
            assertTrue(x.tick(), "renewed");
            long first = x.epoch();
            Thread.sleep(1200); // x stalls past its lease
            assertFalse(x.isLeader(), "x stops the work before its lease expired");
            assertTrue(y.tick(), "y takes over the expired lease");
            assertEquals(first + 1, y.epoch());
            assertFalse(x.tick(), "x's renewal names an epoch that is gone");
            assertFalse(x.isLeader());
            y.release();
            assertTrue(x.tick(), "a released lease is taken at the next tick");
            assertEquals(first + 2, x.epoch());
        }
    }

    @Test
    @Order(6)
    void backgroundWork_hasOneLeader_andMovesWhenTheLeaderCloses() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (a.controller.leadership().isLeader() == b.controller.leadership().isLeader() && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(a.controller.leadership().isLeader() ^ b.controller.leadership().isLeader(), "exactly one leader");
        TestController leader = a.controller.leadership().isLeader() ? a : b;
        TestController other = leader == a ? b : a;
        long epoch = leader.controller.leadership().epoch();
        leader.close();
        if (leader == a) a = null; else b = null;
        deadline = System.nanoTime() + Leadership.DEFAULT_LEASE.plusSeconds(3).toNanos();
        while (!other.controller.leadership().isLeader() && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(other.controller.leadership().isLeader(), "the other controller took over within the lease");
        assertEquals(epoch + 1, other.controller.leadership().epoch());
    }

    static String keyOf(TestAgent agent) {
        return netwatcher.arm.ArmResourceId.parse(agent.vmId, "vm").key();
    }

    static String captureBody(String target) {
        return """
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"timeLimitInSeconds":60,
                 "storageLocation":{"filePath":"/var/captures/pc.cap"}}}""".formatted(target);
    }
}
