package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Issue 10's failure classes end to end, with the controller and real agents on the default lab: each class has
 * its own issue type on the hop where it happens (the destination's refusal and HTTP status on the destination,
 * a router's ICMP unreachable on that router, a policy route on the source with its rule and its route table's
 * id), local destinations are VnetLocal, and route tables are ARM resources that nextHop points at.
 */
@Tag("netns")
class LabFailureClassTest {
    static final String DB = "198.18.3.10";
    static final String WEB = "198.18.201.10";
    static final String INET = "198.18.200.2";
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;

    @BeforeAll
    static void start() throws Exception {
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of(), List.of("--host-poll-interval", "1s"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) world.close();
    }

    static JsonNode check(String action, String body) throws Exception {
        var r = world.send("POST", world.watcher() + "/" + action + LabWorld.V, body);
        if (r.status() != 202) fail(action + ": " + r.status() + " " + r.body());
        String location = r.header("Location");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            var p = world.send("GET", location, null);
            if (p.status() == 200) return p.json();
            if (p.status() != 202) fail(action + " failed: " + p.status() + " " + p.body());
            Thread.sleep(300);
        }
        throw new AssertionError(action + " did not finish");
    }

    static JsonNode connectivity(String dest, String extra) throws Exception {
        return check("connectivityCheck", "{\"source\":{\"resourceId\":\"" + world.vmId("app") + "\"},\"destination\":" + dest
                + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    static List<String> types(JsonNode hop) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : hop.path("issues")) out.add(i.path("type").asText());
        return out;
    }

    static JsonNode issue(JsonNode hop, String type) {
        for (JsonNode i : hop.path("issues")) if (i.path("type").asText().equals(type)) return i;
        throw new AssertionError("no " + type + " on " + hop);
    }

    static String ctx(JsonNode issue, String key) {
        for (JsonNode kv : issue.path("context")) if (kv.path("key").asText().equals(key)) return kv.path("value").asText();
        return null;
    }

    static JsonNode last(JsonNode result) {
        return result.path("hops").get(result.path("hops").size() - 1);
    }

    static JsonNode hopAt(JsonNode result, String address) {
        for (JsonNode h : result.path("hops")) if (address.equals(h.path("address").asText())) return h;
        throw new AssertionError("no hop " + address + " in " + result);
    }

    /** Every issue of the result sits on the one hop given; every other hop has none. */
    static void onlyOn(JsonNode result, JsonNode hop) {
        for (JsonNode h : result.path("hops")) {
            if (h.path("id").asText().equals(hop.path("id").asText())) continue;
            assertTrue(h.path("issues").isEmpty(), () -> "issues off the hop " + hop.path("address") + ": " + result);
        }
    }

    @Test
    void closedPort_isPortClosedOnTheDestinationHop() throws Exception {
        JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":2222}", "");
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        JsonNode db = last(r);
        assertEquals(DB, db.path("address").asText());
        JsonNode closed = issue(db, "PortClosed");
        assertEquals("Local", closed.path("origin").asText());
        assertEquals("2222", ctx(closed, "Port"));
        assertTrue(!types(r.path("hops").get(0)).contains("PortClosed"), r.toString());
    }

    @Test
    void httpStatusOutsideValidStatusCodes_isHttpStatusOnTheDestination() throws Exception {
        JsonNode r = connectivity("{\"address\":\"https://web.lab.test/nope\"}", "\"protocol\":\"Https\"");
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        JsonNode web = last(r);
        assertEquals(WEB, web.path("address").asText());
        JsonNode status = issue(web, "HttpStatus");
        assertEquals("404", ctx(status, "Status"));
        assertEquals("200-299", ctx(status, "ValidStatusCodes"));
    }

    @Test
    void tlsNameMismatch_isTlsHandshakeOnTheDestination() throws Exception {
        JsonNode r = connectivity("{\"address\":\"https://web/\"}", "\"protocol\":\"Https\"");
        JsonNode web = last(r);
        assertEquals(WEB, web.path("address").asText(), r.toString());
        assertEquals("NameMismatch", ctx(issue(web, "TlsHandshake"), "Problem"), r.toString());
        assertTrue(r.toString().contains("TlsHandshake") && !r.toString().contains("no firewall rule matched"), r.toString());
    }

    @Test
    void routerWithoutRoute_isIcmpUnreachableOnThatRoutersHop() throws Exception {
        JsonNode r = connectivity("{\"address\":\"198.18.250.10\",\"port\":80}", "");
        assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
        JsonNode inet = hopAt(r, INET);
        JsonNode unreachable = issue(inet, "IcmpUnreachable");
        assertEquals("net-unreachable", ctx(unreachable, "IcmpCode"), r.toString());
        assertTrue(!types(r.path("hops").get(0)).contains("IcmpUnreachable"), r.toString());
    }

    @Test
    void unreachableRouteOnARegisteredRouter_isItsRouteNotAnIcmpSymptom() throws Exception {
        world.bash("fw1", "ip route add unreachable " + DB + "/32");
        try {
            JsonNode r = connectivity("{\"address\":\"" + DB + "\",\"port\":1433}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode fw1 = hopAt(r, "198.18.1.1");
            JsonNode route = issue(fw1, "UserDefinedRoute");
            assertTrue(ctx(route, "Route").startsWith("unreachable " + DB), route.toString());
            assertTrue(ctx(route, "RouteTableId").endsWith("/providers/Microsoft.Network/routeTables/fw1-main"), route.toString());
            assertTrue(!types(fw1).contains("IcmpUnreachable"), "the route explains fw1's ICMP: " + r);
        } finally {
            world.bash("fw1", "ip route del unreachable " + DB + "/32");
        }
    }

    @Test
    void policyRouteToABlackholeTable_namesRouteRuleAndRouteTableResource() throws Exception {
        world.bash("app", "ip route add blackhole 198.18.79.0/24 table 79 && ip rule add to 198.18.79.0/24 lookup 79 pref 1000");
        try {
            JsonNode r = connectivity("{\"address\":\"198.18.79.5\",\"port\":80}", "");
            assertEquals("Unreachable", r.path("connectionStatus").asText(), r.toString());
            JsonNode source = r.path("hops").get(0);
            JsonNode route = issue(source, "UserDefinedRoute");
            String tableId = world.vmId("app").replace("/providers/Microsoft.Compute/virtualMachines/app",
                    "/providers/Microsoft.Network/routeTables/app-79");
            assertEquals(tableId, ctx(route, "RouteTableId"), route.toString());
            assertEquals("1000: from all to 198.18.79.0/24 lookup 79", ctx(route, "Rule"));
            assertTrue(ctx(route, "Route").startsWith("blackhole 198.18.79.0/24"), route.toString());
            onlyOn(r, source);

            // the table is an ARM resource once the agent's host report carries it (host poll: 1 s here)
            JsonNode table = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                var g = world.send("GET", tableId + LabWorld.V, null);
                if (g.status() == 200) {
                    table = g.json();
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(table != null, "route table " + tableId + " never appeared");
            JsonNode first = table.path("properties").path("routes").get(0).path("properties");
            assertEquals("198.18.79.0/24", first.path("addressPrefix").asText(), table.toString());
            assertEquals("None", first.path("nextHopType").asText());
        } finally {
            world.bash("app", "ip rule del pref 1000; ip route del blackhole 198.18.79.0/24 table 79; true");
        }
    }

    @Test
    void middleboxAnsweringForTheDestination_isReachableWithAWarningFromTheDestinationsObserver() throws Exception {
        // fw2 answers for db:1433 by sending the connection to web:443 (DNAT, and masquerade so replies come back;
        // not web:80, which fw2's own UserRule_Port80 drops)
        world.bash("fw2", "nft add table ip nwt_mb && nft add chain ip nwt_mb pre '{ type nat hook prerouting priority -100; }'"
                + " && nft add chain ip nwt_mb post '{ type nat hook postrouting priority 100; }'"
                + " && nft add rule ip nwt_mb pre ip daddr " + DB + " tcp dport 1433 dnat to " + WEB + ":443"
                + " && nft add rule ip nwt_mb post ip daddr " + WEB + " tcp dport 443 masquerade");
        try {
            JsonNode r = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "");
            // answered (Reachable; on a busy machine a few of the NATed handshakes may time out: Degraded)
            assertTrue(r.path("probesFailed").asInt() < r.path("probesSent").asInt() / 2, r.toString());
            JsonNode db = last(r);
            assertEquals(DB, db.path("address").asText(), r.toString());
            JsonNode warning = issue(db, "DestinationNotReached");
            assertEquals("Warning", warning.path("severity").asText());
            assertTrue(ctx(warning, "Observed").startsWith("0 tcp port 1433 to " + DB), warning.toString());
            onlyOn(r, db);
        } finally {
            world.bash("fw2", "nft delete table ip nwt_mb");
        }
        // without the middlebox the same check has no issue at all
        JsonNode plain = connectivity("{\"resourceId\":\"" + world.vmId("db") + "\",\"port\":1433}", "");
        assertEquals("Reachable", plain.path("connectionStatus").asText(), plain.toString());
        for (JsonNode h : plain.path("hops")) assertTrue(h.path("issues").isEmpty(), plain.toString());
    }

    @Test
    void destinationOnTheSourceItself_isVnetLocal() throws Exception {
        for (String address : List.of("127.0.0.1", "198.18.1.10")) {
            JsonNode r = connectivity("{\"address\":\"" + address + "\",\"port\":9}", "");
            JsonNode dest = last(r);
            assertEquals(address, dest.path("address").asText(), r.toString());
            assertEquals("VnetLocal", dest.path("type").asText(), r.toString());
            assertTrue(dest.path("resourceId").asText().contains("/app"), r.toString());
            // nothing listens on port 9: the refusal is the destination's, even when that is the source host
            assertEquals("9", ctx(issue(dest, "PortClosed"), "Port"), r.toString());
            assertTrue(!types(r.path("hops").get(0)).contains("PortClosed"), r.toString());
        }
    }

    @Test
    void nextHop_pointsAtTheRouteTableResource_andRefusesAForeignSource() throws Exception {
        JsonNode n = check("nextHop", """
                {"targetResourceId":"%s","sourceIPAddress":"198.18.1.10","destinationIPAddress":"%s"}""".formatted(world.vmId("app"), DB));
        assertEquals("VirtualAppliance", n.path("nextHopType").asText(), n.toString());
        String mainId = world.vmId("app").replace("/providers/Microsoft.Compute/virtualMachines/app",
                "/providers/Microsoft.Network/routeTables/app-main");
        assertEquals(mainId, n.path("routeTableId").asText(), n.toString());
        assertEquals(200, world.send("GET", mainId + LabWorld.V, null).status());

        JsonNode local = check("nextHop", """
                {"targetResourceId":"%s","sourceIPAddress":"198.18.1.10","destinationIPAddress":"127.0.0.1"}""".formatted(world.vmId("app")));
        assertEquals("VnetLocal", local.path("nextHopType").asText(), local.toString());

        var foreign = world.send("POST", world.watcher() + "/nextHop" + LabWorld.V, """
                {"targetResourceId":"%s","sourceIPAddress":"%s","destinationIPAddress":"198.18.201.10"}""".formatted(world.vmId("app"), DB));
        assertEquals(400, foreign.status(), foreign.body());
        assertTrue(foreign.body().contains("198.18.1.10"), foreign.body());
    }
}
