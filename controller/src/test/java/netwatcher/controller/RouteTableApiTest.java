package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.models.Route;
import com.azure.resourcemanager.network.models.RouteNextHopType;
import com.azure.resourcemanager.network.models.RouteTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.agent.RouteTableReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Route tables as ARM resources over HTTPS against a real controller: an agent's host report carries its kernel
 * routing tables; GET, list by resource group and subscription answer ARM's RouteTable shape (also through the
 * official Azure SDK's {@code routeTables()}), Reader on the scope may read them, other scopes may not; a bad
 * table in a host report is refused naming the field; and nextHop refuses a source address the VM does not own.
 */
@Tag("e2e")
class RouteTableApiTest {
    static final String V = "?api-version=2025-05-01";
    static TestController c;
    static TestAgent agent;
    static String tables;

    static final List<RouteTableReport> ROUTES = List.of(
            new RouteTableReport("main", List.of(
                    new RouteTableReport.Route("0.0.0.0/0", "unicast", "198.18.1.1", "eth0", "boot", 0),
                    new RouteTableReport.Route("198.18.1.0/24", "unicast", null, "eth0", "kernel", 0),
                    new RouteTableReport.Route("198.18.60.0/24", "blackhole", null, null, "boot", 0),
                    new RouteTableReport.Route("::/0", "unicast", "2001:2:0:1::1", "eth0", "ra", 1024))),
            new RouteTableReport("77", List.of(
                    new RouteTableReport.Route("198.18.70.0/24", "unreachable", null, null, "boot", 0))));

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        agent = new TestAgent(c, "lab", "rtvm", "westeurope", List.of("198.18.1.10/24"));
        var h = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", "rtvm", "Debian",
                List.of(new NicReport("eth0", "02:00:00:00:00:01", List.of("198.18.1.10/24"), true)), List.of("capture"),
                List.of(), ROUTES, null)), agent.bearer());
        assertEquals(200, h.status(), h.body());
        tables = "/subscriptions/" + c.sub + "/resourceGroups/lab/providers/Microsoft.Network/routeTables";
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static String ctx(JsonNode routes, String name, String field) {
        for (JsonNode r : routes) if (r.path("name").asText().equals(name)) return r.path("properties").path(field).asText(null);
        throw new AssertionError("no route " + name + " in " + routes);
    }

    @Test
    void get_returnsTheVmsKernelTableAsArmRouteTable() throws Exception {
        var r = c.send("GET", tables + "/rtvm-main" + V, null);
        assertEquals(200, r.status(), r.body());
        JsonNode t = r.json();
        assertEquals(tables + "/rtvm-main", t.path("id").asText());
        assertEquals("Microsoft.Network/routeTables", t.path("type").asText());
        assertEquals("westeurope", t.path("location").asText());
        assertEquals(r.header("ETag"), t.path("etag").asText());
        JsonNode routes = t.path("properties").path("routes");
        assertEquals(4, routes.size(), t.toString());
        assertEquals("VirtualAppliance", ctx(routes, "0.0.0.0_0", "nextHopType")); // a user's (proto boot) default route
        assertEquals("198.18.1.1", ctx(routes, "0.0.0.0_0", "nextHopIpAddress"));
        assertEquals("VnetLocal", ctx(routes, "198.18.1.0_24", "nextHopType"));
        assertEquals("None", ctx(routes, "blackhole-198.18.60.0_24", "nextHopType"));
        assertEquals("198.18.60.0/24", ctx(routes, "blackhole-198.18.60.0_24", "addressPrefix"));
        assertEquals("Internet", ctx(routes, "--_0-metric-1024", "nextHopType")); // router advertisement's default: system
        assertEquals(tables + "/rtvm-main/routes/198.18.1.0_24", routes.get(1).path("id").asText());
        assertEquals("main", t.path("properties").path("kernelTable").asText());
        assertEquals(agent.vmId, t.path("properties").path("virtualMachine").path("id").asText());
    }

    @Test
    void list_byGroupAndSubscription_holdsEveryTableOfEveryVm() throws Exception {
        var group = c.send("GET", tables + V, null);
        assertEquals(200, group.status(), group.body());
        assertEquals(2, group.json().path("value").size(), group.body());
        var sub = c.send("GET", "/subscriptions/" + c.sub + "/providers/Microsoft.Network/routeTables" + V, null);
        assertEquals(200, sub.status(), sub.body());
        assertTrue(sub.body().contains("/routeTables/rtvm-77"), sub.body());
        assertEquals(0, c.send("GET", "/subscriptions/" + c.sub + "/resourceGroups/other/providers/Microsoft.Network/routeTables" + V,
                null).json().path("value").size());
    }

    @Test
    void get_unknownTable_is404ResourceNotFound() throws Exception {
        var r = c.send("GET", tables + "/rtvm-nosuch" + V, null);
        assertEquals(404, r.status(), r.body());
        assertEquals("ResourceNotFound", r.errorCode());
        assertEquals(404, c.send("GET", tables + "/nosuchvm-main" + V, null).status());
    }

    @Test
    void readerOnTheGroup_readsTables_otherGroupsReaderIsRefused() throws Exception {
        String s = "/subscriptions/" + c.sub;
        String reader = token(Map.of(s + "/resourceGroups/lab", "Reader"));
        assertEquals(200, c.send("GET", tables + "/rtvm-77" + V, null, reader).status());
        assertEquals(200, c.send("GET", tables + V, null, reader).status());
        String other = token(Map.of(s + "/resourceGroups/other", "Reader"));
        var refused = c.send("GET", tables + "/rtvm-77" + V, null, other);
        assertEquals(403, refused.status(), refused.body());
        assertEquals("AuthorizationFailed", refused.errorCode());
        assertEquals(401, c.send("GET", tables + "/rtvm-77" + V, null, null).status());
    }

    @Test
    void azureSdk_readsRouteTablesAndRoutes() throws Exception {
        NetworkManager network = SdkClients.network(c);
        RouteTable main = network.routeTables().getByResourceGroup("lab", "rtvm-main");
        assertEquals("rtvm-main", main.name());
        Route blackhole = main.routes().get("blackhole-198.18.60.0_24");
        assertEquals("198.18.60.0/24", blackhole.destinationAddressPrefix());
        assertEquals(RouteNextHopType.NONE, blackhole.nextHopType());
        assertEquals(RouteNextHopType.VIRTUAL_APPLIANCE, main.routes().get("0.0.0.0_0").nextHopType());
        assertEquals("198.18.1.1", main.routes().get("0.0.0.0_0").nextHopIpAddress());
        assertTrue(network.routeTables().listByResourceGroup("lab").stream().anyMatch(t -> t.name().equals("rtvm-77")));
    }

    @Test
    void hostReport_withBadRouteTable_isRefusedNamingTheField() throws Exception {
        List<RouteTableReport> bad = List.of(new RouteTableReport("main", List.of(
                new RouteTableReport.Route("198.18.0.0/33", "unicast", null, "eth0", "boot", 0))));
        var r = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", "rtvm", "Debian", List.of(),
                List.of(), List.of(), bad, null)), agent.bearer());
        assertEquals(400, r.status(), r.body());
        assertEquals("routeTables[0].routes[0].destination", r.json().path("error").path("target").asText());
        var badName = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", "rtvm", "Debian", List.of(),
                List.of(), List.of(), List.of(new RouteTableReport("../x", List.of())), null)), agent.bearer());
        assertEquals("routeTables[0].name", badName.json().path("error").path("target").asText());
        List<RouteTableReport.Route> many = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) many.add(new RouteTableReport.Route("198.18." + (i / 250) + "." + (i % 250) + "/32", "unicast",
                null, "eth0", "boot", 0));
        var tooMany = c.send("PUT", "/agent/v1/host", Json.writeString(new HostReport("test-1.0", "rtvm", "Debian", List.of(),
                List.of(), List.of(), List.of(new RouteTableReport("a", many), new RouteTableReport("b", many),
                        new RouteTableReport("c", many)), null)), agent.bearer());
        assertEquals(400, tooMany.status(), tooMany.body());
        assertEquals("routeTables[2].routes", tooMany.json().path("error").path("target").asText());
        assertEquals(200, c.send("GET", tables + "/rtvm-main" + V, null).status()); // nothing of the refused reports applied
    }

    @Test
    void nextHop_fromAnAddressTheVmDoesNotOwn_is400NamingItsAddresses() throws Exception {
        String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/"
                + "NetworkWatcher_westeurope";
        var r = c.send("POST", nw + "/nextHop" + V, """
                {"targetResourceId":"%s","sourceIPAddress":"198.18.9.9","destinationIPAddress":"198.18.3.10"}""".formatted(agent.vmId));
        assertEquals(400, r.status(), r.body());
        assertEquals("InvalidParameter", r.errorCode());
        assertEquals("sourceIPAddress", r.json().path("error").path("target").asText());
        assertTrue(r.json().path("error").path("message").asText().contains("198.18.1.10"), r.body());
        var own = c.send("POST", nw + "/nextHop" + V, """
                {"targetResourceId":"%s","sourceIPAddress":"198.18.1.10","destinationIPAddress":"198.18.3.10"}""".formatted(agent.vmId));
        assertEquals(202, own.status(), own.body());
    }

    /** A service principal holding {@code roles} (scope → role) and its access token. */
    static String token(Map<String, String> roles) throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"rt\"}").json();
        String clientId = sp.path("clientId").asText();
        for (var role : roles.entrySet()) {
            var r = c.send("POST", "/admin/v1/roleAssignments",
                    "{\"principalId\":\"" + clientId + "\",\"role\":\"" + role.getValue() + "\",\"scope\":\"" + role.getKey() + "\"}");
            assertEquals(201, r.status(), r.body());
        }
        String base = c.controller.baseUrl();
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(sp.path("clientSecret").asText(), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(base + "/.default", StandardCharsets.UTF_8);
        var t = c.http.send(HttpRequest.newBuilder(URI.create(base + "/adfs/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, t.statusCode(), t.body());
        return "Bearer " + Json.tree(t.body().getBytes(StandardCharsets.UTF_8)).path("access_token").asText();
    }
}
