package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code iptables-save -c} / {@code ip6tables-save -c} output (legacy or nft flavour) into the snapshot's
 * chains and rules. Each rule's options become {@code match} objects in nft's JSON shape, so the one
 * {@link RuleMatcher} and {@link RulesetEvaluator} judge iptables rules too: addresses ({@code -s}, {@code -d}),
 * protocol ({@code -p}), ports ({@code --sport}, {@code --dport}, {@code -m multiport}), interfaces ({@code -i},
 * {@code -o}, {@code +} wildcards), conntrack state ({@code -m state}, {@code -m conntrack --ctstate}), ICMP type,
 * negation with {@code !}. Any other option becomes a match the matcher reports as not evaluated (never as
 * proof against a rule). Targets: ACCEPT, DROP, REJECT, RETURN, QUEUE/NFQUEUE, a user chain ({@code -j} jump,
 * {@code -g} goto: a name the table declares as a chain); others (LOG, MARK, DNAT...) decide nothing. Built-in chains get the hook, priority and type
 * their table registers in the kernel (raw -300, mangle -150, nat -100/100, filter 0, security 50). Handles are
 * the rule's position in its chain (1 = first). Stateless.
 */
final class IptablesSave {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Hook, priority and chain type of a built-in chain. */
    private record BuiltIn(String hook, int priority, String type) {}

    private static final Map<String, Map<String, BuiltIn>> BUILT_INS = Map.of(
            "filter", Map.of("INPUT", new BuiltIn("input", 0, "filter"), "FORWARD", new BuiltIn("forward", 0, "filter"),
                    "OUTPUT", new BuiltIn("output", 0, "filter")),
            "security", Map.of("INPUT", new BuiltIn("input", 50, "filter"), "FORWARD", new BuiltIn("forward", 50, "filter"),
                    "OUTPUT", new BuiltIn("output", 50, "filter")),
            "raw", Map.of("PREROUTING", new BuiltIn("prerouting", -300, "filter"), "OUTPUT", new BuiltIn("output", -300, "filter")),
            "mangle", Map.of("PREROUTING", new BuiltIn("prerouting", -150, "filter"), "INPUT", new BuiltIn("input", -150, "filter"),
                    "FORWARD", new BuiltIn("forward", -150, "filter"), "OUTPUT", new BuiltIn("output", -150, "route"),
                    "POSTROUTING", new BuiltIn("postrouting", -150, "filter")),
            "nat", Map.of("PREROUTING", new BuiltIn("prerouting", -100, "nat"), "INPUT", new BuiltIn("input", 100, "nat"),
                    "OUTPUT", new BuiltIn("output", -100, "nat"), "POSTROUTING", new BuiltIn("postrouting", 100, "nat")));

    private static final Set<String> TERMINAL = Set.of("ACCEPT", "DROP", "REJECT", "RETURN", "QUEUE", "NFQUEUE");

    /** What one save output holds. */
    record Parsed(List<FirewallSnapshot.Chain> chains, List<FirewallSnapshot.Rule> rules) {}

    private IptablesSave() {}

