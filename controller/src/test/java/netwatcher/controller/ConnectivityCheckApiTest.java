package netwatcher.controller;

import netwatcher.model.check.ReportState;
import netwatcher.model.check.CheckRole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connectivity-check choreography over the real protocol: observers arm, the source probes
 * and traces, observers explain, and the controller assembles hops and issues.
 */
@Tag("e2e")
class ConnectivityCheckApiTest {
    static TestController c;
    static TestAgent app;
    static TestAgent fw1;
    static TestAgent fw2;
    static TestAgent db;
    static String nw;
    static final String V = "?api-version=2025-05-01";

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        app = new TestAgent(c, "lab", "app", "westeurope", List.of("198.18.1.10/24"));
        fw1 = new TestAgent(c, "lab", "fw1", "westeurope", List.of("198.18.1.1/24", "198.18.2.1/24"));
        fw2 = new TestAgent(c, "lab", "fw2", "westeurope", List.of("198.18.2.2/24", "198.18.3.1/24"));
        db = new TestAgent(c, "lab", "db", "westeurope", List.of("198.18.3.10/24"));
        nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    private static CheckOrder order(TestAgent a, CheckRole role) throws Exception {
        for (int i = 0; i < 90; i++) {
            var o = a.orders(-1, 1).checks().stream().filter(x -> x.role() == role).findFirst();
            if (o.isPresent()) return o.get();
        }
        throw new AssertionError("no " + role + " order for " + a.vmName);
    }

    @Test
    void connectivity_vmToVm_droppedOnFw2_putsRuleOnFw2Hop() throws Exception {
        // keep the observers connected (presence) before the check starts
        for (TestAgent a : List.of(fw1, fw2, db)) a.orders(-1, 0);
        var post = c.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":80}}""".formatted(app.vmId, db.vmId));
        assertEquals(202, post.status(), post.body());
        String location = post.header("Location");
        assertTrue(post.header("Azure-AsyncOperation") != null);

