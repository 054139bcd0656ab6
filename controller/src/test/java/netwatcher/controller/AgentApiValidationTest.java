package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import netwatcher.model.agent.CaptureOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent routes of the real controller over HTTPS refuse hostile host reports and reports with
 * a 400 ARM error naming the field, never a 500, and change nothing.
 */
@Tag("e2e")
class AgentApiValidationTest {
    static final String V = "?api-version=2025-05-01";
    static TestController c;
    static TestAgent agent;
    static String nics;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        agent = new TestAgent(c, "lab", "vm1", "westeurope", List.of("198.18.1.10/24"));
        nics = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Network/networkInterfaces" + V;
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static String hostWith(String nicsJson) {
        return "{\"agentVersion\":\"0.1.0\",\"hostname\":\"vm1\",\"os\":\"Debian\",\"nics\":" + nicsJson
                + ",\"capabilities\":[\"capture\"],\"problems\":[]}";
    }

    static Stream<Arguments> badHosts() {
        List<Arguments> a = new ArrayList<>();
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"macAddress\":\"02:00:00:00:00:01\",\"addresses\":[\"not-an-ip\"]}]"), "nics[0].addresses[0]"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"addresses\":[\"example.com/24\"]}]"), "nics[0].addresses[0]"));
        a.add(Arguments.of(hostWith("[{\"name\":\"../../x\",\"addresses\":[\"198.18.1.10/24\"]}]"), "nics[0].name"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"addresses\":[\"127.0.0.1/8\"]}]"), "nics[0].addresses[0]"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"addresses\":[\"0.0.0.0/0\"]}]"), "nics[0].addresses[0]"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"addresses\":[\"224.0.0.1/24\"]}]"), "nics[0].addresses[0]"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"addresses\":[\"198.18.1.10/64\"]}]"), "nics[0].addresses[0]"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"macAddress\":\"<script>\",\"addresses\":[]}]"), "nics[0].macAddress"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\"},{\"name\":\"eth0\"}]"), "nics[1].name"));
        a.add(Arguments.of(hostWith("[null]"), "nics[0]"));
        a.add(Arguments.of(hostWith("\"eth0\""), "nics"));
        a.add(Arguments.of(hostWith("[{\"name\":\"eth0\",\"addresses\":[\"198.18.1.10/24\"],\"primary\":\"maybe\"}]"), "nics[0].primary"));
        a.add(Arguments.of("{\"hostname\":\"../../etc/passwd\"}", "hostname"));
        return a.stream();
    }

    @ParameterizedTest
    @MethodSource("badHosts")
    void badHostReport_is400NamingTheField_andChangesNothing(String body, String field) throws Exception {
        String before = c.send("GET", nics, null).body();
        var r = c.send("PUT", "/agent/v1/host", body, agent.bearer());
        assertEquals(400, r.status(), r.body());
        JsonNode error = r.json().path("error");
        assertTrue(error.path("code").asText().startsWith("Invalid"), r.body());
        assertEquals(field, error.path("target").asText(), r.body());
        assertTrue(error.path("message").asText().contains(field), r.body());
        assertFalse(r.body().contains("netwatcher.") || r.body().contains("jackson") || r.body().contains("Exception"), r.body());
        assertEquals(before, c.send("GET", nics, null).body(), "a refused report changes nothing");
    }

    @Test
    void nonObjectBodies_are400() throws Exception {
        for (String body : new String[] {"null", "[]", "42", "\"x\""}) {
            var r = c.send("PUT", "/agent/v1/host", body, agent.bearer());
            assertEquals(400, r.status(), body + " -> " + r.body());
            var p = c.send("POST", "/agent/v1/reports", body, agent.bearer());
            assertEquals(400, p.status(), body + " -> " + p.body());
        }
    }

    @Test
    void rogueAgent_cannotTakeAnotherVmsAddress() throws Exception {
        TestAgent rogue = new TestAgent(c, "lab", "rogue", "westeurope", List.of("198.19.7.7/24"));
        var r = c.send("PUT", "/agent/v1/host", hostWith("[{\"name\":\"eth0\",\"addresses\":[\"198.19.7.7/24\",\"198.18.1.10/24\"]}]"),
                rogue.bearer());
        assertEquals(200, r.status(), r.body());
        JsonNode nic = c.send("GET", "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Network/networkInterfaces/rogue-eth0" + V, null).json();
        JsonNode configs = nic.path("properties").path("ipConfigurations");
        assertEquals(1, configs.size(), nic.toString());
        assertEquals("198.19.7.7", configs.get(0).path("properties").path("privateIPAddress").asText());
        JsonNode ext = c.send("GET", "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/rogue/extensions"
                + "/AzureNetworkWatcherExtension" + V, null).json();
        String message = ext.path("properties").path("instanceView").path("statuses").get(0).path("message").asText();
        assertTrue(message.contains("198.18.1.10/24") && message.contains("vm1"), message);
        // vm1 keeps its address
        JsonNode own = c.send("GET", "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Network/networkInterfaces/vm1-eth0" + V, null).json();
        assertEquals("198.18.1.10", own.path("properties").path("ipConfigurations").get(0).path("properties").path("privateIPAddress").asText());
        // loopback is refused outright
        var lo = c.send("PUT", "/agent/v1/host", hostWith("[{\"name\":\"eth0\",\"addresses\":[\"127.0.0.1/8\"]}]"), rogue.bearer());
        assertEquals(400, lo.status(), lo.body());
    }

    @Test
    void badReports_are400_andLeaveTheCaptureAsItWas() throws Exception {
        String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        long gen = agent.orders(-1, 0).generation();
        var put = c.send("PUT", nw + "/packetCaptures/pcv" + V, """
                {"properties":{"target":"%s","timeLimitInSeconds":600,"storageLocation":{"filePath":"/var/captures/pcv.cap"}}}"""
                .formatted(agent.vmId));
        assertEquals(201, put.status(), put.body());
        CaptureOrder order = agent.orders(gen, 0).captures().stream().filter(o -> o.captureId().endsWith("/pcv")).findFirst().orElseThrow();
        agent.report(order.key(), "Running", null, List.of(), 3);
        String key = order.key();
        String[][] bad = {
                {"{\"captures\":[{\"key\":\"" + key + "\",\"status\":\"Stopped\",\"stopReason\":\"TimeExceeded\",\"packets\":-1}]}", "captures[0].packets"},
                {"{\"captures\":[{\"key\":\"" + key + "\",\"status\":\"Stopped\",\"stopReason\":\"Nope\"}]}", "captures[0].stopReason"},
                {"{\"captures\":[{\"key\":\"" + key + "\",\"status\":\"Stopped\",\"packets\":\"many\"}]}", "captures[0].packets"},
                {"{\"captures\":[{\"key\":\"" + key + "\",\"status\":\"Stopped\",\"stopReason\":\"TimeExceeded\",\"startTime\":\"yesterday\"}]}", "captures[0].startTime"},
                {"{\"captures\":[{\"key\":\"" + key + "\",\"status\":\"Stopped\",\"stopReason\":\"TimeExceeded\"},{\"key\":\"" + key
                        + "\",\"status\":\"Exploded\"}]}", "captures[1].status"},
                {"{\"checks\":[{\"key\":\"k-1\",\"role\":\"source\",\"state\":\"done\",\"hops\":[{\"ttl\":1,\"address\":\"evil.example\"}]}]}",
                        "checks[0].hops[0].address"},
        };
        for (String[] b : bad) {
            var r = c.send("POST", "/agent/v1/reports", b[0], agent.bearer());
            assertEquals(400, r.status(), b[0] + " -> " + r.body());
            assertEquals(b[1], r.json().path("error").path("target").asText(), r.body());
            assertFalse(r.body().contains("netwatcher.") || r.body().contains("jackson"), r.body());
        }
        var q = c.send("POST", nw + "/packetCaptures/pcv/queryStatus" + V, null);
        JsonNode s = q.json();
        assertEquals("Running", s.path("packetCaptureStatus").asText(), "no part of a refused batch was applied: " + s);
        assertEquals(3, s.path("packetsCaptured").asLong());
    }

    @Test
    void uploadWithAHugeContentRange_is400NotA500() throws Exception {
        String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        long gen = agent.orders(-1, 0).generation();
        var put = c.send("PUT", nw + "/packetCaptures/pcup" + V, """
                {"properties":{"target":"%s","timeLimitInSeconds":600,"storageLocation":{"filePath":"/var/captures/pcup.cap",
                 "storageId":"/subscriptions/%s/resourceGroups/netwatcher-storage/providers/Microsoft.Storage/storageAccounts/netwatcherlocal"}}}"""
                .formatted(agent.vmId, c.sub));
        assertEquals(201, put.status(), put.body());
        CaptureOrder order = agent.orders(gen, 0).captures().stream().filter(o -> o.captureId().endsWith("/pcup")).findFirst().orElseThrow();
        for (String range : new String[] {"bytes 0-99999999999999999999/999999999999999999999", "bytes 5-1/10", "bytes=0-1/2"}) {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(c.url("/agent/v1/captures/" + order.key() + "/file")))
                    .header("Authorization", agent.bearer()).header("Content-Range", range)
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("xx")).build();
            var r = c.http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), range + " -> " + r.body());
            assertTrue(r.body().contains("Content-Range"), r.body());
            // refused before its body was read: the server closes, and says so, so no client reuses the connection
            // (the JDK client sent the next PUT into it and got "header parser received no bytes")
            assertEquals("close", r.headers().firstValue("connection").orElse(null), range);
        }
    }
}
