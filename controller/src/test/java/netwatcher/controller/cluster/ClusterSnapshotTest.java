package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A snapshot through any controller of a cluster (two real controllers on one PostgreSQL): requested on B, ordered to
 * the agent whose long-poll A holds (woken through {@code LISTEN/NOTIFY}), reported to A, and its operation answered
 * and its listing shown by B: nothing of it lives in one controller's memory.
 */
@Tag("external")
class ClusterSnapshotTest {
    static final String V = "?api-version=2025-05-01";
    static TestDatabase pg;
    static TestController a;
    static TestController b;

    @BeforeAll
    static void start() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        Map<String, String> settings = Map.of("database.url", pg.config().jdbcUrl(), "database.user", pg.config().user(),
                "database.password", pg.config().password(), "publicUrl", "https://nw.cluster.test:8443");
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

    @Test
    void requestedOnB_orderedThroughA_reportedToA_answeredByB() throws Exception {
        TestAgent agent = new TestAgent(a, "lab", "vmsnapcluster", "westeurope");
        String nw = "/subscriptions/" + a.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        String pc = nw + "/packetCaptures/clustersnap";
        var put = a.send("PUT", pc + V, """
                {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/clustersnap.cap"}}}""".formatted(agent.vmId),
                bearer());
        assertEquals(201, put.status(), put.body());
        Orders first = agent.orders(-1, 0);
        CaptureOrder order = first.captures().getFirst();
        Instant now = Instant.now();
        var report = new CaptureReport(order.key(), CaptureStatus.Running, null, List.of(), null, now.minusSeconds(30), null, 10,
                1000, 0, 0, 10, now.minusSeconds(30), now, "/var/captures/clustersnap.cap", UploadState.NONE, 0, null, null);
        assertEquals(204, a.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(report))), agent.bearer()).status());

        long generation = agent.orders(-1, 0).generation();
        CompletableFuture<Orders> held = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.orders(generation, 10);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300); // the long-poll is open on A
        var requested = b.send("POST", pc + "/snapshot" + V, "{\"lastSeconds\":20}", bearer());
        assertEquals(202, requested.status(), requested.body());
        Orders woken = held.get(8, TimeUnit.SECONDS);
        SnapshotOrder snap = woken.snapshots().stream().filter(s -> s.captureKey().equals(order.key())).findFirst().orElseThrow();

        var done = new SnapshotReport(snap.id(), order.key(), SnapshotReport.State.Succeeded, 4, 400, snap.from(), snap.to(),
                "/var/captures/snapshots/" + snap.id() + ".cap", null, null);
        assertEquals(204, a.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(), List.of(), List.of(done))),
                agent.bearer()).status());
        // Location names the cluster's public URL; the same path on B
        var result = b.send("GET", java.net.URI.create(requested.header("Location")).getRawPath() + "?" + java.net.URI.create(requested.header("Location")).getRawQuery(), null, bearer());
        assertEquals(200, result.status(), result.body());
        assertEquals(snap.id(), result.json().path("id").asText());
        assertEquals(4, result.json().path("packets").asLong());
        var listed = b.send("GET", pc + V, null, bearer()).json().path("properties").path("snapshots");
        assertEquals(1, listed.size(), listed.toString());
        assertEquals("Succeeded", listed.get(0).path("state").asText());
        assertTrue(agent.orders(-1, 0).snapshots().isEmpty(), "no longer ordered, through A");
    }
}
