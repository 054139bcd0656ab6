package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the probes of a check arrive at this host, its destination: a table of its own,
 * {@code inet nw_seen_<random>}, whose prerouting chain (priority -400, before conntrack and any DNAT) counts the
 * packets to the flow's destination address, protocol and port, from anyone. Installed when the observer arms
 * (before the source probes); {@link #finding()} reads the counter and {@link #close()} removes the table (also
 * on a failed start, and by a shutdown hook if the JVM exits first).
 *
 * <p>Zero packets proves that the destination never saw the probes: when the source still got its answers, a
 * middlebox on the path answered for the destination (a DNAT or redirect, a transparent proxy). More than zero
 * proves nothing either way (another client may use the port; a proxy may connect on the probes' behalf), so only
 * zero makes a finding. Thread-safe: {@code close} is idempotent.
 */
public final class ArrivalWitness implements AutoCloseable {
    /** The finding type: the destination's own observer saw none of the flow's packets arrive. */
    public static final String NOT_REACHED = "DestinationNotReached";

    private final Commands commands;
    private final String table;
    private final String description;
    private final Thread shutdownHook;
    private boolean closed;

    private ArrivalWitness(Commands commands, String table, String description, Thread shutdownHook) {
        this.commands = commands;
        this.table = table;
        this.description = description;
        this.shutdownHook = shutdownHook;
    }

    /**
     * Starts counting when {@code flow}'s destination is a literal address of this host; empty otherwise (a name
     * not resolved yet, another host's address).
     *
     * @throws IllegalStateException when nft cannot add the table (nothing is left behind)
     */
    static Optional<ArrivalWitness> start(Commands commands, Routing routing, Flow flow) {
        FlowFacts facts = FlowFacts.of(flow);
        if (facts.daddr() == null || !routing.isLocal(facts.daddr()) || facts.daddr().isLoopbackAddress()) return Optional.empty();
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String table = "nw_seen_" + HexFormat.of().formatHex(random);
        FlowFacts toHere = new FlowFacts(facts.family(), facts.l4(), null, facts.daddr(), 0, facts.dport(), null, null,
                null, facts.icmpType());
        String selector = NftTrace.selector(toHere);
        if (facts.icmpType() != null) selector = selector + " " + facts.l4() + " type " + facts.icmpType();
        Thread hook = new Thread(() -> commands.run("nft", "delete", "table", "inet", table), "nft-seen-cleanup-" + table);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            commands.runOrThrow("nft", "table inet " + table + " {\n chain pre { type filter hook prerouting priority -400;"
                    + " policy accept; " + selector + " counter; }\n}\n");
        } catch (RuntimeException e) {
            commands.run("nft", "delete", "table", "inet", table);
            removeHook(hook);
            throw new IllegalStateException("cannot count the flow's arrivals: " + e.getMessage(), e);
        }
        String what = facts.l4() == null ? "packets" : facts.l4() + (facts.dport() != 0 ? " port " + facts.dport() : "");
        return Optional.of(new ArrivalWitness(commands, table, what + " to " + facts.daddr().getHostAddress(), hook));
    }

    /** The packets counted so far; -1 when the counter cannot be read. */
    long packets() {
        Commands.Result list = commands.run("nft", "-j", "list", "table", "inet", table);
        if (!list.ok()) return -1;
        JsonNode root = Routing.parse(list.stdout());
        for (JsonNode item : root.path("nftables")) {
            for (JsonNode expr : item.path("rule").path("expr")) {
                if (expr.has("counter")) return expr.path("counter").path("packets").asLong(-1);
            }
        }
        return -1;
    }

    /**
     * {@code DestinationNotReached} (Warning, origin Inbound, evidence counters) when no packet of the flow arrived
     * since the witness started; empty when some did or the count is unknown.
     */
    public synchronized Optional<CheckReport.Finding> finding() {
        if (closed) return Optional.empty();
        long packets = packets();
        if (packets != 0) return Optional.empty();
        Map<String, String> context = new LinkedHashMap<>();
        context.put("Observed", "0 " + description + " arrived at this host while the check ran");
        context.put("Message", "the destination never saw the probes: what answered them is on the path (a DNAT or"
                + " redirect rule, a transparent proxy)");
        return Optional.of(new CheckReport.Finding(NOT_REACHED, "Inbound", "Warning", context, "counters"));
    }

    /** Removes the table (idempotent). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        commands.run("nft", "delete", "table", "inet", table);
        removeHook(shutdownHook);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it removes the same table
        }
    }
}
