package netwatcher.agent.hostcfg;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A flow's facts with the interfaces each netfilter hook sees on this host, looked up once per address through the
 * routes ({@code ip route get}): the input interface is the one the route back to the sender uses ({@code lo} for
 * a local address), the output interface the one towards the receiver; {@code ""} where the hook has none (no
 * input interface in output, no output interface in input), null where it is not known yet. Not thread-safe: one
 * per explanation.
 */
final class HookInterfaces {
    private final Routing routing;
    private final FlowFacts original;
    private final Map<String, Optional<String>> devices = new LinkedHashMap<>();

    HookInterfaces(Routing routing, FlowFacts original) {
        this.routing = routing;
        this.original = original;
    }

    /** The facts of the original direction (or of the reply, reversed) as {@code hook} sees them. */
    FlowFacts forHook(String hook, boolean reply) {
        FlowFacts facts = reply ? original.reversed() : original;
        String in = switch (hook) {
            case "output" -> "";
            case "postrouting" -> null; // local or forwarded: unknown here
            default -> device(facts.saddr());
        };
        String out = switch (hook) {
            case "input" -> "";
            case "prerouting", "ingress" -> null; // not decided yet in the kernel either; matches on it are rare
            default -> device(facts.daddr());
        };
        return facts.withInterfaces(in, out);
    }

    private String device(InetAddress address) {
        if (address == null) return null;
        return devices.computeIfAbsent(address.getHostAddress(), key -> {
            if (routing.isLocal(address)) return Optional.of("lo");
            return routing.device(address);
        }).orElse(null);
    }
}
