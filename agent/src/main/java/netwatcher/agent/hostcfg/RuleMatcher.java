package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Evaluates nftables JSON {@code match} expressions against {@link FlowFacts}, three-valued: a match is
 * true, false, or unknown (an expression this class does not model, or a fact the flow does not fix, such
 * as an ephemeral source port). Modelled: {@code ip/ip6 saddr/daddr} (single address, prefix, range, set,
 * named set), {@code ip protocol}, {@code ip6 nexthdr}, {@code tcp/udp/th sport/dport} (single, range, set,
 * comparisons), {@code icmp/icmpv6 type}, {@code meta l4proto/nfproto/protocol/iifname/oifname/iif/oif},
 * {@code ct state/direction}. A payload match on another protocol than the flow's (say {@code tcp dport} on a
 * UDP flow, or {@code ip saddr} on IPv6) is false whatever its operator, as nft's implicit dependency is.
 * Stateless and thread-safe.
 */
final class RuleMatcher {
    enum Tri {
        TRUE, FALSE, UNKNOWN;

        Tri not() { return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN; }

        Tri and(Tri other) {
            if (this == FALSE || other == FALSE) return FALSE;
            if (this == UNKNOWN || other == UNKNOWN) return UNKNOWN;
            return TRUE;
        }

        static Tri of(boolean value) { return value ? TRUE : FALSE; }
    }

    /** A match's outcome, with the reason when it is unknown. */
    record Outcome(Tri value, String unknownReason) {
        static final Outcome TRUE = new Outcome(Tri.TRUE, null);
        static final Outcome FALSE = new Outcome(Tri.FALSE, null);

        static Outcome unknown(String reason) { return new Outcome(Tri.UNKNOWN, reason); }
    }

    /** A rule's outcome: all its matches, and the reasons of those that stayed unknown. */
    record RuleOutcome(Tri value, List<String> unknown) {}

    private static final Map<String, Integer> L4_NUMBERS = Map.of("tcp", 6, "udp", 17, "icmp", 1, "icmpv6", 58,
            "sctp", 132, "ipv6-icmp", 58);
    private static final Map<String, Integer> ICMP4_TYPES = Map.of("echo-request", 8, "echo-reply", 0);
    private static final Map<String, Integer> ICMP6_TYPES = Map.of("echo-request", 128, "echo-reply", 129);

    private final Map<String, JsonNode> sets;

    /** @param sets named sets by {@code family/table/name} (see {@link FirewallSnapshot#sets()}) */
    RuleMatcher(Map<String, JsonNode> sets) {
        this.sets = sets;
    }

    /** All matches of a rule: false if any is false, else unknown if any is unknown, else true. */
    RuleOutcome matchRule(FirewallSnapshot.Rule rule, FlowFacts facts) {
        Tri value = Tri.TRUE;
        List<String> unknown = new java.util.ArrayList<>();
        for (JsonNode match : rule.matches()) {
            Outcome outcome = match(match, facts, rule.family(), rule.table());
            value = value.and(outcome.value());
            if (outcome.value() == Tri.FALSE) return new RuleOutcome(Tri.FALSE, List.of());
            if (outcome.value() == Tri.UNKNOWN) unknown.add(outcome.unknownReason());
        }
        return new RuleOutcome(value, List.copyOf(unknown));
    }

    /** A map lookup: TRUE with the matching element's data, FALSE when no element matches, UNKNOWN when undecidable. */
    record MapHit(Tri value, JsonNode data) {}

    /**
     * Looks the flow's value of {@code key} up in a map's elements ({@code {"set": [[k, v], ...]}} or {@code "@name"}
     * of a named map), as a verdict map does.
     */
    MapHit lookup(JsonNode key, JsonNode data, FlowFacts facts, String family, String table) {
        Left left = left(key, facts, family);
        if (left.dependencyFails()) return new MapHit(Tri.FALSE, null);
        if (left.value() == null) return new MapHit(Tri.UNKNOWN, null);
        JsonNode elements = data.isTextual() && data.asText().startsWith("@")
                ? sets.get(family + "/" + table + "/" + data.asText().substring(1))
                : data.has("set") ? data.get("set") : null;
        if (elements == null || !elements.isArray()) return new MapHit(Tri.UNKNOWN, null);
        boolean unknown = false;
        for (JsonNode element : elements) {
            JsonNode pair = element.isArray() ? element : element.path("map");
            if (!pair.isArray() || pair.size() < 2) {
                unknown = true;
                continue;
            }
            Tri one = element(left, pair.get(0));
            if (one == Tri.TRUE) return new MapHit(Tri.TRUE, pair.get(1));
            if (one == Tri.UNKNOWN) unknown = true;
        }
        return new MapHit(unknown ? Tri.UNKNOWN : Tri.FALSE, null);
    }

