package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.agent.RouteTableReport;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What this host's routes say about a flow, from the kernel's own lookup ({@link Routing}): the route or policy rule
 * that refuses it ({@link #finding}) and the next hop it takes ({@link #nextHop}). Thread-safe: it keeps no state
 * between calls.
 */
final class RouteExplainer {
    private final Routing routing;

    RouteExplainer(Routing routing) {
        this.routing = routing;
    }

    /** The refusing route or policy rule the kernel's lookup meets for the flow, if any: see {@link HostConfig#routeFinding}. */
    Optional<CheckReport.Finding> finding(Flow flow) {
        InetAddress destination = FlowFacts.literal(flow.destinationAddress());
        if (destination == null) return Optional.empty();
        Routing.Lookup lookup = routing.lookup(destination, FlowFacts.literal(flow.sourceAddress()));
        if (lookup.ok()) return Optional.empty();
        Map<String, String> context = new LinkedHashMap<>();
        JsonNode route = lookup.route();
        JsonNode rule = lookup.rule();
        String routeType;
        String routeText;
        if (rule != null) {
            routeType = "PolicyRule";
            routeText = route != null ? Routing.routeText(route) : Routing.ruleText(rule);
        } else if (route != null && Routing.REFUSING.contains(lookup.routeType())) {
            routeType = capitalize(lookup.routeType());
            routeText = Routing.routeText(route);
        } else if (route == null) {
            routeType = "NoRoute";
            routeText = "no route to " + destination.getHostAddress();
        } else {
            routeType = "LookupFailed";
            routeText = Routing.routeText(route);
        }
        context.put("RouteType", routeType);
        context.put("RouteOrigin", route == null && rule == null ? "System" : lookup.userDefined() ? "User" : "System");
        context.put("Route", routeText);
        if (route != null) context.put("Table", route.path("table").asText("main"));
        if (rule != null) context.put("Rule", Routing.ruleText(rule));
        else if (lookup.selectedBy() != null) context.put("Rule", Routing.ruleText(lookup.selectedBy())); // e.g. 32766: from all lookup main
        context.put("KernelError", lookup.kernelError());
        return Optional.of(new CheckReport.Finding(HostConfig.USER_DEFINED_ROUTE, "Outbound", "Error", context, "route-lookup"));
    }

    /**
     * The route the kernel picks for the flow: see {@link HostConfig#nextHop}.
     *
     * @throws IllegalArgumentException when the flow has no literal destination address
     */
    CheckReport.NextHop nextHop(Flow flow) {
        InetAddress destination = FlowFacts.literal(flow.destinationAddress());
        if (destination == null) throw new IllegalArgumentException("next hop needs a destination IP address, not "
                + flow.destinationAddress());
        Routing.Lookup lookup = routing.lookup(destination, FlowFacts.literal(flow.sourceAddress()));
        JsonNode route = lookup.route();
        String table = route != null ? route.path("table").asText("main")
                : lookup.rule() != null && lookup.rule().has("table") ? lookup.rule().get("table").asText() : null;
        if (!lookup.ok()) {
            String text = route != null ? Routing.routeText(route)
                    : lookup.rule() != null ? Routing.ruleText(lookup.rule()) : "no route (" + lookup.kernelError() + ")";
            return new CheckReport.NextHop("None", null, lookup.userDefined(), text, table);
        }
        String gateway = lookup.lookup() != null && lookup.lookup().hasNonNull("gateway")
                ? lookup.lookup().get("gateway").asText()
                : route != null && route.hasNonNull("gateway") ? route.get("gateway").asText() : null;
        String type = route == null ? (gateway == null ? "VnetLocal" : "VirtualAppliance")
                : RouteTableReport.nextHopType(route.path("type").asText("unicast"), gateway, route.path("dst").asText(),
                        route.path("protocol").asText("boot"));
        return new CheckReport.NextHop(type, type.equals("VnetLocal") ? null : gateway, lookup.userDefined(),
                route == null ? null : Routing.routeText(route), table);
    }

    private static String capitalize(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
