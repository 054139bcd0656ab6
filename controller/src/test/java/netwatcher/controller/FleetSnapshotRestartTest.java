package netwatcher.controller;

import static netwatcher.controller.testsupport.ScaleSetAgents.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import netwatcher.arm.Json;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Reports;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.UploadState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A fleet snapshot survives {@code kill -9} of its controller: requested on a controller in a child JVM, which is killed
 * before any cut is reported; on the restarted controller (same data directory) the instance whose agent comes back still
 * gets its cut order, stores it, and the same operation ends Succeeded with that cut merged, while the instance whose agent
 * does not come back is reported AgentUnavailable after the agent wait instead of being waited for: never Running forever.
 */
@Tag("external")
class FleetSnapshotRestartTest {
    static final String V = "?api-version=2024-05-01";

    static String running(TestController c, TestAgent agent, Instant now) throws Exception {
        CaptureOrder o = agent.orders(-1, 0).captures().stream().filter(x -> x.captureId().contains("/packetCaptures/fr/instances/"))
                .findFirst().orElseThrow();
        var report = new CaptureReport(o.key(), CaptureStatus.Running, null, List.of(), null, now.minusSeconds(60), null, 10, 1000, 0, 0, 10,
                now.minusSeconds(60), now, "/var/captures/x.cap", UploadState.NONE, 0, null, null);
        var sent = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(report))), agent.bearer());
        assertEquals(204, sent.status(), sent.body());
        return o.key();
    }

    @Test
    void killMinus9_midSnapshot_restartedControllerResumesTheCutsAndEndsIt() throws Exception {
        Path dir = Files.createTempDirectory("nwtest");
        Files.writeString(dir.resolve("controller.properties"), "agent-wait-seconds=5\n");
        RestartDurabilityTest.Child first = RestartDurabilityTest.start(dir);
        RestartDurabilityTest.Child second = null;
        try {
            TestController c = new TestController(dir, first.baseUrl(), first.sub());
            TestAgent web0 = join(c, "web0", "198.18.8.10/24");
            TestAgent web1 = join(c, "web1", "198.18.8.11/24");
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            String set = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Compute/virtualMachineScaleSets/webss";
            String account = "/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                    + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT;
            var put = c.send("PUT", nw + "/packetCaptures/fr" + V, """
                    {"properties":{"target":"%s","targetType":"AzureVMSS","timeLimitInSeconds":600,
                     "storageLocation":{"storageId":"%s"}}}""".formatted(set, account));
            assertEquals(201, put.status(), put.body());
            Instant now = Instant.now();
            String k0 = running(c, web0, now);
            running(c, web1, now);
            var r = c.send("POST", nw + "/packetCaptures/fr/snapshot" + V, "{\"lastSeconds\":20}");
            assertEquals(202, r.status(), r.body());

            RestartDurabilityTest.kill(first);
            second = RestartDurabilityTest.start(dir);
            TestController c2 = new TestController(dir, second.baseUrl(), second.sub());
            String location = r.header("Location").replace(first.baseUrl(), second.baseUrl());
            // web0's agent comes back: its cut is still ordered, now uploading to the new controller
            TestAgent back = TestAgent.attach(c2, web0.vmName, web0.vmId, web0.bearer());
            SnapshotOrder o = back.orders(-1, 0).snapshots().stream().filter(x -> x.captureKey().equals(k0)).findFirst().orElseThrow();
            Instant t = o.to().minusSeconds(5);
            byte[] file = FleetSnapshotApiTest.pcap("AAAA", List.of(t, t.plusMillis(1)));
            var upload = c2.http.send(HttpRequest.newBuilder(URI.create(o.upload().url())).header("Authorization", back.bearer())
                    .header("Content-Range", "bytes 0-" + (file.length - 1) + "/" + file.length)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(file)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, upload.statusCode(), upload.body());
            var sent = c2.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(), List.of(), List.of(new SnapshotReport(o.id(),
                    k0, SnapshotReport.State.Succeeded, 2, file.length, t, t.plusMillis(1), o.upload().storagePath(), null, null)))), back.bearer());
            assertEquals(204, sent.status(), sent.body());

            // web1's agent does not come back: after the agent wait (5 s) its cut is reported, and the snapshot ends
            JsonNode done = null;
            for (int i = 0; i < 300 && done == null; i++) {
                back.orders(0, 0); // web0 stays connected
                var poll = c2.send("GET", location, null);
                if (poll.status() == 200) done = poll.json();
                else assertEquals(202, poll.status(), poll.body());
                if (done == null) Thread.sleep(100);
            }
            assertTrue(done != null, "the fleet snapshot ended after the restart");
            assertEquals("Succeeded", done.path("state").asText(), done.toString());
            assertEquals(2, done.path("packets").asLong(), done.toString());
            assertEquals("Succeeded", done.path("instances").get(0).path("state").asText(), done.toString());
            assertEquals("AgentUnavailable", done.path("instances").get(1).path("error").path("code").asText(), done.toString());
            // the local account's URLs name the controller's address, which the child's restart changed (another port)
            String url = done.path("storagePath").asText().replace(first.baseUrl(), second.baseUrl());
            var merged = c2.http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + c2.token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, merged.statusCode());
            assertEquals(done.path("bytes").asLong(), merged.body().length);
            assertEquals(List.of("web0/eth0"), FleetSnapshotApiTest.read(merged.body()).interfaces());
        } finally {
            if (first.process().isAlive()) first.process().destroyForcibly().waitFor();
            if (second != null) second.process().destroyForcibly().waitFor();
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
