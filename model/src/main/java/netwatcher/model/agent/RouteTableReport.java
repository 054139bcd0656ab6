package netwatcher.model.agent;

import java.util.List;

/**
 * One kernel routing table of the host, as {@code ip -j -d route show table all} lists it (IPv4 and
 * IPv6 together), part of the {@link HostReport}. The controller exposes it as the ARM resource
 * {@code Microsoft.Network/routeTables/{vm}-{name}}.
 *
 * @param name   the kernel's name of the table ({@code main}, {@code local}, {@code 77}, a name from rt_tables)
 * @param routes its routes in the kernel's order
 */
public record RouteTableReport(String name, List<Route> routes) {
    public RouteTableReport {
        routes = routes == null ? List.of() : List.copyOf(routes);
    }

    /**
     * One route.
     *
     * @param destination the prefix in CIDR form ({@code 198.18.70.0/24}, {@code 0.0.0.0/0} for default)
     * @param type        the kernel's route type: unicast, local, blackhole, unreachable, prohibit, throw
     * @param gateway     the next hop's address ({@code via}), or null
     * @param device      the output interface, or null
     * @param protocol    who set it: kernel, boot, static, dhcp, ra, a number, or null
     * @param metric      the route's metric (0 when none)
     */
    public record Route(String destination, String type, String gateway, String device, String protocol, long metric) {
        /** ARM's nextHopType for this route: {@link RouteTableReport#nextHopType}. */
        public String nextHopType() {
            return RouteTableReport.nextHopType(type, gateway, destination, protocol);
        }

        /** True unless the kernel or an autoconfiguration daemon set the route (Azure's "System Route"). */
        public boolean userDefined() {
            return RouteTableReport.userDefined(protocol);
        }
    }

    /** Route protocols the kernel or an autoconfiguration daemon set: Azure's system routes. */
    public static final java.util.Set<String> SYSTEM_PROTOCOLS = java.util.Set.of("kernel", "ra", "dhcp", "redirect");

    /** True unless {@code protocol} is one of {@link #SYSTEM_PROTOCOLS} (no protocol is {@code boot}: a user's). */
    public static boolean userDefined(String protocol) {
        return protocol == null || !SYSTEM_PROTOCOLS.contains(protocol);
    }

    /**
     * ARM's nextHopType for a kernel route, the one mapping controller and agent share: a blackhole, unreachable,
     * prohibit or throw route → {@code None} (the packet goes nowhere from this table); a local route or a route
     * without gateway (directly connected) → {@code VnetLocal}; a default route via a gateway that the system set
     * → {@code Internet}; any other route via a gateway (a user's static route, Azure's user-defined route to an
     * appliance) → {@code VirtualAppliance}.
     *
     * @param destination the prefix; {@code default}, {@code 0.0.0.0/0} and {@code ::/0} are default routes
     */
    public static String nextHopType(String type, String gateway, String destination, String protocol) {
        String kind = type == null ? "unicast" : type;
        switch (kind) {
            case "blackhole", "unreachable", "prohibit", "throw" -> { return "None"; }
            case "local" -> { return "VnetLocal"; }
            default -> { }
        }
        if (gateway == null) return "VnetLocal";
        boolean isDefault = "default".equals(destination) || "0.0.0.0/0".equals(destination) || "::/0".equals(destination);
        return isDefault && !userDefined(protocol) ? "Internet" : "VirtualAppliance";
    }
}
