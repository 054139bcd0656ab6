package netwatcher.agent.hostcfg;

import netwatcher.model.check.Flow;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The packet facts a rule can be evaluated against, derived from a {@link Flow}: the first packet of a new
 * connection (conntrack state {@code new}; for ICMP an echo request). Unknown facts are null (or 0 for
 * ports) and make a match on them unknown; an interface of {@code ""} means "not set in this hook" (no
 * input interface in output, no output interface in input).
 *
 * @param family  ipv4 | ipv6 | null
 * @param l4      tcp | udp | icmp | icmpv6 | null
 * @param icmpType echo-request | echo-reply for ICMP flows, else null
 */
record FlowFacts(String family, String l4, InetAddress saddr, InetAddress daddr, int sport, int dport, String iif,
                 String oif, String ctState, String icmpType) {

    /** Facts for the flow's first packet, before interfaces are known. */
    static FlowFacts of(Flow flow) {
        InetAddress source = literal(flow.sourceAddress());
        InetAddress destination = literal(flow.destinationAddress());
        String family = familyOf(destination != null ? destination : source);
        if (family == null && flow.preferredIpVersion() != null) {
            family = flow.preferredIpVersion().equalsIgnoreCase("IPv6") ? "ipv6" : "ipv4";
        }
        String protocol = flow.protocol() == null ? "tcp" : flow.protocol().toLowerCase(Locale.ROOT);
        String l4 = switch (protocol) {
            case "udp" -> "udp";
            case "icmp" -> "ipv6".equals(family) ? "icmpv6" : "icmp";
            case "*", "any" -> null;
            default -> "tcp"; // Tcp, Http, Https
        };
        int dport = flow.destinationPort();
        if (dport == 0 && protocol.equals("http")) dport = 80;
        if (dport == 0 && protocol.equals("https")) dport = 443;
        boolean icmp = l4 != null && l4.startsWith("icmp");
        return new FlowFacts(family, l4, source, destination, icmp ? 0 : flow.sourcePort(), icmp ? 0 : dport,
                null, null, "new", icmp ? "echo-request" : null);
    }

    /** The reply direction: addresses and ports swapped, conntrack state established. */
    FlowFacts reversed() {
        return new FlowFacts(family, l4, daddr, saddr, dport, sport, null, null, "established",
                icmpType == null ? null : "echo-reply");
    }

    FlowFacts withInterfaces(String inputInterface, String outputInterface) {
        return new FlowFacts(family, l4, saddr, daddr, sport, dport, inputInterface, outputInterface, ctState, icmpType);
    }

    static String familyOf(InetAddress address) {
        if (address == null) return null;
        return address.getAddress().length == 4 ? "ipv4" : "ipv6";
    }

    /** The address of an IP literal; null for null, names and anything else that is not a literal. */
    static InetAddress literal(String text) {
        if (text == null || text.isBlank()) return null;
        String t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        boolean looksLiteral = t.contains(":") ? t.matches("[0-9a-fA-F:.]+") : t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!looksLiteral) return null;
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
