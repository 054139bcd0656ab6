package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connectivity checks on the default lab with real agents and real traffic: the seed documents'
 * scenarios (fw2's UserRule_Port80, a blackhole route on the source, the web server by URL, a TCP
 * port on a VM) and reject rules, closed ports, name resolution, ICMP, HTTP status validation, a
 * destination firewall, and a source whose agent is offline. Also IP flow verify and next hop. Rules
 * are named whether or not they count: a drop without counter in db's own table, a reject without
 * counter on fw1's forward hook, iptables-legacy and iptables-nft rules.
 */
@Tag("netns")
class LabConnectivityTest {
    static final String DB = "198.18.3.10";
    static final String WEB = "198.18.201.10";
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close();
    }

    /** POSTs a check and polls its Location until the answer (the way the SDKs do). */
    static JsonNode check(String action, String body) throws Exception {
        var r = world.send("POST", world.watcher() + "/" + action + LabWorld.V, body);
        assertEquals(202, r.status(), r.body());
        String location = r.header("Location");
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (System.nanoTime() < deadline) {
            var p = world.send("GET", location, null);
            if (p.status() == 200) return p.json();
            if (p.status() != 202) fail(action + " failed: " + p.status() + " " + p.body());
            Thread.sleep(300);
        }
        throw new AssertionError(action + " did not finish");
    }

    /** Runs a script in a lab host and fails the test when it fails. */
    static void sh(String host, String script) {
        var r = world.lab.exec(host, Duration.ofSeconds(60), List.of("bash", "-c", script));
        if (r.exitCode() != 0) fail("in " + host + ": " + script + " exited " + r.exitCode() + ": " + r.stderr());
    }

    static JsonNode connectivity(String dest, String extra) throws Exception {
        return check("connectivityCheck", "{\"source\":{\"resourceId\":\"" + world.vmId("app") + "\"},\"destination\":" + dest
                + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    static List<JsonNode> issues(JsonNode result) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode h : result.path("hops")) for (JsonNode i : h.path("issues")) out.add(i);
        return out;
    }

    static String ctx(JsonNode issue, String key) {
        for (JsonNode kv : issue.path("context")) if (kv.path("key").asText().equals(key)) return kv.path("value").asText();
        return null;
    }

    static JsonNode hopOf(JsonNode result, String type, int nth) {
        int seen = 0;
        for (JsonNode h : result.path("hops")) if (h.path("type").asText().equals(type) && seen++ == nth) return h;
        throw new AssertionError("no " + type + " hop #" + nth + " in " + result);
    }

    @Test
    void vmToVm_port80_isDroppedByUserRuleOnFw2() throws Exception {
        JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":80}", "");
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        assertEquals(100, r.path("probesFailed").asInt());
        assertTrue(r.path("avgLatencyInMs").isMissingNode());
        JsonNode fw2 = hopOf(r, "VirtualAppliance", 1);
        assertTrue(fw2.path("resourceId").asText().contains("/networkInterfaces/fw2-"), fw2.toString());
        JsonNode issue = fw2.path("issues").get(0);
        assertEquals("NetworkSecurityRule", issue.path("type").asText(), r.toString());
        assertEquals("UserRule_Port80", ctx(issue, "RuleName"));
        assertEquals("Source", r.path("hops").get(0).path("type").asText());
        assertTrue(hopOf(r, "VirtualAppliance", 0).path("resourceId").asText().contains("/networkInterfaces/fw1-"));
    }

    @Test
    void tcpPortOnVm_isReachable() throws Exception {
        JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "");
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
        assertEquals(0, r.path("probesFailed").asInt());
        assertFalse(r.path("avgLatencyInMs").isMissingNode());
        JsonNode last = r.path("hops").get(r.path("hops").size() - 1);
        assertEquals("VnetLocal", last.path("type").asText());
        assertEquals(DB, last.path("address").asText());
        assertTrue(issues(r).isEmpty(), r.toString());
    }

    @Test
    void webServerByUrl_isReachableOverTheInternetHop() throws Exception {
        JsonNode r = connectivity("{\"address\":\"https://web.lab.test/\"}", "\"protocol\":\"Https\"");
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
        assertFalse(r.path("minLatencyInMs").isMissingNode());
        JsonNode last = r.path("hops").get(r.path("hops").size() - 1);
        assertEquals("Internet", last.path("type").asText(), r.toString());
        assertEquals("Internet", last.path("resourceId").asText());
        assertEquals(WEB, last.path("address").asText());
    }

    @Test
    void blackholeRouteOnSource_isAUserDefinedRouteOnTheSourceHop() throws Exception {
        sh("app", "ip route add blackhole " + WEB + "/32");
        try {
            JsonNode r = connectivity("{\"address\":\"" + WEB + "\",\"port\":80}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode source = r.path("hops").get(0);
            JsonNode issue = source.path("issues").get(0);
            assertEquals("UserDefinedRoute", issue.path("type").asText(), r.toString());
            assertEquals("User", ctx(issue, "RouteType"));
            assertTrue(ctx(issue, "Route").contains("blackhole"), issue.toString());
        } finally {
            sh("app", "ip route del blackhole " + WEB + "/32");
        }
    }

    @Test
    void closedPort_isReportedAsPortClosed() throws Exception {
        JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":2222}", "");
        assertEquals("Unreachable", r.path("connectionStatus").asText());
        assertTrue(issues(r).stream().anyMatch(i -> i.path("type").asText().equals("PortClosed")), r.toString());
    }

    @Test
    void rejectRuleOnFw1_isNamed() throws Exception {
        sh("fw1", "nft add table inet nwt_reject && nft add chain inet nwt_reject guard '{ type filter hook forward priority -10; }'"
                + " && nft add rule inet nwt_reject guard tcp dport 1434 counter reject with icmpx admin-prohibited comment '\"UserRule_Reject1434\"'");
        try {
            JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1434}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            assertTrue(issues(r).stream().anyMatch(i -> "UserRule_Reject1434".equals(ctx(i, "RuleName"))), r.toString());
            JsonNode fw1 = hopOf(r, "VirtualAppliance", 0);
            assertTrue(fw1.path("issues").toString().contains("UserRule_Reject1434"), r.toString());
        } finally {
            sh("fw1", "nft delete table inet nwt_reject");
        }
    }

    @Test
    void destinationFirewall_droppingInbound_isOnTheDestinationHop() throws Exception {
        sh("db", "nft add table inet nwt_in && nft add chain inet nwt_in input '{ type filter hook input priority 0; }'"
                + " && nft add rule inet nwt_in input tcp dport 1433 counter drop comment '\"UserRule_DbInbound\"'");
        try {
            JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode last = r.path("hops").get(r.path("hops").size() - 1);
            assertEquals("VnetLocal", last.path("type").asText());
            JsonNode issue = last.path("issues").get(0);
            assertEquals("UserRule_DbInbound", ctx(issue, "RuleName"), r.toString());
            assertEquals("Inbound", issue.path("origin").asText());
        } finally {
            sh("db", "nft delete table inet nwt_in");
        }
    }

    @Test
    void dropWithoutCounterInTheDestinationsOwnTable_isNamedOnTheDestinationHop() throws Exception {
        sh("db", "nft add table inet nwt_t && nft add chain inet nwt_t c '{ type filter hook input priority 0; }'"
                + " && nft add rule inet nwt_t c ip saddr 198.18.1.10 tcp dport 1433 drop comment '\"x\"'");
        try {
            JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode last = r.path("hops").get(r.path("hops").size() - 1);
            JsonNode issue = last.path("issues").get(0);
            assertEquals("x", ctx(issue, "RuleName"), r.toString());
            assertEquals("GuestFirewall", issue.path("type").asText());
            assertEquals("Inbound", issue.path("origin").asText());
            assertEquals("trace", ctx(issue, "Evidence"));
            assertEquals("ip saddr 198.18.1.10 tcp dport 1433 drop comment \"x\"", ctx(issue, "RuleText"));
            assertTrue(issues(r).stream().noneMatch(i -> i.path("type").asText().equals("Unknown")), r.toString());
            JsonNode v = check("ipFlowVerify", """
                    {"targetResourceId":"%s","direction":"Inbound","protocol":"TCP","localPort":"1433","remotePort":"40000",
                     "localIPAddress":"%s","remoteIPAddress":"198.18.1.10"}""".formatted(world.vmId("db"), DB));
            assertEquals("Deny", v.path("access").asText(), v.toString());
            assertTrue(v.path("ruleName").asText().endsWith("x"), v.toString());
        } finally {
            sh("db", "nft delete table inet nwt_t");
        }
    }

    @Test
    void rejectWithoutCounterOnFw1sForwardHook_isTheRuleOnFw1NotAPlatformIssue() throws Exception {
        sh("fw1", "nft add table inet nwt_rej && nft add chain inet nwt_rej guard '{ type filter hook forward priority 0; }'"
                + " && nft add rule inet nwt_rej guard tcp dport 1434 reject with icmp type admin-prohibited");
        try {
            JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1434}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode fw1 = hopOf(r, "VirtualAppliance", 0);
            assertTrue(fw1.path("resourceId").asText().contains("/networkInterfaces/fw1-"), fw1.toString());
            JsonNode issue = fw1.path("issues").get(0);
            assertEquals("NetworkSecurityRule", issue.path("type").asText(), r.toString());
            assertEquals("reject", ctx(issue, "Verdict"));
            assertTrue(ctx(issue, "RuleName").startsWith("inet/nwt_rej/guard/"), issue.toString());
            assertTrue(issues(r).stream().noneMatch(i -> i.path("type").asText().equals("Platform")), r.toString());
        } finally {
            sh("fw1", "nft delete table inet nwt_rej");
        }
    }

    @Test
    void iptablesLegacyRuleOnFw2_isNamedByItsPlaceWithCounters() throws Exception {
        sh("fw2", "iptables-legacy -A FORWARD -p tcp --dport 1436 -j DROP");
        try {
            JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1436}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode issue = hopOf(r, "VirtualAppliance", 1).path("issues").get(0);
            assertEquals("iptables-legacy/ip/filter/FORWARD/1", ctx(issue, "RuleName"), r.toString());
            assertEquals("iptables-legacy", ctx(issue, "Backend"));
            assertEquals("counters", ctx(issue, "Evidence"));
        } finally {
            sh("fw2", "iptables-legacy -F FORWARD");
        }
    }

    @Test
    void iptablesNftRuleOnDb_isNamedByItsComment() throws Exception {
        sh("db", "iptables-nft -A INPUT -p tcp -m multiport --dports 1435,1437 -m comment --comment IptNftDb -j DROP");
        try {
            JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1435}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode last = r.path("hops").get(r.path("hops").size() - 1);
            JsonNode issue = last.path("issues").get(0);
            assertEquals("IptNftDb", ctx(issue, "RuleName"), r.toString());
            assertEquals("iptables-nft", ctx(issue, "Backend"));
        } finally {
            sh("db", "iptables-nft -F INPUT && nft delete table ip filter");
        }
    }

    @Test
    void unresolvableName_isADnsResolutionIssue() throws Exception {
        JsonNode r = connectivity("{\"address\":\"nosuchhost.lab.test\",\"port\":80}", "");
        assertTrue(issues(r).stream().anyMatch(i -> i.path("type").asText().equals("DnsResolution")), r.toString());
        assertEquals("Unreachable", r.path("connectionStatus").asText());
    }

    @Test
    void icmp_toDb_isReachable() throws Exception {
        JsonNode r = connectivity("{\"address\":\"" + DB + "\"}", "\"protocol\":\"Icmp\"");
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
    }

    @Test
    void http503_withValidStatusCodes200_isUnreachable() throws Exception {
        JsonNode r = connectivity("{\"address\":\"http://web.lab.test/status/503\"}",
                "\"protocol\":\"Http\",\"protocolConfiguration\":{\"HTTPConfiguration\":{\"method\":\"Get\",\"validStatusCodes\":[200]}}");
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        assertEquals(r.path("probesSent").asInt(), r.path("probesFailed").asInt());
    }

    @Test
    void ipFlowVerify_and_nextHop_readTheHostsRealConfiguration() throws Exception {
        JsonNode v = check("ipFlowVerify", """
                {"targetResourceId":"%s","direction":"Outbound","protocol":"TCP","localPort":"40000","remotePort":"80",
                 "localIPAddress":"198.18.2.2","remoteIPAddress":"%s"}""".formatted(world.vmId("fw2"), DB));
        assertTrue(v.path("access").asText().equals("Allow") || v.path("access").asText().equals("Deny"), v.toString());
        JsonNode n = check("nextHop", """
                {"targetResourceId":"%s","sourceIPAddress":"198.18.1.10","destinationIPAddress":"%s"}""".formatted(world.vmId("app"), DB));
        assertEquals("VirtualAppliance", n.path("nextHopType").asText(), n.toString());
        assertEquals("198.18.1.1", n.path("nextHopIpAddress").asText());
    }
}
