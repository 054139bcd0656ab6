package netwatcher.controller;

import static netwatcher.controller.testsupport.OneAgentWatcher.V;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import netwatcher.controller.testsupport.OneAgentWatcher;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.capture.BpfFilters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The filter limits at the ARM API ({@link BpfFilters#MAX_FILTERS}, {@link BpfFilters#MAX_EXPRESSION_CHARS}):
 * a capture over them is refused with 400 naming the limit and {@code properties.filters}, one at
 * them is accepted, and a capture the agent failed reads Error/CaptureFailed.
 */
@Tag("e2e")
class FilterLimitApiTest {
    @RegisterExtension
    static final OneAgentWatcher env = new OneAgentWatcher(Duration.ofMinutes(10), "vm1");
    static TestController c;
    static TestAgent agent;
    static String nw;

    @BeforeAll
    static void bind() {
        c = env.controller();
        agent = env.agent();
        nw = env.watcher();
    }

    static String body(String name, List<String> filters) {
        return """
                {"properties":{"target":"%s","timeLimitInSeconds":60,
                 "storageLocation":{"filePath":"/var/captures/%s.cap"},
                 "filters":[%s]}}""".formatted(agent.vmId, name, String.join(",", filters));
    }

    static List<String> remoteHosts(int n) {
        List<String> filters = new ArrayList<>();
        for (int i = 0; i < n; i++) filters.add("{\"protocol\":\"UDP\",\"remoteIPAddress\":\"198.18.1." + (i + 1) + "\"}");
        return filters;
    }

    static String portList(int n) {
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < n; i++) ports.append(1000 + i).append(';');
        return ports.toString();
    }

    void assertRefused(TestController.Reply r, String expectedInMessage) throws Exception {
        assertEquals(400, r.status(), r.body());
        assertEquals("PacketCaptureFilterLimitExceeded", r.errorCode());
        assertEquals("properties.filters", r.json().path("error").path("target").asText());
        String message = r.json().path("error").path("message").asText();
        assertTrue(message.startsWith("Property 'properties.filters' "), message);
        assertTrue(message.contains(expectedInMessage), message);
    }

    @Test
    void put_whenMoreFiltersThanTheLimit_is400NamingTheLimitAndCreatesNothing() throws Exception {
        var r = c.send("PUT", nw + "/packetCaptures/many" + V, body("many", remoteHosts(BpfFilters.MAX_FILTERS + 1)));
        assertRefused(r, "has " + (BpfFilters.MAX_FILTERS + 1) + " filters; at most " + BpfFilters.MAX_FILTERS + " are allowed");
        assertEquals(404, c.send("GET", nw + "/packetCaptures/many" + V, null).status());
    }

    @Test
    void put_whenFilterTextLongerThanTheLimit_is400NamingTheLimit() throws Exception {
        // one filter, but a port list that alone makes the expression too long
        var r = c.send("PUT", nw + "/packetCaptures/ports" + V,
                body("ports", List.of("{\"protocol\":\"Any\",\"localPort\":\"" + portList(400) + "\"}")));
        assertRefused(r, "at most " + BpfFilters.MAX_EXPRESSION_CHARS + " characters are allowed");
        // the body of the capture that used to crash agents: 800 filters (59 KB)
        List<String> crasher = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            crasher.add("{\"protocol\":\"TCP\",\"remoteIPAddress\":\"10." + (i / 250) + "." + (i % 250) + ".1\",\"remotePort\":\"443\"}");
        }
        assertRefused(c.send("PUT", nw + "/packetCaptures/crasher" + V, body("crasher", crasher)), "at most " + BpfFilters.MAX_FILTERS);
    }

    @Test
    void put_whenAtTheFilterCountLimit_isAcceptedAndOrdered_andAnAgentFailureReadsErrorCaptureFailed() throws Exception {
        long gen = agent.orders(-1, 0).generation();
        var put = c.send("PUT", nw + "/packetCaptures/most" + V, body("most", remoteHosts(BpfFilters.MAX_FILTERS)));
        assertEquals(201, put.status(), put.body());
        CaptureOrder order = agent.orders(gen, 5).captures().stream().filter(o -> o.captureId().endsWith("/most"))
                .findFirst().orElseThrow();
        assertEquals(BpfFilters.MAX_FILTERS, order.filters().size());

        agent.report(order.key(), "Error", "CaptureFailed", List.of("CaptureFailed"), 0);
        var status = c.send("POST", nw + "/packetCaptures/most/queryStatus" + V, null).json();
        assertEquals("Error", status.path("packetCaptureStatus").asText());
        assertEquals("CaptureFailed", status.path("stopReason").asText());
        assertEquals("CaptureFailed", status.path("packetCaptureError").get(0).asText());
        assertFalse(agent.orders(-1, 0).captures().stream().anyMatch(o -> o.key().equals(order.key()) && o.run()),
                "a failed capture is never ordered to run again");
    }
}