    /** One {@code match} object ({@code {"op":..., "left":..., "right":...}}). */
    Outcome match(JsonNode match, FlowFacts facts, String family, String table) {
        String op = match.path("op").asText("==");
        JsonNode left = match.path("left");
        JsonNode right = match.path("right");
        Left value = left(left, facts, family);
        if (value.dependencyFails()) return Outcome.FALSE;
        if (value.value() == null) return Outcome.unknown(value.unknownReason());
        Tri result = switch (op) {
            case "==", "in" -> contains(value, right, family, table);
            case "!=" -> contains(value, right, family, table).not();
            case "<", ">", "<=", ">=" -> compare(value, op, right);
            default -> Tri.UNKNOWN;
        };
        return result == Tri.UNKNOWN ? Outcome.unknown(describe(left) + " " + op + " " + right) : new Outcome(result, null);
    }

    /** The flow's value for the left-hand side; null value = unknown; dependencyFails = the match cannot apply. */
    private record Left(Object value, boolean dependencyFails, String unknownReason, String kind) {
        static Left of(Object value, String kind) { return new Left(value, false, null, kind); }

        static Left unknown(String reason) { return new Left(null, false, reason, null); }

        static Left inapplicable() { return new Left(null, true, null, null); }
    }

    private Left left(JsonNode left, FlowFacts f, String tableFamily) {
        if (left.has("payload")) {
            JsonNode payload = left.get("payload");
            if (!payload.has("protocol")) return Left.unknown("raw payload " + payload);
            String protocol = payload.path("protocol").asText();
            String field = payload.path("field").asText();
            switch (protocol) {
                case "ip", "ip6" -> {
                    String needed = protocol.equals("ip") ? "ipv4" : "ipv6";
                    if (f.family() != null && !f.family().equals(needed)) return Left.inapplicable();
                    if (f.family() == null) return Left.unknown("address family of the flow");
                    return switch (field) {
                        case "saddr" -> f.saddr() == null ? Left.unknown("source address") : Left.of(f.saddr(), "addr");
                        case "daddr" -> f.daddr() == null ? Left.unknown("destination address") : Left.of(f.daddr(), "addr");
                        case "protocol", "nexthdr" -> f.l4() == null ? Left.unknown("protocol") : Left.of(f.l4(), "l4");
                        case "version" -> Left.of(protocol.equals("ip") ? 4 : 6, "number");
                        default -> Left.unknown(protocol + " " + field);
                    };
                }
                case "tcp", "udp", "th", "sctp", "dccp", "udplite" -> {
                    if (f.l4() == null) return Left.unknown("protocol of the flow");
                    boolean applies = protocol.equals("th") ? f.l4().equals("tcp") || f.l4().equals("udp")
                            : protocol.equals(f.l4());
                    if (!applies) return Left.inapplicable();
                    return switch (field) {
                        case "sport" -> f.sport() == 0 ? Left.unknown("source port (ephemeral)") : Left.of(f.sport(), "number");
                        case "dport" -> f.dport() == 0 ? Left.unknown("destination port") : Left.of(f.dport(), "number");
                        default -> Left.unknown(protocol + " " + field);
                    };
                }
                case "icmp", "icmpv6" -> {
                    if (f.l4() == null) return Left.unknown("protocol of the flow");
                    if (!protocol.equals(f.l4())) return Left.inapplicable();
                    if (field.equals("type") && f.icmpType() != null) return Left.of(f.icmpType(), protocol);
                    return Left.unknown(protocol + " " + field);
                }
                default -> {
                    return Left.unknown(protocol + " " + field);
                }
            }
        }
        if (left.has("meta")) {
            String key = left.get("meta").path("key").asText();
            return switch (key) {
                case "l4proto" -> f.l4() == null ? Left.unknown("protocol") : Left.of(f.l4(), "l4");
                case "nfproto" -> f.family() == null ? Left.unknown("address family") : Left.of(f.family(), "name");
                case "protocol" -> f.family() == null ? Left.unknown("address family")
                        : Left.of(f.family().equals("ipv4") ? "ip" : "ip6", "name");
                case "iifname", "iif" -> f.iif() == null ? Left.unknown("input interface") : Left.of(f.iif(), "ifname");
                case "oifname", "oif" -> f.oif() == null ? Left.unknown("output interface") : Left.of(f.oif(), "ifname");
                default -> Left.unknown("meta " + key);
            };
        }
        if (left.has("ct")) {
            JsonNode ct = left.get("ct");
            String key = ct.path("key").asText();
            if (ct.has("dir")) return Left.unknown("ct " + ct.path("dir").asText() + " " + key);
            return switch (key) {
                case "state" -> Left.of(f.ctState(), "name");
                case "direction" -> Left.of(f.ctState().equals("new") ? "original" : "reply", "name");
                default -> Left.unknown("ct " + key);
            };
        }
        return Left.unknown(describe(left));
    }

    private Tri contains(Left left, JsonNode right, String family, String table) {
        if (right.isTextual() && right.asText().startsWith("@")) {
            JsonNode elements = sets.get(family + "/" + table + "/" + right.asText().substring(1));
            if (elements == null) return Tri.UNKNOWN;
            return any(left, elements, family, table);
        }
        if (right.isArray()) return any(left, right, family, table);
        if (right.isObject() && right.has("set")) {
            JsonNode set = right.get("set");
            return set.isArray() ? any(left, set, family, table) : element(left, set);
        }
        return element(left, right);
    }

