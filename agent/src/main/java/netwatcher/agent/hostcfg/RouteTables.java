package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.agent.RouteTableReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's kernel routing tables for its {@code HostReport}: {@code ip -4} and {@code ip -6 -j -d route show
 * table all}, grouped by table in the kernel's order. Broadcast, multicast and anycast entries are left out (they
 * route no probe); so is every table past {@link #MAX_TABLES} and every route past {@link #MAX_ROUTES} of a table
 * and every route past {@link #MAX_TOTAL_ROUTES} in all (the controller's limits, docs/agent-protocol.md section 9). Thread-safe (each call runs the commands afresh).
 */
public final class RouteTables {
    /** Tables per report and routes per table, as the controller accepts them. */
    public static final int MAX_TABLES = 64;
    public static final int MAX_ROUTES = 1024;
    /** Routes per report, all tables together: keeps the host report far below the agent API's 1 MiB body limit. */
    public static final int MAX_TOTAL_ROUTES = 2048;
    private static final Set<String> LEFT_OUT = Set.of("broadcast", "multicast", "anycast");
    /** Table names the controller accepts (part of an ARM name); a table named otherwise is left out. */
    private static final java.util.regex.Pattern TABLE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Commands commands;

    /** Reads the namespace this process runs in. */
    public RouteTables() {
        this(List.of());
    }

    /** @param commandPrefix prepended to every command, e.g. {@code ["ip", "netns", "exec", "nw-lab-fw2"]} */
    public RouteTables(List<String> commandPrefix) {
        this.commands = new Commands(commandPrefix, Duration.ofSeconds(10));
    }

    /**
     * Every table with its routes now; empty when {@code ip} cannot be run.
     */
    public List<RouteTableReport> read() {
        Map<String, List<RouteTableReport.Route>> tables = new LinkedHashMap<>();
        for (String family : List.of("-4", "-6")) {
            Commands.Result show = commands.run("ip", family, "-j", "-d", "route", "show", "table", "all");
            if (!show.ok()) continue;
            JsonNode routes;
            try {
                routes = Routing.parse(show.stdout());
            } catch (IllegalStateException e) {
                continue;
            }
            collect(routes, family.equals("-6"), tables);
        }
        List<RouteTableReport> out = new ArrayList<>();
        int left = MAX_TOTAL_ROUTES;
        for (Map.Entry<String, List<RouteTableReport.Route>> e : tables.entrySet()) {
            if (out.size() >= MAX_TABLES || left == 0) break;
            List<RouteTableReport.Route> routes = e.getValue();
            int keep = Math.min(left, Math.min(MAX_ROUTES, routes.size()));
            out.add(new RouteTableReport(e.getKey(), routes.subList(0, keep)));
            left -= keep;
        }
        return out;
    }

    /** Adds the routes of one {@code ip -j -d route show table all} output to {@code tables}. */
    static void collect(JsonNode routes, boolean ipv6, Map<String, List<RouteTableReport.Route>> tables) {
        for (JsonNode route : routes) {
            String type = route.path("type").asText("unicast");
            if (LEFT_OUT.contains(type)) continue;
            String table = route.path("table").asText("main");
            if (!TABLE_NAME.matcher(table).matches()) continue;
            String dst = route.path("dst").asText("default");
            String prefix;
            if (dst.equals("default")) {
                prefix = ipv6 ? "::/0" : "0.0.0.0/0";
            } else {
                prefix = dst.contains("/") ? dst : dst + (ipv6 ? "/128" : "/32");
            }
            String gateway = route.hasNonNull("gateway") ? route.get("gateway").asText() : null;
            if (gateway == null && route.has("nexthops") && route.get("nexthops").isArray() && !route.get("nexthops").isEmpty()) {
                gateway = route.get("nexthops").get(0).path("gateway").asText(null); // multipath: the first path
            }
            String device = route.hasNonNull("dev") ? route.get("dev").asText() : null;
            if (device != null && !netwatcher.model.agent.HostNames.interfaceName(device)) device = null;
            String protocol = route.hasNonNull("protocol") ? route.get("protocol").asText() : null;
            if (protocol != null && !protocol.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) protocol = null;
            tables.computeIfAbsent(table, k -> new ArrayList<>()).add(new RouteTableReport.Route(prefix, type, gateway, device,
                    protocol, route.path("metric").asLong(0)));
        }
    }
}
