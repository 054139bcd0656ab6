package netwatcher.controller;

import static netwatcher.controller.testsupport.OneAgentWatcher.V;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import netwatcher.arm.Json;
import netwatcher.controller.testsupport.OneAgentWatcher;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.Reports;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST .../packetCaptures/{name}/snapshot} over real HTTPS, with an agent on the real protocol: every refusal
 * names its field and changes nothing (no snapshot listed, no new orders), the accepted request is a long-running
 * operation with the capture LROs' headers whose end is the agent's report, one snapshot runs at a time per capture, and
 * GET and queryStatus list the snapshots.
 */
@Tag("e2e")
class SnapshotApiTest {
    @RegisterExtension
    static final OneAgentWatcher env = new OneAgentWatcher(Duration.ofSeconds(30), "vmsnap");
    static TestController c;
    static TestAgent agent;
    static String nw;

    @BeforeAll
    static void bind() {
        c = env.controller();
        agent = env.agent();
        nw = env.watcher();
    }

    /** Creates capture {@code name} and reports it running with packets from {@code first} to {@code last}; returns its key. */
    static String running(String name, Instant first, Instant last) throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/" + name + V, """
                {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/%s.cap"}}}""".formatted(agent.vmId, name));
        assertEquals(201, put.status(), put.body());
        CaptureOrder order = agent.orders(-1, 0).captures().stream().filter(o -> o.captureId().endsWith("/" + name)).findFirst().orElseThrow();
        var report = new CaptureReport(order.key(), CaptureStatus.Running, null, List.of(), null, first, null, 10, 1000, 0, 0, 10,
                first, last, "/var/captures/" + name + ".cap", UploadState.NONE, 0, null, null);
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(report))), agent.bearer());
        assertEquals(204, r.status(), r.body());
        return order.key();
    }

    static TestController.Reply snapshot(String name, String body) throws Exception {
        return c.send("POST", nw + "/packetCaptures/" + name + "/snapshot" + V, body);
    }

    static List<SnapshotOrder> of(Orders orders, String captureKey) {
        return orders.snapshots().stream().filter(o -> o.captureKey().equals(captureKey)).toList();
    }

    static void report(SnapshotReport r) throws Exception {
        var sent = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(), List.of(), List.of(r))), agent.bearer());
        assertEquals(204, sent.status(), sent.body());
    }

    @Test
    void everyBadRequest_isRefusedNamingItsField_andChangesNothing() throws Exception {
        Instant now = Instant.now();
        String key = running("snapbad", now.minusSeconds(60), now);
        long generation = agent.orders(-1, 0).generation();
        String[][] cases = {
                {"{}", "MissingRequiredProperty", "lastSeconds"},
                {"", "MissingRequiredProperty", "lastSeconds"},
                {"{\"lastSeconds\":5,\"from\":\"" + now.minusSeconds(5) + "\"}", "InvalidRequestContent", "lastSeconds"},
                {"{\"lastSeconds\":0}", null, "lastSeconds"},
                {"{\"lastSeconds\":604801}", null, "lastSeconds"},
                {"{\"lastSeconds\":\"ten\"}", null, "lastSeconds"},
                {"{\"from\":\"yesterday\",\"to\":\"" + now + "\"}", null, "from"},
                {"{\"from\":\"" + now.minusSeconds(5) + "\"}", null, "to"},
                {"{\"from\":\"" + now + "\",\"to\":\"" + now.minusSeconds(5) + "\"}", null, "from"},
                {"{\"from\":\"" + now.minusSeconds(700_000) + "\",\"to\":\"" + now + "\"}", null, "to"},
                {"{\"from\":\"" + now.plusSeconds(3600) + "\",\"to\":\"" + now.plusSeconds(3700) + "\"}", null, "from"},
                // the capture's packets start 60 s ago: a window that ends before is outside what its files hold
                {"{\"from\":\"" + now.minusSeconds(600) + "\",\"to\":\"" + now.minusSeconds(300) + "\"}", "InvalidParameter", "to"},
                {"not json", null, null},
        };
        for (String[] k : cases) {
            var r = snapshot("snapbad", k[0]);
            assertEquals(400, r.status(), k[0] + " → " + r.body());
            if (k[1] != null) assertEquals(k[1], r.errorCode(), k[0] + " → " + r.body());
            if (k[2] != null) assertEquals(k[2], r.json().path("error").path("target").asText(), k[0] + " → " + r.body());
        }
        assertTrue(snapshot("snapbad", "{\"from\":\"" + now.minusSeconds(600) + "\",\"to\":\"" + now.minusSeconds(300) + "\"}")
                .body().contains("cover"), "the refusal says what the files cover");
        // nothing changed: no snapshot listed, no new orders for the agent
        assertTrue(c.send("GET", nw + "/packetCaptures/snapbad" + V, null).json().path("properties").path("snapshots").isMissingNode());
        assertTrue(c.send("POST", nw + "/packetCaptures/snapbad/queryStatus" + V, null).json().path("snapshots").isMissingNode());
        Orders after = agent.orders(-1, 0);
        assertEquals(generation, after.generation());
        assertTrue(of(after, key).isEmpty(), after.toString());
        // no such capture: 404; a capture that does not run: 409 naming it
        assertEquals(404, snapshot("nosuch", "{\"lastSeconds\":5}").status());
        var put = c.send("PUT", nw + "/packetCaptures/snapnotrunning" + V, """
                {"properties":{"target":"%s","storageLocation":{"filePath":"/var/captures/nr.cap"}}}""".formatted(agent.vmId));
        assertEquals(201, put.status(), put.body());
        var notRunning = snapshot("snapnotrunning", "{\"lastSeconds\":5}");
        assertEquals(409, notRunning.status(), notRunning.body());
        assertEquals("Conflict", notRunning.errorCode());
        assertEquals("name", notRunning.json().path("error").path("target").asText());
    }

    @Test
    void accepted_isAnOperation_endedByTheAgentsReport_oneAtATime_andListed() throws Exception {
        Instant now = Instant.now();
        String key = running("snapok", now.minusSeconds(60), now);
        long generation = agent.orders(-1, 0).generation();

        var r = snapshot("snapok", "{\"lastSeconds\":30}");
        assertEquals(202, r.status(), r.body()); // the protocol agent here reports only when told: the 1 s wait passes
        String location = r.header("Location");
        String async = r.header("Azure-AsyncOperation");
        assertNotNull(location);
        assertTrue(async.contains("/providers/Microsoft.Network/locations/westeurope/operations/"), async);
        assertTrue(location.contains("/providers/Microsoft.Network/locations/westeurope/operationResults/"), location);
        assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1);
        assertNotNull(r.header("retry-after-ms"));

        // the agent's long-poll is woken with the order
        Orders orders = agent.orders(generation, 5);
        assertTrue(orders.generation() > generation);
        assertEquals(1, of(orders, key).size(), orders.toString());
        SnapshotOrder order = of(orders, key).getFirst();
        assertEquals(key, order.captureKey());
        assertEquals(Duration.ofSeconds(30), Duration.between(order.from(), order.to()));
        assertNull(order.upload(), "a capture that uploads nowhere keeps its snapshot on the host");
        assertEquals(202, c.send("GET", location, null).status());
        assertEquals("InProgress", c.send("GET", async, null).json().path("status").asText());

        // one at a time
        var second = snapshot("snapok", "{\"lastSeconds\":10}");
        assertEquals(409, second.status(), second.body());
        assertEquals("AnotherOperationInProgress", second.errorCode());
        assertEquals(1, of(agent.orders(-1, 0), key).size());

        Instant first = order.to().minusSeconds(20);
        report(new SnapshotReport(order.id(), key, SnapshotReport.State.Succeeded, 7, 1234, first, first.plusSeconds(5),
                "/var/captures/snapshots/" + order.id() + ".cap", null, null));
        var done = c.send("GET", location, null);
        assertEquals(200, done.status(), done.body());
        assertEquals(order.id(), done.json().path("id").asText());
        assertEquals("Succeeded", done.json().path("state").asText());
        assertEquals(7, done.json().path("packets").asLong());
        assertEquals(30, done.json().path("lastSeconds").asLong());
        assertEquals("Succeeded", c.send("GET", async, null).json().path("status").asText());
        assertTrue(of(agent.orders(-1, 0), key).isEmpty(), "a finished snapshot is no longer ordered");
        // a repeated report changes nothing
        report(SnapshotReport.failed(order, "SnapshotFailed", "late"));
        var listed = c.send("POST", nw + "/packetCaptures/snapok/queryStatus" + V, null).json().path("snapshots");
        assertEquals(1, listed.size(), listed.toString());
        assertEquals("Succeeded", listed.get(0).path("state").asText());
        assertEquals("/var/captures/snapshots/" + order.id() + ".cap", listed.get(0).path("storagePath").asText());

        // the next one may run now; the agent's cause fails it, as an ARM error
        var third = snapshot("snapok", "{\"lastSeconds\":10}");
        assertEquals(202, third.status(), third.body());
        SnapshotOrder next = of(agent.orders(-1, 0), key).getFirst();
        report(SnapshotReport.failed(next, "DiskSpaceLow", "the host would fall below its disk floor"));
        var failed = c.send("GET", third.header("Azure-AsyncOperation"), null).json();
        assertEquals("Failed", failed.path("status").asText(), failed.toString());
        assertEquals("DiskSpaceLow", failed.path("error").path("code").asText(), failed.toString());
        var shown = c.send("GET", nw + "/packetCaptures/snapok" + V, null).json().path("properties").path("snapshots");
        assertEquals(2, shown.size(), shown.toString());
        assertEquals("DiskSpaceLow", shown.get(1).path("error").path("code").asText());
    }

    @Test
    void anotherAgentsReport_isRefused() throws Exception {
        Instant now = Instant.now();
        String key = running("snapother", now.minusSeconds(60), now);
        assertEquals(202, snapshot("snapother", "{\"lastSeconds\":5}").status());
        SnapshotOrder order = of(agent.orders(-1, 0), key).getFirst();
        TestAgent other = new TestAgent(c, "lab", "vmsnap2", "westeurope");
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(), List.of(),
                List.of(SnapshotReport.failed(order, "SnapshotFailed", "not mine")))), other.bearer());
        assertEquals(403, r.status(), r.body());
        assertTrue(agent.orders(-1, 0).snapshots().stream().anyMatch(o -> o.id().equals(order.id())), "still running");
    }
}
