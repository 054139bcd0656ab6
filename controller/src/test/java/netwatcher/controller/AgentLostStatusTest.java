package netwatcher.controller;

import netwatcher.model.capture.UploadState;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.CaptureStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.Reports;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Honest status over the real controller with a {@link MutableClock}: a capture whose agent stops
 * long-polling shows {@code Unknown} within 30 s, and an {@code AgentLost} end never precedes the start.
 */
@Tag("e2e")
class AgentLostStatusTest {
    static final String V = "?api-version=2025-05-01";
    MutableClock clock;
    TestController c;
    TestAgent agent;
    String nw;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(Instant.now());
        c = new TestController(Duration.ofHours(1), Map.of(), clock);
        agent = new TestAgent(c, "lab", "vm1", "westeurope");
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
    }

    private CaptureOrder runningCapture(String name) throws Exception {
        long gen = agent.orders(-1, 0).generation();
        var put = c.send("PUT", nw + "/packetCaptures/" + name + V, """
                {"properties":{"target":"%s","timeLimitInSeconds":3600,"storageLocation":{"filePath":"/var/captures/%s.cap"}}}"""
                .formatted(agent.vmId, name));
        assertEquals(201, put.status(), put.body());
        CaptureOrder order = agent.orders(gen, 0).captures().stream().filter(o -> o.captureId().endsWith("/" + name))
                .findFirst().orElseThrow();
        agent.report(order.key(), "Running", null, List.of(), 1);
        return order;
    }

    private JsonNode status(String name) throws Exception {
        var q = c.send("POST", nw + "/packetCaptures/" + name + "/queryStatus" + V, null);
        var r = q; // queryStatus answers 200 with the status at once
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void agentThatStopsPolling_showsUnknownWithin30Seconds() throws Exception {
        runningCapture("pc1");
        assertEquals("Running", status("pc1").path("packetCaptureStatus").asText());
        // the agent keeps long-polling: still Running a minute later
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofSeconds(10));
            agent.orders(0, 0);
            assertEquals("Running", status("pc1").path("packetCaptureStatus").asText());
        }
        // then it dies
        clock.advance(Duration.ofSeconds(30));
        assertEquals("Unknown", status("pc1").path("packetCaptureStatus").asText());
        // and comes back
        agent.orders(0, 0);
        assertEquals("Running", status("pc1").path("packetCaptureStatus").asText());
    }

    @Test
    void agentLostReport_withEndBeforeStart_isClampedToTheStart() throws Exception {
        CaptureOrder order = runningCapture("pc2");
        Instant start = Instant.parse("2030-01-01T00:00:10Z");
        var rep = new CaptureReport(order.key(), CaptureStatus.Error, StopReason.AgentLost, List.of(CaptureError.AgentStopped), "the agent died", start,
                start.minusSeconds(7), 0, 0, 0, 0, 0, null, null, "/var/captures/pc2.cap", UploadState.NONE, 0, null, null);
        var r = c.send("POST", "/agent/v1/reports", Json.writeString(new Reports(List.of(rep))), agent.bearer());
        assertEquals(204, r.status(), r.body());
        JsonNode s = status("pc2");
        assertEquals("Error", s.path("packetCaptureStatus").asText());
        Instant shownStart = Instant.parse(s.path("captureStartTime").asText());
        Instant shownEnd = Instant.parse(s.path("captureEndTime").asText());
        assertFalse(shownEnd.isBefore(shownStart), s.toString());
        assertEquals(start, shownStart);
        assertTrue(shownEnd.equals(start), s.toString());
    }
}
