package netwatcher.controller;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A link-local address a VM registered never makes that VM the owner of a hop of another VM's path. */
@Tag("e2e")
class ConnectivityHopOwnerTest {
    static final String V = "?api-version=2025-05-01";

    @Test
    void linkLocalAddress_ownsNoHop() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestController c = new TestController(Duration.ofMinutes(10), Map.of(), clock)) {
            TestAgent src = new TestAgent(c, "lab", "src", "westeurope", List.of("198.18.9.10/24"));
            TestAgent dst = new TestAgent(c, "lab", "dst", "westeurope", List.of("198.18.9.20/24"));
            TestAgent linky = new TestAgent(c, "lab", "linky", "westeurope", List.of("198.18.8.1/24", "169.254.7.7/16"));
            clock.advance(Duration.ofMinutes(2)); // dst and linky are away: no observers to choreograph
            src.orders(-1, 0);
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            var post = c.send("POST", nw + "/connectivityCheck" + V, """
                    {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":80}}""".formatted(src.vmId, dst.vmId));
            assertEquals(202, post.status(), post.body());
            CheckOrder order = null;
            for (int i = 0; i < 50 && order == null; i++) {
                order = src.orders(-1, 1).checks().stream().filter(x -> x.role().equals(CheckRole.SOURCE)).findFirst().orElse(null);
            }
            assertTrue(order != null, "source order");
            Flow flow = new Flow("Tcp", "198.18.9.10", 40000, "198.18.9.20", null, 80, null, null);
            src.reportCheck(new CheckReport(order.key(), CheckRole.SOURCE, ReportState.DONE, flow,
                    new CheckReport.ProbeSummary(10, 0, 1, 1, 1, Map.of("connected", 10), null, null),
                    List.of(new CheckReport.TraceHop(1, "169.254.7.7", List.of(0.2), "timeExceeded", null),
                            new CheckReport.TraceHop(2, "198.18.8.1", List.of(0.3), "timeExceeded", null),
                            new CheckReport.TraceHop(3, "198.18.9.20", List.of(0.4), "destination", null)),
                    List.of(), null, null, null, null));
            JsonNode result = null;
            for (int i = 0; i < 50; i++) {
                var r = c.send("GET", post.header("Location"), null);
                if (r.status() == 200) {
                    result = r.json();
                    break;
                }
                Thread.sleep(100);
            }
            assertTrue(result != null, "check result");
            JsonNode hops = result.path("hops");
            JsonNode linkLocalHop = null;
            JsonNode routableHop = null;
            for (JsonNode h : hops) {
                if ("169.254.7.7".equals(h.path("address").asText())) linkLocalHop = h;
                if ("198.18.8.1".equals(h.path("address").asText())) routableHop = h;
            }
            assertTrue(linkLocalHop != null && routableHop != null, hops.toString());
            assertFalse(linkLocalHop.path("resourceId").asText().contains("linky"), "a link-local address owns no hop: " + linkLocalHop);
            assertFalse("VirtualAppliance".equals(linkLocalHop.path("type").asText()), linkLocalHop.toString());
            assertTrue(routableHop.path("resourceId").asText().contains("/networkInterfaces/linky-eth0/"), "the routable one does: " + routableHop);
            assertTrue(hops.get(0).path("resourceId").asText().contains("/networkInterfaces/src-eth0/"), hops.get(0).toString());

            // a source agent that claims another VM's address as its flow source still makes a hop of its own VM
            var second = c.send("POST", nw + "/connectivityCheck" + V, """
                    {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":81}}""".formatted(src.vmId, dst.vmId));
            assertEquals(202, second.status(), second.body());
            CheckOrder order2 = null;
            for (int i = 0; i < 50 && order2 == null; i++) {
                order2 = src.orders(-1, 1).checks().stream().filter(x -> x.role().equals(CheckRole.SOURCE) && x.flow().destinationPort() == 81)
                        .findFirst().orElse(null);
            }
            assertTrue(order2 != null, "second source order");
            src.reportCheck(new CheckReport(order2.key(), CheckRole.SOURCE, ReportState.DONE,
                    new Flow("Tcp", "198.18.8.1", 40001, "198.18.9.20", null, 81, null, null),
                    new CheckReport.ProbeSummary(10, 0, 1, 1, 1, Map.of("connected", 10), null, null), List.of(), List.of(), null, null, null, null));
            JsonNode result2 = null;
            for (int i = 0; i < 50 && result2 == null; i++) {
                var r = c.send("GET", second.header("Location"), null);
                if (r.status() == 200) result2 = r.json();
                else Thread.sleep(100);
            }
            assertTrue(result2 != null, "second check result");
            String sourceHop = result2.path("hops").get(0).path("resourceId").asText();
            assertFalse(sourceHop.contains("linky"), "another VM's NIC is never the source hop: " + sourceHop);
            assertTrue(sourceHop.contains("/networkInterfaces/src-eth0/"), sourceHop);
        }
    }
}
