package netwatcher.agent.hostcfg;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which traced packets are a flow's: a packet (as the trace first printed it, before NAT on this host) belongs to
 * the flow in its original direction or its reply when addresses, protocol and ports fit; what the flow does not
 * fix yet (an unknown source address, an ephemeral port) fits anything. Stateless.
 */
final class TracedFlow {
    private TracedFlow() {}

    /** Trace ids whose packet (as first traced, before NAT here) is the flow's, in either direction. */
    static Set<String> traceIds(NftTrace.Seen seen, FlowFacts flow) {
        Set<String> out = new LinkedHashSet<>();
        for (Map.Entry<String, NftTrace.Packet> e : seen.packets().entrySet()) {
            if (direction(e.getValue(), flow) != null) out.add(e.getKey());
        }
        return out;
    }

    /** "original", "reply", or null when the packet is not the flow's. Unknown parts of the flow match anything. */
    static String direction(NftTrace.Packet packet, FlowFacts flow) {
        if (packet == null) return null;
        if (flow.l4() != null && packet.l4() != null && !sameL4(flow.l4(), packet.l4())) return null;
        if (same(packet.saddr(), flow.saddr()) && same(packet.daddr(), flow.daddr())
                && port(packet.sport(), flow.sport()) && port(packet.dport(), flow.dport())) {
            return "original";
        }
        if (same(packet.saddr(), flow.daddr()) && same(packet.daddr(), flow.saddr())
                && port(packet.sport(), flow.dport()) && port(packet.dport(), flow.sport())) {
            return "reply";
        }
        return null;
    }

    private static boolean sameL4(String flow, String traced) {
        return flow.equals(traced) || flow.equals("icmpv6") && traced.equals("ipv6-icmp");
    }

    private static boolean same(String traced, InetAddress flow) {
        if (flow == null) return true;
        InetAddress address = FlowFacts.literal(traced);
        return address != null && address.equals(flow);
    }

    private static boolean port(int traced, int flow) {
        return flow == 0 || traced == 0 || traced == flow;
    }
}
