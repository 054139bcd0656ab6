package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's routing for one destination: {@code ip -j -d route get [fibmatch]} for the lookup itself, and,
 * when the kernel refuses the lookup (blackhole: EINVAL, unreachable: EHOSTUNREACH, prohibit: EACCES,
 * no route: ENETUNREACH), a walk over {@code ip -j -d rule} and {@code ip -j -d route show table all} in
 * the kernel's order (rules by priority, longest prefix then lowest metric per table, {@code throw}
 * continuing with the next rule) that names the rule and route responsible. Thread-safe (stateless
 * apart from the command runner).
 */
final class Routing {
    /** Route types that stop a packet. */
    static final Set<String> REFUSING = Set.of("blackhole", "unreachable", "prohibit");
    /** Route protocols the kernel or an autoconfiguration daemon set (Azure's "System Route"). */
    static final Set<String> SYSTEM_PROTOCOLS = netwatcher.model.agent.RouteTableReport.SYSTEM_PROTOCOLS;
    private static final Set<Integer> MAIN_RULE_PRIORITIES = Set.of(0, 32766, 32767);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The outcome of one lookup.
     *
     * @param ok          the kernel found a usable route
     * @param route       the FIB entry (fibmatch, or the walk's), null when there is none
     * @param lookup      {@code ip route get} (not fibmatch) output: dev, prefsrc, gateway; null when failed
     * @param rule        the policy rule that decided, when it was not one of the default rules (local/main/default)
     * @param kernelError the kernel's message when it refused the lookup
     * @param selectedBy  the policy rule whose action or table decided (default rules too), when the walk found one
     */
    record Lookup(boolean ok, JsonNode route, JsonNode lookup, JsonNode rule, String kernelError, JsonNode selectedBy) {
        Lookup(boolean ok, JsonNode route, JsonNode lookup, JsonNode rule, String kernelError) {
            this(ok, route, lookup, rule, kernelError, null);
        }

        String routeType() {
            if (route == null) return null;
            return route.path("type").asText("unicast");
        }

        boolean userDefined() {
            if (route == null) return rule != null;
            return !SYSTEM_PROTOCOLS.contains(route.path("protocol").asText("boot"));
        }
    }

    private final Commands commands;

    Routing(Commands commands) {
        this.commands = commands;
    }

    /**
     * The route the kernel picks for a packet to {@code destination}: sent by this host when {@code source} is
     * null or local, else forwarded (arriving on the interface that leads back to the source).
     */
    Lookup lookup(InetAddress destination, InetAddress source) {
        String family = destination.getAddress().length == 4 ? "-4" : "-6";
        List<String> selector = new ArrayList<>(List.of(destination.getHostAddress()));
        String inputInterface = null;
        if (source != null && !source.isAnyLocalAddress()) {
            selector.add("from");
            selector.add(source.getHostAddress());
            if (!isLocal(source)) {
                inputInterface = device(source).orElse(null);
                if (inputInterface != null) {
                    selector.add("iif");
                    selector.add(inputInterface);
                } else {
                    selector = new ArrayList<>(List.of(destination.getHostAddress()));
                }
            }
        }
        Commands.Result get = commands.run(concat(List.of("ip", family, "-j", "-d", "route", "get"), selector));
        if (get.ok()) {
            JsonNode lookup = first(get.stdout());
            Commands.Result fib = commands.run(concat(List.of("ip", family, "-j", "-d", "route", "get", "fibmatch"),
                    selector));
            JsonNode route = fib.ok() ? first(fib.stdout()) : lookup;
            return new Lookup(true, route, lookup, null, null);
        }
        String error = get.stderr().strip().replaceFirst("^RTNETLINK answers: ", "");
        Walk walk = walk(family, destination, source, inputInterface == null ? "lo" : inputInterface);
        return new Lookup(false, walk.route(), null, walk.rule(), error.isEmpty() ? "lookup failed" : error, walk.selectedBy());
    }

    /** The device of the route towards {@code address}, if the kernel has one. */
    Optional<String> device(InetAddress address) {
        String family = address.getAddress().length == 4 ? "-4" : "-6";
        Commands.Result get = commands.run("ip", family, "-j", "route", "get", address.getHostAddress());
        if (!get.ok()) return Optional.empty();
        JsonNode route = first(get.stdout());
        if (route == null || !route.hasNonNull("dev")) return Optional.empty();
        return Optional.of(route.get("dev").asText());
    }

    /** Whether the address is one of this host's own. */
    boolean isLocal(InetAddress address) {
        String family = address.getAddress().length == 4 ? "-4" : "-6";
        Commands.Result get = commands.run("ip", family, "-j", "-d", "route", "get", "fibmatch", address.getHostAddress());
        if (!get.ok()) return false;
        JsonNode route = first(get.stdout());
        return route != null && "local".equals(route.path("type").asText());
    }

    /**
     * What the walk over rules and tables found: the rule (when not a default one) and the route, either may be null,
     * and the rule that decided, default or not ({@code 32766: from all lookup main}).
     */
    record Walk(JsonNode rule, JsonNode route, JsonNode selectedBy) {
        Walk(JsonNode rule, JsonNode route) {
            this(rule, route, rule);
        }
    }

    Walk walk(String family, InetAddress destination, InetAddress source, String inputInterface) {
        JsonNode rules = parse(commands.run("ip", family, "-j", "-d", "rule").stdout());
        JsonNode routes = parse(commands.run("ip", family, "-j", "-d", "route", "show", "table", "all").stdout());
        return walk(rules, routes, destination, source, inputInterface);
    }

    /** The walk on already read {@code ip -j -d rule} and {@code ip -j -d route show table all} outputs. */
    static Walk walk(JsonNode rules, JsonNode routes, InetAddress destination, InetAddress source, String inputInterface) {
        List<JsonNode> ordered = new ArrayList<>();
        rules.forEach(ordered::add);
        ordered.sort(Comparator.comparingInt(r -> r.path("priority").asInt()));
        for (JsonNode rule : ordered) {
            if (!ruleMatches(rule, destination, source, inputInterface)) continue;
            boolean custom = !MAIN_RULE_PRIORITIES.contains(rule.path("priority").asInt())
                    || !Set.of("local", "main", "default").contains(rule.path("table").asText(""));
            String action = rule.path("action").asText("");
            if (REFUSING.contains(action)) return new Walk(rule, null, rule);
            if (!rule.has("table")) continue; // goto, nop
            JsonNode route = bestRoute(routes, rule.get("table").asText(), destination);
            if (route == null || route.path("type").asText().equals("throw")) continue;
            return new Walk(custom ? rule : null, route, rule);
        }
        return new Walk(null, null);
    }

    static boolean ruleMatches(JsonNode rule, InetAddress destination, InetAddress source, String inputInterface) {
        boolean matches = true;
        if (rule.has("src") && !rule.get("src").asText().equals("all")) {
            matches = source != null && covers(rule.get("src").asText(), rule.path("srclen").asInt(-1), source);
        }
        if (matches && rule.has("dst") && !rule.get("dst").asText().equals("all")) {
            matches = covers(rule.get("dst").asText(), rule.path("dstlen").asInt(-1), destination);
        }
        if (matches && rule.has("iif")) matches = rule.get("iif").asText().equals(inputInterface);
        if (matches && rule.has("oif")) matches = false; // our lookups are not bound to a device
        if (matches && rule.has("fwmark")) matches = Long.decode(rule.get("fwmark").asText()) == 0; // probes carry no mark
        for (String unmodelled : List.of("uidrange", "ipproto", "sport", "dport", "tos", "l3mdev")) {
            if (matches && rule.has(unmodelled)) matches = false;
        }
        return rule.has("not") != matches;
    }

    /** The longest-prefix, lowest-metric route of {@code table} covering {@code destination}, or null. */
    static JsonNode bestRoute(JsonNode routes, String table, InetAddress destination) {
        JsonNode best = null;
        int bestLength = -1;
        int bestMetric = Integer.MAX_VALUE;
        for (JsonNode route : routes) {
            if (!route.path("table").asText("main").equals(table)) continue;
            String type = route.path("type").asText("unicast");
            if (type.equals("broadcast") || type.equals("multicast")) continue;
            String dst = route.path("dst").asText();
            int length;
            if (dst.equals("default")) {
                length = 0;
            } else {
                int slash = dst.indexOf('/');
                InetAddress network = FlowFacts.literal(slash < 0 ? dst : dst.substring(0, slash));
                if (network == null || network.getAddress().length != destination.getAddress().length) continue;
                length = slash < 0 ? network.getAddress().length * 8 : Integer.parseInt(dst.substring(slash + 1));
                if (!RuleMatcher.inPrefix(destination, network, length)) continue;
            }
            int metric = route.path("metric").asInt(0);
            if (length > bestLength || (length == bestLength && metric < bestMetric)) {
                best = route;
                bestLength = length;
                bestMetric = metric;
            }
        }
        return best;
    }

    private static boolean covers(String network, int length, InetAddress address) {
        InetAddress net = FlowFacts.literal(network);
        if (net == null || net.getAddress().length != address.getAddress().length) return false;
        return RuleMatcher.inPrefix(address, net, length < 0 ? net.getAddress().length * 8 : length);
    }

    /** A route as {@code ip route} prints it: {@code [type] dst [via gw] [dev d] [table t] [proto p] [metric m]}. */
    static String routeText(JsonNode route) {
        StringBuilder text = new StringBuilder();
        String type = route.path("type").asText("unicast");
        if (!type.equals("unicast")) text.append(type).append(' ');
        text.append(route.path("dst").asText("?"));
        if (route.hasNonNull("gateway")) text.append(" via ").append(route.get("gateway").asText());
        if (route.hasNonNull("dev")) text.append(" dev ").append(route.get("dev").asText());
        String table = route.path("table").asText("main");
        if (!table.equals("main")) text.append(" table ").append(table);
        if (route.hasNonNull("protocol")) text.append(" proto ").append(route.get("protocol").asText());
        if (route.hasNonNull("metric") && route.get("metric").asInt() != 0) text.append(" metric ").append(route.get("metric").asInt());
        return text.toString();
    }

    /** A policy rule as {@code ip rule} prints it: {@code 32765: [not] from all to 198.18.70.0/24 lookup 77}. */
    static String ruleText(JsonNode rule) {
        StringBuilder text = new StringBuilder().append(rule.path("priority").asInt()).append(':');
        if (rule.has("not")) text.append(" not");
        text.append(" from ").append(prefix(rule, "src", "srclen"));
        if (rule.has("dst")) text.append(" to ").append(prefix(rule, "dst", "dstlen"));
        if (rule.has("fwmark")) text.append(" fwmark ").append(rule.get("fwmark").asText());
        if (rule.has("iif")) text.append(" iif ").append(rule.get("iif").asText());
        if (rule.has("oif")) text.append(" oif ").append(rule.get("oif").asText());
        if (rule.has("table")) text.append(" lookup ").append(rule.get("table").asText());
        else if (rule.has("action")) text.append(' ').append(rule.get("action").asText());
        return text.toString();
    }

    private static String prefix(JsonNode rule, String field, String lengthField) {
        String value = rule.path(field).asText("all");
        return rule.has(lengthField) ? value + "/" + rule.get(lengthField).asInt() : value;
    }

    private static List<String> concat(List<String> head, List<String> tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(tail);
        return out;
    }

    static JsonNode parse(String json) {
        try {
            JsonNode node = JSON.readTree(json.isBlank() ? "[]" : json);
            return node == null ? JSON.createArrayNode() : node;
        } catch (Exception e) {
            throw new IllegalStateException("ip printed no JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode first(String json) {
        JsonNode node = parse(json);
        return node.isArray() && !node.isEmpty() ? node.get(0) : null;
    }
}
