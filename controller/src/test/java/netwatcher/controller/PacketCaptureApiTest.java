package netwatcher.controller;

import static netwatcher.controller.testsupport.OneAgentWatcher.V;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import netwatcher.controller.testsupport.OneAgentWatcher;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.Orders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The packet-capture ARM surface over real HTTPS, with an agent on the real protocol. */
@Tag("e2e")
class PacketCaptureApiTest {
    @RegisterExtension
    static final OneAgentWatcher env = new OneAgentWatcher(Duration.ofSeconds(3), "vm1");
    static TestController c;
    static TestAgent agent;
    static String nw;

    @BeforeAll
    static void bind() {
        c = env.controller();
        agent = env.agent();
        nw = env.watcher();
    }

    static String body(String target) {
        return """
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"timeLimitInSeconds":60,
                 "storageLocation":{"filePath":"/var/captures/pc.cap"},
                 "filters":[{"protocol":"tcp","localPort":"80"}]}}""".formatted(target);
    }

    @Test
    void defaultWatcher_appearsWhenFirstHostOfLocationRegisters() throws Exception {
        var r = c.send("GET", nw + V, null);
        assertEquals(200, r.status(), r.body());
        assertEquals("westeurope", r.json().path("location").asText());
        assertEquals("Succeeded", r.json().path("properties").path("provisioningState").asText());
    }

    @Test
    void capture_fullLifecycle_createRunQueryStopDelete() throws Exception {
        long gen = agent.orders(-1, 0).generation();
        var put = c.send("PUT", nw + "/packetCaptures/pc1" + V, body(agent.vmId));
        assertEquals(201, put.status(), put.body());
        assertEquals("Updating", put.json().path("properties").path("provisioningState").asText());
        assertEquals("TCP", put.json().path("properties").path("filters").get(0).path("protocol").asText());
        assertEquals(1073741824L, put.json().path("properties").path("totalBytesPerSession").asLong());
        String async = put.header("Azure-AsyncOperation");
        assertNotNull(async);
        assertEquals("1", put.header("Retry-After"));
        assertTrue(async.contains("/providers/Microsoft.Network/locations/westeurope/operations/"), async);

        // the second PUT of the same name (other case) is refused
        assertEquals(409, c.send("PUT", nw + "/packetCaptures/PC1" + V, body(agent.vmId)).status());

        Orders orders = agent.orders(gen, 5);
        CaptureOrder order = orders.captures().stream().filter(o -> o.captureId().endsWith("/pc1")).findFirst().orElseThrow();
        assertTrue(order.run());
        assertEquals(96, order.snapLength());
        assertEquals("/var/captures/pc.cap", order.filePath());
        assertEquals(c.send("GET", async, null).json().path("status").asText(), "InProgress");

        agent.report(order.key(), "Running", null, List.of(), 5);
        assertEquals("Succeeded", c.send("GET", async, null).json().path("status").asText());
        assertEquals("Succeeded", c.send("GET", nw + "/packetCaptures/pc1" + V, null).json().path("properties").path("provisioningState").asText());

        // queryStatus: the controller holds the status, so it answers 200 with it at once, no operation
        var qr = c.send("POST", nw + "/packetCaptures/pc1/queryStatus" + V, null);
        assertEquals(200, qr.status(), qr.body());
        assertNull(qr.header("Location"));
        assertNull(qr.header("Azure-AsyncOperation"));
        assertEquals("Running", qr.json().path("packetCaptureStatus").asText());
        assertEquals(5, qr.json().path("packetsCaptured").asLong());
        assertTrue(qr.json().path("packetCaptureError").isArray());

        // this agent does not confirm within the wait: 202, and the Location ends in 200 (the spec lists 200/202 only)
        var stop = c.send("POST", nw + "/packetCaptures/pc1/stop" + V, null);
        assertEquals(202, stop.status(), stop.body());
        assertEquals("1", stop.header("Retry-After"));
        assertNotNull(stop.header("retry-after-ms"));
        assertEquals(202, c.send("GET", stop.header("Location"), null).status());
        Orders after = agent.orders(orders.generation(), 5);
        assertFalse(after.captures().stream().filter(o -> o.key().equals(order.key())).findFirst().orElseThrow().run());
        agent.report(order.key(), "Stopped", "StoppedByRequest", List.of(), 9);
        var stopped = c.send("GET", stop.header("Location"), null);
        assertEquals(200, stopped.status(), stopped.body());
        assertEquals("", stopped.body());
        var status = c.send("POST", nw + "/packetCaptures/pc1/queryStatus" + V, null).json();
        assertEquals("Stopped", status.path("packetCaptureStatus").asText());
        assertEquals("StoppedByRequest", status.path("stopReason").asText());
        // stopping an ended capture has nothing to wait for
        assertEquals(200, c.send("POST", nw + "/packetCaptures/pc1/stop" + V, null).status());

        // the capture has ended and settled: the delete is done at once
        var del = c.send("DELETE", nw + "/packetCaptures/pc1" + V, null);
        assertEquals(204, del.status(), del.body());
        assertNull(del.header("Location"));
        assertEquals(404, c.send("GET", nw + "/packetCaptures/pc1" + V, null).status());
        assertEquals(204, c.send("DELETE", nw + "/packetCaptures/pc1" + V, null).status());
    }

    @Test
    void capture_whenNoAgentTakesIt_endsErrorAgentStopped() throws Exception {
        TestAgent silent = new TestAgent(c, "lab", "silentvm", "westeurope");
        var put = c.send("PUT", nw + "/packetCaptures/orphan" + V, body(silent.vmId));
        assertEquals(201, put.status(), put.body());
        String async = put.header("Azure-AsyncOperation");
        String state = "InProgress";
        for (int i = 0; i < 100 && state.equals("InProgress"); i++) {
            Thread.sleep(100);
            state = c.send("GET", async, null).json().path("status").asText();
        }
        assertEquals("Failed", state);
        var status = c.send("POST", nw + "/packetCaptures/orphan/queryStatus" + V, null).json();
        assertEquals("Error", status.path("packetCaptureStatus").asText());
        assertEquals("AgentStopped", status.path("packetCaptureError").get(0).asText());
        assertEquals("AgentUnavailable", status.path("stopReason").asText());
    }

    @Test
    void agentCredential_isRefusedOnArmRoutes() throws Exception {
        var r = c.send("GET", nw + V, null, agent.bearer());
        assertTrue(r.status() == 401 || r.status() == 403, r.body());
    }
}
