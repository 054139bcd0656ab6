package netwatcher.agent.hostcfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.model.agent.RouteTableReport;
import org.junit.jupiter.api.Test;

/** Route tables from a recorded {@code ip -j -d route show table all}: grouping, prefixes, types, what is left out. */
class RouteTablesTest {
    @Test
    void collect_groupsByTableAndNormalisesPrefixes() throws Exception {
        Map<String, List<RouteTableReport.Route>> tables = new LinkedHashMap<>();
        RouteTables.collect(Routing.parse(Fixtures.text("ip-route-all.json")), false, tables);
        assertEquals(List.of("77", "78", "main", "local"), List.copyOf(tables.keySet()));
        RouteTableReport.Route unreachable = tables.get("77").getFirst();
        assertEquals(new RouteTableReport.Route("198.18.70.0/24", "unreachable", null, null, "boot", 0), unreachable);
        assertEquals("None", unreachable.nextHopType());
        RouteTableReport.Route def = tables.get("main").getFirst();
        assertEquals("0.0.0.0/0", def.destination());
        assertEquals("VirtualAppliance", def.nextHopType()); // a user's (proto boot) default route to an appliance
        RouteTableReport.Route connected = tables.get("main").get(1);
        assertNull(connected.gateway());
        assertEquals("VnetLocal", connected.nextHopType());
        assertTrue(tables.get("local").stream().anyMatch(r -> r.destination().equals("127.0.0.1/32") && r.type().equals("local")));
        assertTrue(tables.values().stream().flatMap(List::stream).noneMatch(r -> r.type().equals("broadcast")));
    }

    @Test
    void nextHopType_isAzuresMapping() {
        assertEquals("Internet", RouteTableReport.nextHopType("unicast", "198.18.1.1", "0.0.0.0/0", "dhcp"));
        assertEquals("VirtualAppliance", RouteTableReport.nextHopType("unicast", "198.18.1.1", "0.0.0.0/0", "static"));
        assertEquals("VirtualAppliance", RouteTableReport.nextHopType("unicast", "198.18.1.1", "198.18.3.0/24", "kernel"));
        assertEquals("VnetLocal", RouteTableReport.nextHopType("local", null, "127.0.0.0/8", "kernel"));
        assertEquals("None", RouteTableReport.nextHopType("prohibit", null, "198.18.62.0/24", "boot"));
        assertEquals("None", RouteTableReport.nextHopType("throw", null, "198.18.72.128/25", "boot"));
    }
}
