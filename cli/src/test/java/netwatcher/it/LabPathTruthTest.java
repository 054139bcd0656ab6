package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import netwatcher.lab.LabExtension;
import netwatcher.lab.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only the path testifies, hops are what the wire says, and a check that cannot run says so at once:
 * the default lab plus two agents off every probed path. {@code side} is a forwarding host on the
 * transit segment with a blackhole route to db and a drop rule for TCP 1433 (each would be a cause if
 * the flow crossed it; it never does); {@code vm} sits alone on its own segment with no route to the
 * lab, like the local agent of {@code ./nw up --lab}, whose route lookups for lab flows fail.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabPathTruthTest {
    static final String DB = "198.18.3.10";
    static final String UNROUTED = "198.18.250.10";
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withTopology(withOffPathAgents()).withAgentsStopped(AGENTS);

    static LabWorld world;

    /** The default lab with {@code side} (transit, forwarding, blackhole to db, drop rule) and {@code vm} (isolated). */
    static Topology withOffPathAgents() {
        Topology lab = Topology.defaultLab();
        List<Topology.Segment> segments = new ArrayList<>(lab.segments());
        segments.add(new Topology.Segment("solo", List.of("198.18.240.0/24")));
        List<Topology.Host> hosts = new ArrayList<>(lab.hosts());
        hosts.add(new Topology.Host("side", true, true,
                List.of(new Topology.Interface("eth0", "transit", List.of("198.18.2.5/24"))),
                List.of(new Topology.Route("default", "198.18.2.1")),
                List.of(new Topology.NftTable("inet", "nw_side", List.of(
                        "chain forward {", "  type filter hook forward priority 0; policy accept;",
                        "  tcp dport 1433 counter drop comment \"SideRule_1433\"", "}"))),
                List.of(), null));
        hosts.add(new Topology.Host("vm", true, false,
                List.of(new Topology.Interface("eth0", "solo", List.of("198.18.240.10/24"))), List.of(), List.of(), List.of(), null));
        return new Topology(lab.format(), "default lab plus off-path agents side and vm", lab.dns(), segments, hosts);
    }

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of());
        // side's own refusing route to db: a real cause for a flow that crosses side, which none does
        sh("side", "ip route add blackhole " + DB + "/32");
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close();
    }

    static void sh(String host, String script) {
        var r = LAB.lab().exec(host, Duration.ofSeconds(60), List.of("bash", "-c", script));
        if (r.exitCode() != 0) fail("in " + host + ": " + script + " exited " + r.exitCode() + ": " + r.stderr());
    }

    /** POSTs a connectivity check from app and polls until it ends: the result, or the operation's failure body. */
    static Outcome connectivity(String dest, String extra) throws Exception {
        String body = "{\"source\":{\"resourceId\":\"" + world.vmId("app") + "\"},\"destination\":" + dest
                + (extra.isEmpty() ? "" : "," + extra) + "}";
        long started = System.nanoTime();
        var r = world.send("POST", world.watcher() + "/connectivityCheck" + LabWorld.V, body);
        assertEquals(202, r.status(), r.body());
        String location = r.header("Location");
        String status = r.header("Azure-AsyncOperation");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var p = world.send("GET", location, null);
            if (p.status() == 200) return new Outcome(p.json(), null, Duration.ofNanos(System.nanoTime() - started));
            if (p.status() != 202) {
                JsonNode op = status == null ? p.json() : world.send("GET", status, null).json();
                return new Outcome(null, op.has("error") ? op.path("error") : p.json().path("error"), Duration.ofNanos(System.nanoTime() - started));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the check did not finish");
    }

    record Outcome(JsonNode result, JsonNode error, Duration took) {
        JsonNode ok() {
            assertNotNull(result, () -> "the check failed: " + error);
            return result;
        }
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

    /** Each hop's host (the VM name in its NIC id), else its address, in order. */
    static List<String> hopNames(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : result.path("hops")) {
            String id = h.path("resourceId").asText();
            int nic = id.indexOf("/networkInterfaces/");
            out.add(nic < 0 ? h.path("address").asText() : id.substring(nic + 19, id.indexOf('-', nic + 19)));
        }
        return out;
    }

    static void assertAddressesUnique(JsonNode result) {
        Set<String> seen = new HashSet<>();
        for (JsonNode h : result.path("hops")) {
            if (h.path("address").isNull() || h.path("address").isMissingNode()) continue;
            assertTrue(seen.add(h.path("address").asText()), "address listed twice: " + result);
        }
    }

    static void assertNoOffPathHost(JsonNode result) {
        String text = result.toString();
        for (String offPath : List.of("side", "vm-", "/virtualMachines/vm", "SideRule", "198.18.2.5", "198.18.240.")) {
            assertFalse(text.contains(offPath), () -> "off-path host in " + text);
        }
    }

    @Test
    void reachableCheck_hasNoIssuesAtAll_withOffPathAgentsRunning() throws Exception {
        JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "").ok();
        assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
        assertEquals(List.of("app", "fw1", "fw2", "db"), hopNames(r), r.toString());
        assertTrue(issues(r).isEmpty(), r.toString());
        assertNoOffPathHost(r);
    }

    @Test
    void reachableIcmpAndHttps_haveNoIssues() throws Exception {
        JsonNode icmp = connectivity("{\"address\":\"" + DB + "\"}", "\"protocol\":\"Icmp\"").ok();
        assertEquals("Reachable", icmp.path("connectionStatus").asText(), icmp.toString());
        assertTrue(issues(icmp).isEmpty(), icmp.toString());
        JsonNode https = connectivity("{\"address\":\"https://web.lab.test/\"}", "\"protocol\":\"Https\"").ok();
        // on a loaded machine a few of 100 HTTPS probes may time out (Degraded): that may be reported, as an
        // issue of type Unknown (what was seen, no cause), never as a cause such as a rule or a route
        String status = https.path("connectionStatus").asText();
        assertTrue(List.of("Reachable", "Degraded").contains(status), https.toString());
        if (status.equals("Reachable")) {
            assertTrue(issues(https).isEmpty(), https.toString());
        } else {
            assertTrue(issues(https).stream().allMatch(i -> i.path("type").asText().equals("Unknown")), https.toString());
        }
        assertNoOffPathHost(https);
    }

    @Test
    void blockedCheck_namesOnlyTheRuleOnThePath() throws Exception {
        Outcome o = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":80}", "");
        JsonNode r = o.ok();
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        assertEquals(List.of("app", "fw1", "fw2", "db"), hopNames(r), r.toString());
        List<JsonNode> all = issues(r);
        assertEquals(1, all.size(), r.toString());
        assertEquals("UserRule_Port80", ctx(all.getFirst(), "RuleName"));
        assertTrue(r.path("hops").get(2).path("issues").toString().contains("UserRule_Port80"), r.toString());
        assertNoOffPathHost(r);
    }

    @Test
    void silentForwarder_isNamedFromTheRegisteredRoutes_notUnknown() throws Exception {
        // fw1 forwards but sends no time-exceeded: the wire leaves TTL 1 silent; app's and fw1's routes say who it is
        sh("fw1", "nft add table inet nwt_silent && nft add chain inet nwt_silent out '{ type filter hook output priority 0; }'"
                + " && nft add rule inet nwt_silent out icmp type time-exceeded drop");
        try {
            JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "").ok();
            assertEquals("Reachable", r.path("connectionStatus").asText(), r.toString());
            assertEquals(List.of("app", "fw1", "fw2", "db"), hopNames(r), r.toString());
            assertEquals("198.18.1.1", r.path("hops").get(1).path("address").asText(), r.toString());
            assertTrue(issues(r).isEmpty(), r.toString());
        } finally {
            sh("fw1", "nft delete table inet nwt_silent");
        }
    }

    @Test
    void rateLimitedIcmp_isRetried_andInventsNoHop() throws Exception {
        // inet rate-limits its ICMP errors as Linux does by default; the 100 probes use up its tokens
        sh("inet", "sysctl -q -w net.ipv4.icmp_ratelimit=1000");
        try {
            JsonNode r = connectivity("{\"address\":\"" + UNROUTED + "\",\"port\":80}", "").ok();
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            List<String> names = hopNames(r);
            assertEquals(List.of("app", "fw1", "198.18.200.2", UNROUTED), names, r.toString());
            assertAddressesUnique(r);
        } finally {
            sh("inet", "sysctl -q -w net.ipv4.icmp_ratelimit=0");
        }
    }

    @Test
    void icmpRejectOnAForwarder_listsTheForwarderOnce() throws Exception {
        sh("fw1", "nft add table inet nwt_rej && nft add chain inet nwt_rej guard '{ type filter hook forward priority -10; }'"
                + " && nft add rule inet nwt_rej guard tcp dport 1435 counter reject with icmp type admin-prohibited");
        try {
            JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1435}", "").ok();
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            assertEquals(List.of("app", "fw1", "db"), hopNames(r), r.toString());
            assertAddressesUnique(r);
            assertNoOffPathHost(r);
        } finally {
            sh("fw1", "nft delete table inet nwt_rej");
        }
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it stops app's agent
    void sourceAgentOffline_failsTheOperation_namingTheVmAndWhenItWasLastSeen() throws Exception {
        LAB.lab().stopAgent("app");
        try {
            Outcome o = connectivity("{\"address\":\"" + DB + "\",\"port\":1433}", "");
            assertNotNull(o.error(), () -> "expected a failed operation, got " + o.result());
            assertEquals("AgentStopped", o.error().path("code").asText(), o.error().toString());
            String message = o.error().path("message").asText();
            assertTrue(message.contains("virtual machine app"), message);
            assertTrue(message.contains("last seen"), message);
        } finally {
            LAB.lab().startAgent("app");
        }
    }
}