    /**
     * @param family  ip (iptables-save) or ip6 (ip6tables-save)
     * @param backend which tool printed it
     */
    static Parsed parse(String save, String family, FirewallSnapshot.Backend backend) {
        List<FirewallSnapshot.Chain> chains = new ArrayList<>();
        List<FirewallSnapshot.Rule> rules = new ArrayList<>();
        String table = null;
        Map<String, Integer> positions = new java.util.HashMap<>();
        Set<String> chainNames = new java.util.HashSet<>();
        for (String raw : save.lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) continue;
            if (line.startsWith("*")) {
                table = line.substring(1).strip();
                chainNames.clear();
                continue;
            }
            if (table == null) continue;
            if (line.startsWith(":")) {
                String[] parts = line.substring(1).split("\\s+");
                String name = parts[0];
                chainNames.add(name);
                BuiltIn builtIn = BUILT_INS.getOrDefault(table, Map.of()).get(name);
                String policy = parts.length > 1 && !parts[1].equals("-") ? parts[1].toLowerCase(Locale.ROOT) : null;
                chains.add(builtIn == null
                        ? new FirewallSnapshot.Chain(family, table, name, null, null, null, null, backend, null)
                        : new FirewallSnapshot.Chain(family, table, name, builtIn.type(), builtIn.hook(), builtIn.priority(),
                                policy == null ? "accept" : policy, backend, null));
                continue;
            }
            long packets = -1;
            long bytes = -1;
            String body = line;
            if (body.startsWith("[")) {
                int end = body.indexOf(']');
                String[] counts = body.substring(1, end).split(":");
                packets = Long.parseLong(counts[0]);
                bytes = Long.parseLong(counts[1]);
                body = body.substring(end + 1).strip();
            }
            if (!body.startsWith("-A ")) continue;
            List<String> tokens = tokens(body);
            String chain = tokens.get(1);
            int position = positions.merge(table + "/" + chain, 1, Integer::sum);
            rules.add(rule(new TableScope(family, table, backend, chainNames),
                    new RuleLine(chain, position, tokens.subList(2, tokens.size()), body, packets, bytes)));
        }
        return new Parsed(chains, rules);
    }

    /**
     * The table an {@code -A} line belongs to.
     *
     * @param family     ip or ip6
     * @param table      the table's name ({@code *filter})
     * @param backend    which tool printed it
     * @param chainNames the chains the table declared so far (a {@code -j}/{@code -g} to one of them is a jump/goto)
     */
    record TableScope(String family, String table, FirewallSnapshot.Backend backend, Set<String> chainNames) {}

    /**
     * One {@code -A} line.
     *
     * @param chain    the chain it appends to
     * @param position its position in the chain (1 = first): the rule's handle
     * @param options  its options after the chain name
     * @param text     the line as printed (without the counters)
     * @param packets  the counter's packets, or -1 when {@code -c} printed none
     * @param bytes    the counter's bytes, or -1 when {@code -c} printed none
     */
    record RuleLine(String chain, long position, List<String> options, String text, long packets, long bytes) {}

    /** One {@code -A} line's options (after the chain name) as a rule. */
    static FirewallSnapshot.Rule rule(TableScope scope, RuleLine line) {
        String family = scope.family();
        List<String> options = line.options();
        Set<String> chainNames = scope.chainNames();
        String ip = family.equals("ip6") ? "ip6" : "ip";
        List<JsonNode> matches = new ArrayList<>();
        String comment = null;
        String verdict = null;
        String target = null;
        String protocol = null;
        boolean negate = false;
        String module = null;
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            if (option.equals("!")) {
                negate = true;
                continue;
            }
            String value = i + 1 < options.size() ? options.get(i + 1) : "";
            boolean consumed = true;
            switch (option) {
                case "-s", "--source" -> matches.add(match(negate, payload(ip, "saddr"), address(value)));
                case "-d", "--destination" -> matches.add(match(negate, payload(ip, "daddr"), address(value)));
                case "-p", "--protocol" -> {
                    protocol = protocolName(value);
                    if (!protocol.equals("all")) matches.add(match(negate, meta("l4proto"), protocolValue(protocol)));
                }
                case "-i", "--in-interface" -> matches.add(match(negate, meta("iifname"), NODES.textNode(ifname(value))));
                case "-o", "--out-interface" -> matches.add(match(negate, meta("oifname"), NODES.textNode(ifname(value))));
                case "-m", "--match" -> module = value;
                case "--dport", "--destination-port" -> matches.add(match(negate, payload(port(protocol), "dport"), ports(value)));
                case "--sport", "--source-port" -> matches.add(match(negate, payload(port(protocol), "sport"), ports(value)));
                case "--dports", "--destination-ports" -> matches.add(match(negate, payload(port(protocol), "dport"), portList(value)));
                case "--sports", "--source-ports" -> matches.add(match(negate, payload(port(protocol), "sport"), portList(value)));
                case "--state", "--ctstate" -> matches.add(match(negate, ct("state"), states(value)));
                case "--icmp-type", "--icmpv6-type" -> matches.add(match(negate,
                        payload(option.equals("--icmp-type") ? "icmp" : "icmpv6", "type"), icmpType(value)));
                case "--comment" -> comment = value;
                case "-j", "--jump", "-g", "--goto" -> {
                    String upper = value.toUpperCase(Locale.ROOT);
                    if (TERMINAL.contains(upper)) {
                        verdict = upper.equals("NFQUEUE") ? "queue" : upper.toLowerCase(Locale.ROOT);
                    } else if (chainNames.contains(value)) {
                        verdict = option.startsWith("-g") || option.equals("--goto") ? "goto" : "jump";
                        target = value;
                    }
                    i = options.size(); // the target's own options follow; they decide nothing here
                    consumed = false;
                }
                default -> {
                    // an option this reader does not model: it (and its value, when it has one) is not evaluated
                    boolean hasValue = i + 1 < options.size() && !options.get(i + 1).startsWith("-")
                            && !options.get(i + 1).equals("!");
                    String described = (negate ? "! " : "") + (module == null ? "" : "-m " + module + " ") + option
                            + (hasValue ? " " + value : "");
                    ObjectNode left = NODES.objectNode();
                    left.put("iptables", described);
                    matches.add(match(false, left, NODES.textNode("?")));
                    consumed = hasValue;
                }
            }
            negate = false;
            if (consumed) i++;
        }
        ArrayNode expr = NODES.arrayNode();
        for (JsonNode m : matches) expr.add(NODES.objectNode().set("match", m));
        if (verdict != null) {
            ObjectNode statement = NODES.objectNode();
            if (target != null) statement.set(verdict, NODES.objectNode().put("target", target));
            else statement.putNull(verdict);
            expr.add(statement);
        }
        return new FirewallSnapshot.Rule(family, scope.table(), line.chain(), line.position(), comment, verdict, target,
                line.packets(), line.bytes(), matches, expr, line.text(), scope.backend());
    }

    private static ObjectNode match(boolean negate, JsonNode left, JsonNode right) {
        ObjectNode m = NODES.objectNode();
        m.put("op", negate ? "!=" : "==");
        m.set("left", left);
        m.set("right", right);
        return m;
    }

    private static ObjectNode payload(String protocol, String field) {
        ObjectNode p = NODES.objectNode();
        p.put("protocol", protocol);
        p.put("field", field);
        return (ObjectNode) NODES.objectNode().set("payload", p);
    }

    private static ObjectNode meta(String key) {
        return (ObjectNode) NODES.objectNode().set("meta", NODES.objectNode().put("key", key));
    }

    private static ObjectNode ct(String key) {
        return (ObjectNode) NODES.objectNode().set("ct", NODES.objectNode().put("key", key));
    }

    private static JsonNode address(String value) {
        int slash = value.indexOf('/');
        if (slash < 0) return NODES.textNode(value);
        String length = value.substring(slash + 1);
        String addr = value.substring(0, slash);
        if (length.equals("32") && !addr.contains(":") || length.equals("128") && addr.contains(":")) {
            return NODES.textNode(addr);
        }
        if (!length.matches("\\d+")) return NODES.textNode(value); // a dotted mask: compared as text, i.e. unknown
        ObjectNode prefix = NODES.objectNode();
        prefix.put("addr", addr);
        prefix.put("len", Integer.parseInt(length));
        return NODES.objectNode().set("prefix", prefix);
    }

    private static String protocolName(String value) {
        String p = value.toLowerCase(Locale.ROOT);
        return switch (p) {
            case "ipv6-icmp", "icmp6", "58" -> "icmpv6";
            case "6" -> "tcp";
            case "17" -> "udp";
            case "1" -> "icmp";
            case "0" -> "all";
            default -> p;
        };
    }

    private static JsonNode protocolValue(String protocol) {
        return protocol.matches("\\d+") ? NODES.numberNode(Integer.parseInt(protocol)) : NODES.textNode(protocol);
    }

    /** The payload protocol of a port match: the rule's {@code -p} when TCP/UDP/SCTP, else either. */
    private static String port(String protocol) {
        return protocol != null && Set.of("tcp", "udp", "sctp", "dccp", "udplite").contains(protocol) ? protocol : "th";
    }

    private static JsonNode ports(String value) {
        if (value.contains(":")) {
            String[] bounds = value.split(":", -1);
            int low = bounds[0].isEmpty() ? 0 : Integer.parseInt(bounds[0]);
            int high = bounds[1].isEmpty() ? 65535 : Integer.parseInt(bounds[1]);
            ArrayNode range = NODES.arrayNode().add(low).add(high);
            return NODES.objectNode().set("range", range);
        }
        return value.matches("\\d+") ? NODES.numberNode(Integer.parseInt(value)) : NODES.textNode(value);
    }

    private static JsonNode portList(String value) {
        ArrayNode set = NODES.arrayNode();
        for (String one : value.split(",")) set.add(ports(one));
        return NODES.objectNode().set("set", set);
    }

    private static JsonNode states(String value) {
        ArrayNode set = NODES.arrayNode();
        for (String one : value.split(",")) set.add(one.toLowerCase(Locale.ROOT));
        return NODES.objectNode().set("set", set);
    }

    private static JsonNode icmpType(String value) {
        String type = value.contains("/") ? value.substring(0, value.indexOf('/')) : value;
        return type.matches("\\d+") ? NODES.numberNode(Integer.parseInt(type)) : NODES.textNode(type);
    }

    private static String ifname(String value) {
        return value.endsWith("+") ? value.substring(0, value.length() - 1) + "*" : value;
    }

    /** Splits a save line into words; double quotes group (iptables-save quotes comments, with \" inside). */
    static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    word.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any || !word.isEmpty()) out.add(word.toString());
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
            }
        }
        if (any || !word.isEmpty()) out.add(word.toString());
        return out;
    }
}