        CheckOrder obs = order(fw2, CheckRole.OBSERVER);
        assertTrue(obs.active());
        assertEquals("198.18.3.10", obs.flow().destinationAddress());
        for (TestAgent a : List.of(fw1, fw2, db)) {
            CheckOrder o = order(a, CheckRole.OBSERVER);
            a.reportCheck(new CheckReport(o.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
        }
        CheckOrder src = order(app, CheckRole.SOURCE);
        assertEquals(80, src.flow().destinationPort());
        assertEquals(100, src.probe().probes());
        assertEquals(202, c.send("GET", location, null).status());

        Flow resolved = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", null, 80, null, null);
        app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE, resolved,
                new CheckReport.ProbeSummary(100, 100, null, null, null, Map.of("timeout", 100), null, null),
                List.of(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.2), "timeExceeded", null),
                        new CheckReport.TraceHop(2, "198.18.2.2", List.of(0.3), "timeExceeded", null),
                        new CheckReport.TraceHop(3, null, List.of(), "none", null)),
                List.of(), null, null, null, null));

        CheckOrder finish = order(fw2, CheckRole.OBSERVER);
        assertFalse(finish.active());
        assertEquals(40000, finish.flow().sourcePort());
        fw2.reportCheck(new CheckReport(finish.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null,
                List.of(new CheckReport.Finding("NetworkSecurityRule", "Outbound", "Error",
                        Map.of("RuleName", "UserRule_Port80", "Table", "inet nw_filter", "Chain", "forward"), "counters")),
                null, null, null, null));
        for (TestAgent a : List.of(fw1, db)) {
            CheckOrder f = order(a, CheckRole.OBSERVER);
            a.reportCheck(new CheckReport(f.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
        }
        var result = c.send("GET", location, null);
        assertEquals(200, result.status(), result.body());
        JsonNode r = result.json();
        assertEquals("Unreachable", r.path("connectionStatus").asText());
        assertEquals(100, r.path("probesSent").asInt());
        assertTrue(r.path("avgLatencyInMs").isMissingNode());
        JsonNode hops = r.path("hops");
        assertEquals(List.of("Source", "VirtualAppliance", "VirtualAppliance", "VnetLocal"),
                List.of(hops.get(0).path("type").asText(), hops.get(1).path("type").asText(), hops.get(2).path("type").asText(),
                        hops.get(3).path("type").asText()));
        assertTrue(hops.get(2).path("resourceId").asText().contains("/networkInterfaces/fw2-eth0/ipConfigurations/ipconfig1"));
        JsonNode issue = hops.get(2).path("issues").get(0);
        assertEquals("NetworkSecurityRule", issue.path("type").asText());
        assertEquals("RuleName", issue.path("context").get(0).path("key").asText());
        assertEquals("UserRule_Port80", issue.path("context").get(0).path("value").asText());
        assertEquals(hops.get(1).path("id").asText(), hops.get(0).path("nextHopIds").get(0).asText());
    }

    @Test
    void connectivity_rejectRuleNamedByFw1_isTheCauseNotAPlatformIssueForItsIcmp() throws Exception {
        for (TestAgent a : List.of(fw1, fw2, db)) a.orders(-1, 0);
        var post = c.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":1434}}""".formatted(app.vmId, db.vmId));
        assertEquals(202, post.status(), post.body());
        for (TestAgent a : List.of(fw1, fw2, db)) {
            CheckOrder o = order(a, CheckRole.OBSERVER);
            a.reportCheck(new CheckReport(o.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
        }
        CheckOrder src = order(app, CheckRole.SOURCE);
        app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE,
                new Flow("Tcp", "198.18.1.10", 40002, "198.18.3.10", null, 1434, null, null),
                new CheckReport.ProbeSummary(100, 100, null, null, null, Map.of("rejected", 100), null, null),
                List.of(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.2), "timeExceeded", null),
                        new CheckReport.TraceHop(2, "198.18.1.1", List.of(0.3), "unreachable", "admin-prohibited")),
                List.of(), null, null, null, null));
        CheckOrder finish = order(fw1, CheckRole.OBSERVER);
        fw1.reportCheck(new CheckReport(finish.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null,
                List.of(new CheckReport.Finding("NetworkSecurityRule", "Outbound", "Error",
                        Map.of("RuleName", "inet/nwt_rej/guard/2", "Verdict", "reject", "Hook", "forward"), "trace")),
                null, null, null, null));
        for (TestAgent a : List.of(fw2, db)) {
            CheckOrder f = order(a, CheckRole.OBSERVER);
            a.reportCheck(new CheckReport(f.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
        }
        var result = c.send("GET", post.header("Location"), null);
        assertEquals(200, result.status(), result.body());
        String body = result.body();
        assertFalse(body.contains("\"Platform\""), body);
        assertTrue(body.contains("inet/nwt_rej/guard/2"), body);
        JsonNode fw1Hop = result.json().path("hops").get(1);
        assertEquals("NetworkSecurityRule", fw1Hop.path("issues").get(0).path("type").asText(), body);
    }

    @Test
    void operationStatus_whileSourceSendsInterimReports_showsProbesAndHopsSoFar() throws Exception {
        for (TestAgent a : List.of(fw1, fw2, db)) a.orders(-1, 0);
        var post = c.send("POST", nw + "/connectivityCheck" + V, """
                {"source":{"resourceId":"%s"},"destination":{"resourceId":"%s","port":5432}}""".formatted(app.vmId, db.vmId));
        assertEquals(202, post.status(), post.body());
        String async = post.header("Azure-AsyncOperation");
        String location = post.header("Location");

        JsonNode early = c.send("GET", async, null).json();
        assertEquals("InProgress", early.path("status").asText());
        assertTrue(List.of("observing", "probing").contains(early.path("properties").path("phase").asText()), early.toString());
        assertTrue(early.path("percentComplete").isNumber(), early.toString());

        for (TestAgent a : List.of(fw1, fw2, db)) {
            CheckOrder o = order(a, CheckRole.OBSERVER);
            a.reportCheck(new CheckReport(o.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
        }
        CheckOrder src = order(app, CheckRole.SOURCE);
        Flow resolved = new Flow("Tcp", "198.18.1.10", 40002, "198.18.3.10", null, 5432, null, null);
        app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.PROBING, resolved,
                new CheckReport.ProbeSummary(40, 2, 1, 1, 3, Map.of("connected", 38, "timeout", 2), null, null),
                java.util.Arrays.asList(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.2), "timeExceeded", null),
                        new CheckReport.TraceHop(2, null, List.of(), "none", null)),
                List.of(), null, null, null, null));

        JsonNode mid = c.send("GET", async, null).json();
        assertEquals("InProgress", mid.path("status").asText(), mid.toString());
        JsonNode p = mid.path("properties");
        assertEquals("probing", p.path("phase").asText(), mid.toString());
        assertEquals(40, p.path("probesSent").asInt());
        assertEquals(2, p.path("probesFailed").asInt());
        assertEquals(2, p.path("hops").size(), mid.toString());
        assertEquals(1, p.path("hops").get(0).path("ttl").asInt());
        assertEquals("198.18.1.1", p.path("hops").get(0).path("address").asText());
        assertTrue(p.path("hops").get(1).path("address").isNull() || p.path("hops").get(1).path("address").isMissingNode(), mid.toString());
        assertEquals(39.0, mid.path("percentComplete").asDouble(), 0.01, mid.toString());
        assertEquals(202, c.send("GET", location, null).status(), "an interim report does not finish the part");
        assertTrue(app.orders(-1, 0).checks().stream().anyMatch(o -> o.key().equals(src.key())), "the source order stays listed");

        app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE, resolved,
                new CheckReport.ProbeSummary(100, 2, 1, 1, 3, Map.of("connected", 98, "timeout", 2), null, null),
                List.of(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.2), "timeExceeded", null),
                        new CheckReport.TraceHop(2, "198.18.2.2", List.of(0.3), "timeExceeded", null),
                        new CheckReport.TraceHop(3, "198.18.3.10", List.of(0.4), "destination", null)),
                List.of(), null, null, null, null));
        // a late interim report must not regress the finished part
        app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.PROBING, resolved,
                new CheckReport.ProbeSummary(50, 0, 1, 1, 1, Map.of("connected", 50), null, null), List.of(), List.of(), null, null, null, null));
        JsonNode finishing = c.send("GET", async, null).json();
        assertEquals("finishing", finishing.path("properties").path("phase").asText(), finishing.toString());
        assertEquals(100, finishing.path("properties").path("probesSent").asInt(), finishing.toString());
        assertEquals(3, finishing.path("properties").path("hops").size());

        for (TestAgent a : List.of(fw1, fw2, db)) {
            CheckOrder f = order(a, CheckRole.OBSERVER);
            a.reportCheck(new CheckReport(f.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
        }
        var result = c.send("GET", location, null);
        assertEquals(200, result.status(), result.body());
        assertEquals("Degraded", result.json().path("connectionStatus").asText(), result.body());
        JsonNode end = c.send("GET", async, null).json();
        assertEquals("Succeeded", end.path("status").asText());
        assertTrue(end.path("properties").isMissingNode() && end.path("percentComplete").isMissingNode(), end.toString());
    }

    @Test
    void sdkCheckConnectivity_completesWithReachable() throws Exception {
        var network = SdkClients.network(c);
        var watcher = network.networkWatchers().getByResourceGroup("NetworkWatcherRG", "NetworkWatcher_westeurope");
        Thread player = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (TestAgent a : List.of(fw1, fw2, db)) {
                    CheckOrder o = order(a, CheckRole.OBSERVER);
                    a.reportCheck(new CheckReport(o.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
                }
                CheckOrder src = order(app, CheckRole.SOURCE);
                app.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE,
                        new Flow("Tcp", "198.18.1.10", 40001, "198.18.3.10", null, 1433, null, null),
                        new CheckReport.ProbeSummary(100, 0, 1, 2, 5, Map.of("connected", 100), null, null),
                        List.of(new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.2), "timeExceeded", null),
                                new CheckReport.TraceHop(2, "198.18.2.2", List.of(0.3), "timeExceeded", null),
                                new CheckReport.TraceHop(3, "198.18.3.10", List.of(0.4), "destination", null)),
                        List.of(), null, null, null, null));
                for (TestAgent a : List.of(fw1, fw2, db)) {
                    CheckOrder f = order(a, CheckRole.OBSERVER);
                    a.reportCheck(new CheckReport(f.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        for (TestAgent a : List.of(fw1, fw2, db)) a.orders(-1, 0);
        var info = watcher.checkConnectivity().toDestinationResourceId(db.vmId).toDestinationPort(1433)
                .fromSourceVirtualMachine(app.vmId).execute();
        player.join(30_000);
        assertEquals("Reachable", info.connectionStatus().toString());
        assertEquals(2, info.avgLatencyInMs());
        assertEquals(4, info.hops().size());
        assertEquals("VnetLocal", info.hops().get(3).type());
    }

    @Test
    void ipFlowVerify_returnsAgentsVerdict() throws Exception {
        var post = c.send("POST", nw + "/ipFlowVerify" + V, """
                {"targetResourceId":"%s","direction":"Inbound","protocol":"TCP","localPort":"80","remotePort":"*",
                 "localIPAddress":"198.18.3.10","remoteIPAddress":"198.18.1.10"}""".formatted(db.vmId));
        assertEquals(202, post.status(), post.body());
        CheckOrder o = order(db, CheckRole.VERIFY);
        assertEquals("Inbound", o.flow().direction());
        assertEquals("198.18.3.10", o.flow().destinationAddress());
        db.reportCheck(new CheckReport(o.key(), CheckRole.VERIFY, ReportState.DONE, null, null, null, null,
                new CheckReport.Verdict("Deny", "UserRule_Db", Map.of("Hook", "prerouting,input", "Chain", "in",
                        "RuleText", "tcp dport 80 drop comment \"UserRule_Db\"")), null, null, null));
        var r = c.send("GET", post.header("Location"), null);
        assertEquals(200, r.status(), r.body());
        assertEquals("Deny", r.json().path("access").asText());
        assertEquals("UserRule_Db", r.json().path("ruleName").asText());
        // how the host decided, as the agent reported it (the console shows it beside the verdict)
        assertEquals("tcp dport 80 drop comment \"UserRule_Db\"", r.json().path("evaluation").path("RuleText").asText(), r.body());
        assertEquals("prerouting,input", r.json().path("evaluation").path("Hook").asText(), r.body());
    }

    @Test
    void badRequests_areRefusedWithTheField() throws Exception {
        var r = c.send("POST", nw + "/connectivityCheck" + V, "{\"source\":{\"resourceId\":\"" + app.vmId + "\"},\"destination\":{}}");
        assertEquals(400, r.status());
        assertEquals("destination", r.json().path("error").path("target").asText());
        r = c.send("POST", nw + "/connectivityCheck" + V, "{\"source\":{\"resourceId\":\"" + app.vmId
                + "\"},\"destination\":{\"address\":\"198.18.3.10\",\"port\":70000}}");
        assertEquals(400, r.status());
        assertEquals("destination.port", r.json().path("error").path("target").asText());
        r = c.send("POST", nw + "/connectivityCheck" + V, "{\"source\":{\"resourceId\":\"" + app.vmId
                + "\"},\"destination\":{\"address\":\"198.18.3.10\"},\"protocol\":\"Sctp\"}");
        assertEquals("protocol", r.json().path("error").path("target").asText());
    }
}
