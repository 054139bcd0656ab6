package netwatcher.controller;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

/**
 * Only the path testifies, assembled from agents' reports: an observer off the path (its failed
 * route lookup, a rule of its own) adds nothing; a registered forwarder that stays silent on the wire
 * is named at its TTL from the source's and its own next hops; an address is listed once.
 */
@Tag("e2e")
class ConnectivityPathTest {
    static final String V = "?api-version=2025-05-01";

    @Test
    void offPathObserver_addsNothing_andASilentForwarderIsNamedFromTheRoutes() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (TestController c = new TestController(Duration.ofMinutes(10), Map.of(), clock)) {
            TestAgent src = new TestAgent(c, "lab", "src", "westeurope", List.of("198.18.9.10/24"));
            TestAgent fw = new TestAgent(c, "lab", "fw", "westeurope", List.of("198.18.9.1/24", "198.18.10.1/24"));
            TestAgent dst = new TestAgent(c, "lab", "dst", "westeurope", List.of("198.18.10.20/24"));
            TestAgent off = new TestAgent(c, "lab", "off", "westeurope", List.of("198.18.240.10/24"));
            for (TestAgent a : List.of(src, fw, dst, off)) a.orders(-1, 0); // connected
            String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            var post = c.send("POST", nw + "/connectivityCheck" + V, """
                    {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":1433}}""".formatted(src.vmId, dst.vmId));
            assertEquals(202, post.status(), post.body());

            for (TestAgent o : List.of(fw, dst, off)) {
                CheckOrder armed = order(o, CheckRole.OBSERVER, true);
                o.reportCheck(new CheckReport(armed.key(), CheckRole.OBSERVER, ReportState.ARMED, armed.flow(), null, List.of(), List.of(),
                        null, null, null, null));
            }
            CheckOrder source = order(src, CheckRole.SOURCE, true);
            Flow flow = new Flow("Tcp", "198.18.9.10", 40000, "198.18.10.20", null, 1433, null, null);
            // fw sends no time-exceeded (TTL 1 silent); the source's route says its next hop is fw
            src.reportCheck(new CheckReport(source.key(), CheckRole.SOURCE, ReportState.DONE, flow,
                    new CheckReport.ProbeSummary(10, 0, 1, 1, 1, Map.of("connected", 10), null, null),
                    List.of(new CheckReport.TraceHop(1, null, List.of(), "none", null),
                            new CheckReport.TraceHop(2, "198.18.10.20", List.of(0.4), "destination", null)),
                    List.of(), null, new CheckReport.NextHop("VirtualAppliance", "198.18.9.1", true, "198.18.10.0/24 via 198.18.9.1"), null, null));

            CheckOrder explainFw = order(fw, CheckRole.OBSERVER, false);
            fw.reportCheck(new CheckReport(explainFw.key(), CheckRole.OBSERVER, ReportState.DONE, flow, null, List.of(), List.of(), null,
                    new CheckReport.NextHop("VnetLocal", null, false, "198.18.10.0/24 dev eth1"), null, null));
            CheckOrder explainDst = order(dst, CheckRole.OBSERVER, false);
            dst.reportCheck(new CheckReport(explainDst.key(), CheckRole.OBSERVER, ReportState.DONE, flow, null, List.of(), List.of(), null,
                    null, null, null));
            CheckOrder explainOff = order(off, CheckRole.OBSERVER, false);
            // what an old agent off the path said: a lookup for a packet it never sees, and a rule of its own
            off.reportCheck(new CheckReport(explainOff.key(), CheckRole.OBSERVER, ReportState.DONE, flow, null, List.of(),
                    List.of(new CheckReport.Finding("UserDefinedRoute", "Outbound", "Error",
                                    Map.of("RouteType", "LookupFailed", "Route", "default via 10.0.0.1"), "route-lookup"),
                            new CheckReport.Finding("GuestFirewall", "Inbound", "Error", Map.of("RuleName", "OffPathRule"), "counters")),
                    null, null, null, null));

            JsonNode result = null;
            for (int i = 0; i < 50 && result == null; i++) {
                var r = c.send("GET", post.header("Location"), null);
                if (r.status() == 200) result = r.json();
                else Thread.sleep(100);
            }
            assertNotNull(result, "check result");
            JsonNode hops = result.path("hops");
            assertEquals(3, hops.size(), hops.toString());
            assertTrue(hops.get(0).path("resourceId").asText().contains("/networkInterfaces/src-eth0/"), hops.toString());
            assertEquals("VirtualAppliance", hops.get(1).path("type").asText(), hops.toString());
            assertEquals("198.18.9.1", hops.get(1).path("address").asText());
            assertTrue(hops.get(1).path("resourceId").asText().contains("/networkInterfaces/fw-eth0/"), hops.toString());
            assertEquals("VnetLocal", hops.get(2).path("type").asText());
            for (JsonNode h : hops) assertTrue(h.path("issues").isEmpty(), "no issue on a reachable path: " + result);
            assertFalse(result.toString().contains("OffPathRule") || result.toString().contains("LookupFailed")
                    || result.toString().contains("off-eth0"), result.toString());
        }
    }

    /** Polls {@code agent}'s orders until one with {@code role} and {@code active} appears. */
    static CheckOrder order(TestAgent agent, CheckRole role, boolean active) throws Exception {
        for (int i = 0; i < 50; i++) {
            var found = agent.orders(-1, 1).checks().stream().filter(o -> o.role() == role && o.active() == active).findFirst();
            if (found.isPresent()) return found.get();
        }
        throw new AssertionError("no " + role + " order (active " + active + ") for " + agent.vmId);
    }
}