    private Tri any(Left left, JsonNode elements, String family, String table) {
        Tri result = Tri.FALSE;
        for (JsonNode element : elements) {
            Tri one = element(left, element);
            if (one == Tri.TRUE) return Tri.TRUE;
            if (one == Tri.UNKNOWN) result = Tri.UNKNOWN;
        }
        return result;
    }

    private Tri element(Left left, JsonNode right) {
        if (right.isObject() && right.has("elem")) return element(left, right.get("elem").path("val"));
        if (right.isObject() && right.has("prefix")) {
            if (!(left.value() instanceof InetAddress address)) return Tri.UNKNOWN;
            InetAddress network = FlowFacts.literal(right.get("prefix").path("addr").asText());
            if (network == null) return Tri.UNKNOWN;
            return Tri.of(inPrefix(address, network, right.get("prefix").path("len").asInt()));
        }
        if (right.isObject() && right.has("range")) {
            JsonNode range = right.get("range");
            if (left.value() instanceof InetAddress address) {
                InetAddress low = FlowFacts.literal(range.path(0).asText());
                InetAddress high = FlowFacts.literal(range.path(1).asText());
                if (low == null || high == null) return Tri.UNKNOWN;
                if (low.getAddress().length != address.getAddress().length) return Tri.FALSE;
                BigInteger a = new BigInteger(1, address.getAddress());
                return Tri.of(a.compareTo(new BigInteger(1, low.getAddress())) >= 0
                        && a.compareTo(new BigInteger(1, high.getAddress())) <= 0);
            }
            Integer value = number(left.value(), left.kind());
            Integer low = number(range.path(0), left.kind());
            Integer high = number(range.path(1), left.kind());
            if (value == null || low == null || high == null) return Tri.UNKNOWN;
            return Tri.of(value >= low && value <= high);
        }
        if (right.isObject()) return Tri.UNKNOWN; // concatenations, maps, expressions
        Object value = left.value();
        if (value instanceof InetAddress address) {
            String text = right.asText();
            if (text.contains("/")) {
                InetAddress network = FlowFacts.literal(text.substring(0, text.indexOf('/')));
                if (network == null) return Tri.UNKNOWN;
                return Tri.of(inPrefix(address, network, Integer.parseInt(text.substring(text.indexOf('/') + 1))));
            }
            InetAddress other = FlowFacts.literal(text);
            return other == null ? Tri.UNKNOWN : Tri.of(other.equals(address));
        }
        if ("ifname".equals(left.kind())) {
            String pattern = right.asText();
            String name = (String) value;
            if (pattern.endsWith("*")) return Tri.of(name.startsWith(pattern.substring(0, pattern.length() - 1)));
            return Tri.of(name.equals(pattern));
        }
        Integer mine = number(value, left.kind());
        Integer theirs = number(right, left.kind());
        if (mine != null && theirs != null) return Tri.of(mine.equals(theirs));
        if (value instanceof String name && right.isTextual()) return Tri.of(name.equalsIgnoreCase(right.asText()));
        return Tri.UNKNOWN;
    }

    private Tri compare(Left left, String op, JsonNode right) {
        Integer mine = number(left.value(), left.kind());
        Integer theirs = number(right, left.kind());
        if (mine == null || theirs == null) return Tri.UNKNOWN;
        return Tri.of(switch (op) {
            case "<" -> mine < theirs;
            case ">" -> mine > theirs;
            case "<=" -> mine <= theirs;
            default -> mine >= theirs;
        });
    }

    /** A numeric view of a value of this kind (port, protocol number, ICMP type), or null. */
    private static Integer number(Object value, String kind) {
        if (value instanceof JsonNode node) {
            if (node.isNumber()) return node.asInt();
            if (!node.isTextual()) return null;
            value = node.asText();
        }
        if (value instanceof Integer i) return i;
        if (!(value instanceof String text)) return null;
        if (text.matches("\\d+")) return Integer.parseInt(text);
        String name = text.toLowerCase(Locale.ROOT);
        if (kind == null) return null;
        return switch (kind) {
            case "l4" -> L4_NUMBERS.get(name);
            case "icmp" -> ICMP4_TYPES.get(name);
            case "icmpv6" -> ICMP6_TYPES.get(name);
            default -> null;
        };
    }

    static boolean inPrefix(InetAddress address, InetAddress network, int length) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) return false;
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }

    private static String describe(JsonNode left) {
        if (left.has("payload")) {
            JsonNode p = left.get("payload");
            return p.has("protocol") ? p.path("protocol").asText() + " " + p.path("field").asText() : "payload " + p;
        }
        if (left.has("meta")) return "meta " + left.get("meta").path("key").asText();
        if (left.has("ct")) return "ct " + left.get("ct").path("key").asText();
        return left.toString();
    }
}
