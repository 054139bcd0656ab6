package netwatcher.controller;

import static netwatcher.controller.testsupport.ScaleSetAgents.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.Json;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.model.agent.CaptureOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code targetType: AzureVMSS} over real HTTPS with agents on the real protocol and a {@link MutableClock}:
 * the capture runs on the instances {@code scope} chooses (each with its own order and counters), queryStatus
 * aggregates them with per-instance detail, an instance whose agent is away is reported and not waited for,
 * stop and delete reach every instance, and a bad scope or target is refused naming the field.
 */
@Tag("e2e")
class FleetCaptureApiTest {
    static final String V = "?api-version=2024-05-01";
    MutableClock clock;
    TestController c;
    TestAgent web0, web1, web2;
    String nw, set;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(Instant.now());
        c = new TestController(Duration.ofHours(1), Map.of(), clock);
        web0 = join(c, "web0", "198.18.5.10/24");
        web1 = join(c, "web1", "198.18.5.11/24");
        web2 = join(c, "web2", "198.18.5.12/24");
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        set = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/webss";
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
    }

    String body(String target, String scope) {
        return """
                {"properties":{"target":"%s","targetType":"AzureVMSS",%s"timeLimitInSeconds":600,
                 "storageLocation":{"filePath":"/var/captures/fleet.cap"}}}""".formatted(target, scope);
    }

    static Optional<CaptureOrder> order(TestAgent agent, long after, String suffix) throws Exception {
        return agent.orders(after, 0).captures().stream().filter(o -> o.captureId().endsWith(suffix)).findFirst();
    }

    JsonNode status(String name) throws Exception {
        var r = c.send("POST", nw + "/packetCaptures/" + name + "/queryStatus" + V, null);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void create_withScope_runsOnEachChosenInstance_andReportsTheOneWhoseAgentIsAway() throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/fleet1" + V, body(set, "\"scope\":{\"exclude\":[\"1\"]},"));
        assertEquals(201, put.status(), put.body());
        assertEquals("AzureVMSS", put.json().path("properties").path("targetType").asText());
        assertEquals(List.of("1"), List.of(put.json().path("properties").path("scope").path("exclude").get(0).asText()));

        CaptureOrder o0 = order(web0, -1, "/packetCaptures/fleet1/instances/0").orElseThrow();
        assertTrue(o0.run());
        assertEquals("/var/captures/fleet.cap", o0.filePath());
        assertTrue(order(web1, -1, "/packetCaptures/fleet1/instances/1").isEmpty(), "instance 1 is excluded");
        assertTrue(order(web2, -1, "/packetCaptures/fleet1/instances/2").isPresent());
        web0.report(o0.key(), "Running", null, List.of(), 5);
        // web2's agent goes away without taking the capture; web0's keeps polling
        clock.advance(Duration.ofSeconds(40));
        web0.orders(0, 0);

        JsonNode s = status("fleet1");
        assertEquals("Running", s.path("packetCaptureStatus").asText(), s.toString());
        assertEquals(5, s.path("packetsCaptured").asLong());
        JsonNode instances = s.path("instances");
        assertEquals(2, instances.size(), s.toString());
        assertEquals("0", instances.get(0).path("instanceId").asText());
        assertEquals("Running", instances.get(0).path("packetCaptureStatus").asText());
        assertEquals("Connected", instances.get(0).path("agent").asText());
        assertEquals("2", instances.get(1).path("instanceId").asText());
        assertEquals("Disconnected", instances.get(1).path("agent").asText());
        assertEquals("NotStarted", instances.get(1).path("packetCaptureStatus").asText());
        assertTrue(s.path("message").asText().contains("instance 2 (web2): agent not connected"), s.toString());
        // the create is done: the instance whose agent is away is not waited for
        assertEquals("Succeeded", c.send("GET", put.header("Azure-AsyncOperation"), null).json().path("status").asText());
        assertEquals("Succeeded", c.send("GET", nw + "/packetCaptures/fleet1" + V, null).json().path("properties")
                .path("provisioningState").asText());

        var stop = c.send("POST", nw + "/packetCaptures/fleet1/stop" + V, null);
        assertTrue(stop.status() == 200 || stop.status() == 202, stop.body());
        assertFalse(order(web0, 0, "/packetCaptures/fleet1/instances/0").orElseThrow().run(), "the stop reaches instance 0");
        web0.report(o0.key(), "Stopped", "StoppedByRequest", List.of(), 9);

        JsonNode ended = status("fleet1");
        assertEquals("Stopped", ended.path("packetCaptureStatus").asText(), ended.toString());
        assertEquals("StoppedByRequest", ended.path("stopReason").asText());
        assertEquals(9, ended.path("packetsCaptured").asLong());
        assertEquals("StoppedByRequest", ended.path("instances").get(0).path("stopReason").asText());
        assertEquals("Disconnected", ended.path("instances").get(1).path("agent").asText());
        // when web2's agent is back, its order says not to run
        assertFalse(order(web2, 0, "/packetCaptures/fleet1/instances/2").orElseThrow().run(), "the stop reaches instance 2");

        var del = c.send("DELETE", nw + "/packetCaptures/fleet1" + V, null);
        assertTrue(del.status() == 204 || del.status() == 202, del.body());
        assertEquals(404, c.send("GET", nw + "/packetCaptures/fleet1" + V, null).status());
        assertTrue(order(web2, 0, "/packetCaptures/fleet1/instances/2").map(o -> !o.run()).orElse(true), "the delete reaches instance 2");
    }

    @Test
    void azureSdk_createsAScaleSetCapture_andReadsItsStatus() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        // the instances' agents take every order they get (the SDK's create waits for its operation)
        Thread agents = Thread.ofPlatform().daemon().start(() -> {
            java.util.Set<String> taken = new java.util.HashSet<>();
            while (running.get()) {
                try {
                    for (TestAgent a : List.of(web0, web2)) {
                        for (CaptureOrder o : a.orders(-1, 0).captures()) {
                            if (o.run() && taken.add(o.key())) a.report(o.key(), "Running", null, List.of(), 1);
                        }
                    }
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        });
        try {
            var captures = SdkClients.network(c).serviceClient().getPacketCaptures();
            var created = captures.create("NetworkWatcherRG", "NetworkWatcher_westeurope", "sdkfleet",
                    new com.azure.resourcemanager.network.fluent.models.PacketCaptureInner().withTarget(set)
                            .withTargetType(com.azure.resourcemanager.network.models.PacketCaptureTargetType.AZURE_VMSS)
                            .withScope(new com.azure.resourcemanager.network.models.PacketCaptureMachineScope().withInclude(List.of("0", "2")))
                            .withStorageLocation(new com.azure.resourcemanager.network.models.PacketCaptureStorageLocation()
                                    .withFilePath("/var/captures/sdkfleet.cap")));
            assertEquals("Succeeded", created.provisioningState().toString());
            assertEquals(com.azure.resourcemanager.network.models.PacketCaptureTargetType.AZURE_VMSS, created.targetType());
            assertEquals(List.of("0", "2"), created.scope().include());
            var status = captures.getStatus("NetworkWatcherRG", "NetworkWatcher_westeurope", "sdkfleet");
            assertEquals(com.azure.resourcemanager.network.models.PcStatus.RUNNING, status.packetCaptureStatus());
            assertEquals(2, status("sdkfleet").path("instances").size());
        } finally {
            running.set(false);
            agents.join(10_000);
        }
    }

    @Test
    void list_showsTheFleetCaptureOnce_andNotItsInstances() throws Exception {
        assertEquals(201, c.send("PUT", nw + "/packetCaptures/fleet2" + V, body(set, "")).status());
        for (TestAgent a : List.of(web0, web1, web2)) assertTrue(order(a, -1, "/packetCaptures/fleet2/instances/" + a.vmName.substring(3)).isPresent());

        JsonNode list = c.send("GET", nw + "/packetCaptures" + V, null).json().path("value");

        assertEquals(1, list.size(), list.toString());
        assertEquals("fleet2", list.get(0).path("name").asText());
        assertEquals(3, status("fleet2").path("instances").size());
    }

    @Test
    void create_badScopeOrTarget_isRefusedNamingTheField() throws Exception {
        var unknown = c.send("PUT", nw + "/packetCaptures/bad1" + V, body(set, "\"scope\":{\"include\":[\"0\",\"7\"]},"));
        assertEquals(400, unknown.status(), unknown.body());
        assertEquals("properties.scope.include[1]", unknown.json().path("error").path("target").asText());

        var none = c.send("PUT", nw + "/packetCaptures/bad2" + V, body(set, "\"scope\":{\"exclude\":[\"0\",\"1\",\"2\"]},"));
        assertEquals(400, none.status(), none.body());
        assertEquals("properties.scope", none.json().path("error").path("target").asText());

        var notAnId = c.send("PUT", nw + "/packetCaptures/bad3" + V, body(set, "\"scope\":{\"include\":[\"web0\"]},"));
        assertEquals(400, notAnId.status(), notAnId.body());
        assertEquals("properties.scope.include[0]", notAnId.json().path("error").path("target").asText());

        var vmTarget = c.send("PUT", nw + "/packetCaptures/bad4" + V, body(web0.vmId, ""));
        assertEquals(400, vmTarget.status(), vmTarget.body());
        assertEquals("properties.target", vmTarget.json().path("error").path("target").asText());

        var noSet = c.send("PUT", nw + "/packetCaptures/bad5" + V, body(set.replace("webss", "nosuch"), ""));
        assertEquals("properties.target", noSet.json().path("error").path("target").asText(), noSet.body());
        assertEquals(404, c.send("GET", nw + "/packetCaptures/bad1" + V, null).status());
    }

    @Test
    void instanceWhoseAgentIsLostMidCapture_isGivenUpAfterTheAgentWait_andTheFleetEndsWithoutIt() throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/lost1" + V, body(set, "\"scope\":{\"include\":[\"0\",\"webss_2\"]},"));
        assertEquals(201, put.status(), put.body());
        CaptureOrder o0 = order(web0, -1, "/packetCaptures/lost1/instances/0").orElseThrow();
        CaptureOrder o2 = order(web2, -1, "/packetCaptures/lost1/instances/2").orElseThrow();
        web0.report(o0.key(), "Running", null, List.of(), 3);
        web2.report(o2.key(), "Running", null, List.of(), 4);
        // web2's agent dies: it never reports again; within the agent wait it is reported, not yet given up
        clock.advance(Duration.ofMinutes(30));
        web0.orders(0, 0);
        JsonNode waiting = status("lost1");
        assertEquals("Running", waiting.path("packetCaptureStatus").asText(), waiting.toString());
        assertEquals("Disconnected", waiting.path("instances").get(1).path("agent").asText());
        assertFalse(waiting.path("instances").get(1).path("final").asBoolean(), waiting.toString());
        // past the agent wait (1 h here) it is given up: AgentLost, final; the fleet runs on on web0
        clock.advance(Duration.ofMinutes(31));
        web0.orders(0, 0);
        JsonNode s = status("lost1");
        JsonNode lost = s.path("instances").get(1);
        assertEquals("2", lost.path("instanceId").asText());
        assertEquals("Error", lost.path("packetCaptureStatus").asText(), s.toString());
        assertEquals("AgentLost", lost.path("stopReason").asText());
        assertTrue(lost.path("final").asBoolean());
        assertTrue(lost.path("message").asText().contains("not been connected since"), lost.toString());
        assertEquals("Running", s.path("packetCaptureStatus").asText());
        assertTrue(s.path("message").asText().contains("instance 2 (web2): AgentLost"), s.toString());

        web0.report(o0.key(), "Stopped", "TimeExceeded", List.of(), 7);
        JsonNode ended = status("lost1");
        assertEquals("Stopped", ended.path("packetCaptureStatus").asText(), ended.toString());
        assertEquals(7 + 4, ended.path("packetsCaptured").asLong());
        // the given-up instance's order is gone for its agent: on return it stops the capture and does not report on it
        assertTrue(order(web2, 0, "/packetCaptures/lost1/instances/2").map(o -> !o.run()).orElse(true));
    }

    @Test
    void scope_entriesAreInstanceIdsOrNames_excludeWins_andAnUnknownExcludeIsRefused() throws Exception {
        var both = c.send("PUT", nw + "/packetCaptures/sc1" + V,
                body(set, "\"scope\":{\"include\":[\"0\",\"WEBSS_1\",\"0\"],\"exclude\":[\"1\"]},"));
        assertEquals(201, both.status(), both.body());
        JsonNode s = status("sc1");
        assertEquals(List.of("0"), s.path("instances").findValuesAsText("instanceId"), s.toString());

        var typo = c.send("PUT", nw + "/packetCaptures/sc2" + V, body(set, "\"scope\":{\"exclude\":[\"2\",\"webss_9\"]},"));
        assertEquals(400, typo.status(), typo.body());
        assertEquals("InvalidParameter", typo.json().path("error").path("code").asText());
        assertEquals("properties.scope.exclude[1]", typo.json().path("error").path("target").asText());
        assertEquals(404, c.send("GET", nw + "/packetCaptures/sc2" + V, null).status());
    }

    @Test
    void instanceThatJoinsAfterTheStart_isNotCaptured() throws Exception {
        var put = c.send("PUT", nw + "/packetCaptures/join1" + V, body(set, ""));
        assertEquals(201, put.status(), put.body());
        TestAgent web3 = join(c, "web3", "198.18.5.13/24");
        JsonNode members = c.send("GET", set + "/virtualMachines?api-version=2024-07-01", null).json().path("value");
        assertEquals(4, members.size(), members.toString());
        assertTrue(web3.orders(-1, 0).captures().stream().noneMatch(o -> o.captureId().contains("/packetCaptures/join1/")),
                "web3 joined after the capture started");
        assertEquals(List.of("0", "1", "2"), status("join1").path("instances").findValuesAsText("instanceId"));
    }

    @Test
    void ringOnAScaleSet_givesEachInstanceItsOwnRing() throws Exception {
        String body = """
                {"properties":{"target":"%s","targetType":"AzureVMSS","scope":{"include":["0","1"]},"continuousCapture":true,
                 "captureSettings":{"fileCount":3,"fileSizeInBytes":65536,"sessionTimeLimitInSeconds":600},
                 "storageLocation":{"localPath":"/var/captures/ring.cap"}}}""".formatted(set);
        var put = c.send("PUT", nw + "/packetCaptures/ring1" + V, body);
        assertEquals(201, put.status(), put.body());
        for (TestAgent a : List.of(web0, web1)) {
            CaptureOrder o = a.orders(-1, 0).captures().stream().filter(x -> x.captureId().contains("/packetCaptures/ring1/instances/"))
                    .findFirst().orElseThrow();
            assertEquals(3, o.ring().fileCount());
            assertEquals(65536, o.ring().fileSizeBytes());
            assertTrue(o.ring().continuous());
            assertEquals("/var/captures/ring.cap", o.filePath());
        }
        assertEquals(true, c.send("GET", nw + "/packetCaptures/ring1" + V, null).json().path("properties").path("continuousCapture").asBoolean());
    }
}
