package netwatcher.agent.evidence;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import netwatcher.agent.probe.Addresses;

/**
 * The libpcap filter that selects a check's own probes: the flow in both directions (protocol, source
 * addresses, destination address and port, the source port when the flow fixes one) and the ICMP errors
 * that routers and hosts send back to the source about it (time exceeded for the trace, destination
 * unreachable for a reject). A destination not yet resolved (a host name, at an observer's arming) is
 * left out, so the filter is then the protocol, the source addresses and the destination port.
 *
 * <p>Thread-safety: stateless.
 */
public final class EvidenceFilter {
    private EvidenceFilter() {}

    /**
     * The filter for a flow.
     *
     * @param protocol        Tcp, Http, Https or Icmp (case-insensitive)
     * @param sources         the addresses the probes may leave from (at least one)
     * @param destination     the destination address, or null when not known yet
     * @param destinationPort the destination port (ignored for Icmp)
     * @param sourcePort      the fixed source port, or 0 when the probes use ephemeral ports
     * @throws IllegalArgumentException when no source address is given
     */
    public static String of(String protocol, List<InetAddress> sources, InetAddress destination, int destinationPort, int sourcePort) {
        if (sources == null || sources.isEmpty()) throw new IllegalArgumentException("the filter needs the source's addresses");
        Set<InetAddress> from = new LinkedHashSet<>(sources);
        if (destination != null) {
            // only the source addresses of the destination's family can carry the flow
            List<InetAddress> same = from.stream().filter(a -> (a instanceof Inet4Address) == (destination instanceof Inet4Address)).toList();
            if (!same.isEmpty()) from = new LinkedHashSet<>(same);
        }
        boolean icmp = protocol != null && protocol.toLowerCase(Locale.ROOT).equals("icmp");
        String dst = destination == null ? null : Addresses.text(destination);
        List<String> parts = new ArrayList<>();
        if (icmp) {
            parts.add("(icmp or icmp6) and " + hosts("", from) + (dst == null ? "" : " and host " + dst));
        } else {
            StringBuilder out = new StringBuilder("tcp and " + hosts("src", from));
            if (dst != null) out.append(" and dst host ").append(dst);
            if (destinationPort > 0) out.append(" and dst port ").append(destinationPort);
            if (sourcePort > 0) out.append(" and src port ").append(sourcePort);
            parts.add(out.toString());
            StringBuilder back = new StringBuilder("tcp and " + hosts("dst", from));
            if (dst != null) back.append(" and src host ").append(dst);
            if (destinationPort > 0) back.append(" and src port ").append(destinationPort);
            if (sourcePort > 0) back.append(" and dst port ").append(sourcePort);
            parts.add(back.toString());
        }
        // ICMP errors to the source: IPv4 types 3 (unreachable) and 11 (time exceeded), quoting a packet to the
        // destination when it is known (the quoted IPv4 header's destination is at icmp[24:4]); IPv6 types 1 and 3
        List<InetAddress> v4 = from.stream().filter(a -> a instanceof Inet4Address).toList();
        List<InetAddress> v6 = from.stream().filter(a -> !(a instanceof Inet4Address)).toList();
        if (!v4.isEmpty()) {
            String quoted = destination instanceof Inet4Address d ? " and icmp[24:4] == 0x" + hex(d) : "";
            parts.add("icmp and (icmp[0] == 3 or icmp[0] == 11) and " + hosts("dst", v4) + quoted);
        }
        if (!v6.isEmpty()) parts.add("icmp6 and (ip6[40] == 1 or ip6[40] == 3) and " + hosts("dst", v6));
        return "(" + String.join(") or (", parts) + ")";
    }

    /** {@code (src host A or src host B)}; {@code qualifier} may be empty. */
    private static String hosts(String qualifier, Iterable<InetAddress> addresses) {
        List<String> each = new ArrayList<>();
        for (InetAddress a : addresses) each.add((qualifier.isEmpty() ? "" : qualifier + " ") + "host " + Addresses.text(a));
        return "(" + String.join(" or ", each) + ")";
    }

    private static String hex(InetAddress v4) {
        StringBuilder b = new StringBuilder();
        for (byte x : v4.getAddress()) b.append(String.format("%02x", x & 0xff));
        return b.toString();
    }
}
