package netwatcher.model.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one mapping from a kernel route to ARM's nextHopType and "user defined", shared by controller and agent. */
class RouteTableReportTest {

    @ParameterizedTest(name = "{0} {1} via {2} proto {3} -> {4}")
    @CsvSource(nullValues = "null", value = {
            // routes that send the packet nowhere
            "blackhole,   null,         198.18.9.0/24, static, None",
            "unreachable, null,         198.18.9.0/24, boot,   None",
            "prohibit,    null,         2001:2::/48,   static, None",
            "throw,       null,         0.0.0.0/0,     static, None",
            "blackhole,   198.18.1.1,   198.18.9.0/24, static, None",
            // local and directly connected routes
            "local,       null,         198.18.1.10,   kernel, VnetLocal",
            "local,       198.18.1.1,   198.18.1.10,   kernel, VnetLocal",
            "unicast,     null,         198.18.1.0/24, kernel, VnetLocal",
            "null,        null,         198.18.1.0/24, kernel, VnetLocal",
            "unicast,     null,         0.0.0.0/0,     static, VnetLocal",
            // default routes via a gateway: the system's is the Internet, a user's an appliance
            "unicast,     198.18.1.1,   default,       dhcp,   Internet",
            "unicast,     198.18.1.1,   0.0.0.0/0,     kernel, Internet",
            "unicast,     fe80::1,      ::/0,          ra,     Internet",
            "unicast,     198.18.1.1,   0.0.0.0/0,     redirect, Internet",
            "unicast,     198.18.1.1,   0.0.0.0/0,     boot,   VirtualAppliance",
            "unicast,     198.18.1.1,   0.0.0.0/0,     static, VirtualAppliance",
            "unicast,     198.18.1.1,   0.0.0.0/0,     null,   VirtualAppliance",
            "unicast,     198.18.1.1,   default,       77,     VirtualAppliance",
            // other routes via a gateway, whoever set them
            "unicast,     198.18.1.1,   198.18.3.0/24, static, VirtualAppliance",
            "unicast,     198.18.1.1,   198.18.3.0/24, kernel, VirtualAppliance",
            "null,        198.18.1.1,   198.18.3.0/24, dhcp,   VirtualAppliance",
            "unicast,     198.18.1.1,   0.0.0.0/1,     dhcp,   VirtualAppliance"})
    void nextHopType_mapsEveryKindOfRoute(String type, String gateway, String destination, String protocol, String expected) {
        assertEquals(expected, RouteTableReport.nextHopType(type, gateway, destination, protocol));
        assertEquals(expected, new RouteTableReport.Route(destination, type, gateway, "eth0", protocol, 0).nextHopType());
    }

    @Test
    void userDefined_isFalseOnlyForTheKernelsAndAutoconfigurationsRoutes() {
        for (String system : List.of("kernel", "ra", "dhcp", "redirect")) {
            assertFalse(RouteTableReport.userDefined(system), system);
            assertFalse(new RouteTableReport.Route("198.18.0.0/24", "unicast", null, "eth0", system, 0).userDefined(), system);
        }
        for (String user : List.of("boot", "static", "bird", "zebra", "77")) {
            assertTrue(RouteTableReport.userDefined(user), user);
        }
        assertTrue(RouteTableReport.userDefined(null), "no protocol: not the kernel's");
    }

    @Test
    void routes_areCopied_andNullIsEmpty() {
        List<RouteTableReport.Route> routes = new ArrayList<>();
        routes.add(new RouteTableReport.Route("default", "unicast", "198.18.1.1", "eth0", "boot", 0));
        RouteTableReport table = new RouteTableReport("main", routes);
        routes.clear();
        assertEquals(1, table.routes().size());
        assertEquals(List.of(), new RouteTableReport("local", null).routes());
    }
}
