package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * This host's firewall and routes as they concern one flow, read from the kernel through the host's own
 * tools: {@code nft -j list ruleset} (nftables, including iptables-nft rules, read back with
 * {@code iptables-nft-save}), {@code iptables-legacy-save}, {@code ip -j route get},
 * {@code ip -j rule} and {@code ip -j route show table all}. It answers the agent's parts of the checks in
 * section 8 of {@code docs/agent-protocol.md}:
 * <ul>
 *   <li>{@link #snapshot()} before and after a probe (with {@link #startTrace} around it), and {@link #explain} on
 *       the two: the rule or policy that stopped the flow on this host, proved by counters, by the trace or by the
 *       ruleset's evaluation ({@link FirewallExplainer}), and the route finding (evidence {@code route-lookup});</li>
 *   <li>{@link #verify(Flow)}: IP flow verify, the ruleset evaluated statically for the flow, without traffic;</li>
 *   <li>{@link #nextHop(Flow)}: the route the kernel picks.</li>
 * </ul>
 * The commands run in the caller's network namespace, or behind a prefix such as {@code ip netns exec NAME}.
 * Thread-safe: it keeps no state between calls.
 */
public final class HostConfig {
    /** Finding types, as ARM's IssueType spells them. */
    public static final String GUEST_FIREWALL = "GuestFirewall";
    public static final String NETWORK_SECURITY_RULE = "NetworkSecurityRule";
    public static final String USER_DEFINED_ROUTE = "UserDefinedRoute";

    private final Commands commands;
    private final Routing routing;
    private final RulesetReader reader;
    private final RouteExplainer routes;
    private final FlowVerifier verifier;

    /** Reads the namespace this process runs in. */
    public HostConfig() {
        this(List.of(), InstantSource.system());
    }

    /**
     * @param commandPrefix prepended to every command, e.g. {@code ["ip", "netns", "exec", "nw-lab-fw2"]}; empty for
     *                      this process's own namespace
     * @param clock         stamps snapshots
     */
    public HostConfig(List<String> commandPrefix, InstantSource clock) {
        this.commands = new Commands(commandPrefix, Duration.ofSeconds(10));
        this.routing = new Routing(commands);
        this.reader = new RulesetReader(commands, clock);
        this.routes = new RouteExplainer(routing);
        this.verifier = new FlowVerifier(routing, reader);
    }

    /**
     * The host's whole packet filter with its counters, now ({@link RulesetReader}): nftables (tables written by nft
     * and by iptables-nft, the latter read back through {@code iptables-nft-save}) and iptables-legacy. A Warning
     * finding says what could not be read.
     *
     * @throws IllegalStateException when {@code nft} fails (missing, no CAP_NET_ADMIN)
     */
    public FirewallSnapshot snapshot() {
        return reader.read();
    }

    /**
     * This host's part in a flow that was probed between {@code before} and {@code after}, without a trace: see
     * {@link #explain(FirewallSnapshot, FirewallSnapshot, Flow, boolean, NftTrace.Seen)}.
     *
     * @param thisHostIsSource true on the probing host (its output chains see the flow first)
     */
    public List<CheckReport.Finding> explain(FirewallSnapshot before, FirewallSnapshot after, Flow flow,
                                             boolean thisHostIsSource) {
        return explain(before, after, flow, thisHostIsSource, (NftTrace.Seen) null);
    }

    /** {@link #explain(FirewallSnapshot, FirewallSnapshot, Flow, boolean, NftTrace.Seen)} with a trace's verdicts only. */
    public List<CheckReport.Finding> explain(FirewallSnapshot before, FirewallSnapshot after, Flow flow,
                                             boolean thisHostIsSource, List<NftTrace.TraceVerdict> trace) {
        Map<String, NftTrace.Packet> packets = new LinkedHashMap<>();
        for (NftTrace.TraceVerdict verdict : trace) {
            if (verdict.packet() != null) packets.putIfAbsent(verdict.traceId(), verdict.packet());
        }
        return explain(before, after, flow, thisHostIsSource, trace.isEmpty() ? null : new NftTrace.Seen(trace, packets));
    }

    /**
     * This host's part in a flow that was probed between {@code before} and {@code after}: the firewall rule or chain
     * policy that stopped it, with the best evidence there is (counters that moved, the nftables trace of the flow,
     * or the live ruleset evaluated for the flow as it crosses this host: see {@link FirewallExplainer}), then
     * {@link #routeFinding(Flow)} (on a forwarding host the lookup is the one for a forwarded packet), then the
     * snapshot's warnings.
     *
     * @param thisHostIsSource true on the probing host (its output chains see the flow first)
     * @param trace            what an nftables trace of the flow saw ({@link NftTrace#seen()}), or null when none ran
     */
    public List<CheckReport.Finding> explain(FirewallSnapshot before, FirewallSnapshot after, Flow flow,
                                             boolean thisHostIsSource, NftTrace.Seen trace) {
        List<CheckReport.Finding> findings = new ArrayList<>(
                new FirewallExplainer(routing).explain(before, after, FlowFacts.of(flow), thisHostIsSource, trace));
        routes.finding(flow).ifPresent(findings::add);
        findings.addAll(after.warnings());
        return List.copyOf(findings);
    }

    /**
     * Starts counting the flow's packets that arrive at this host when it is the flow's destination (see
     * {@link ArrivalWitness}); empty when the destination is not a literal address of this host.
     *
     * @throws IllegalStateException when nft cannot add the witness table (nothing is left behind)
     */
    public Optional<ArrivalWitness> startWitness(Flow flow) {
        return ArrivalWitness.start(commands, routing, flow);
    }

    /**
     * Starts an nftables trace of the flow's original direction on this host (see {@link NftTrace}): call it before
     * the probes, {@link NftTrace#stop()} after them, and pass the verdicts to {@link #explain(FirewallSnapshot,
     * FirewallSnapshot, Flow, boolean, List)}. The caller must stop or close it; it adds a table
     * {@code inet nw_trace_<random>} until then.
     *
     * @throws IllegalStateException when the flow has no destination address yet (a trace by port alone would see
     *                               every packet to it), or when nft cannot add the table or start its monitor
     *                               (nothing is left behind)
     */
    public NftTrace startTrace(Flow flow) {
        return NftTrace.start(commands, FlowFacts.of(flow));
    }

    /**
     * The route finding for the flow, when the kernel refuses to route it: a blackhole, unreachable or prohibit
     * route (RouteType Blackhole|Unreachable|Prohibit), or a policy rule that refuses it or sends it to a table
     * where such a route matches (RouteType PolicyRule, with Rule). Context: RouteType, RouteOrigin (User when
     * not a kernel/DHCP/RA route, else System), Route (as {@code ip route} / {@code ip rule} prints it), Table,
     * Rule (the {@code ip rule} that selected the table or refused the flow, a default one such as
     * {@code 32766: from all lookup main} too), KernelError; type UserDefinedRoute, origin Outbound, evidence {@code route-lookup}. A flow with no
     * route at all gives RouteType NoRoute (RouteOrigin System). Empty when the kernel routes the flow, or when
     * the destination is not a literal address yet.
     */
    public Optional<CheckReport.Finding> routeFinding(Flow flow) {
        return routes.finding(flow);
    }

    /** Whether {@code address} (an IP literal) is one of this host's own addresses; false for anything else. */
    public boolean isLocal(String address) {
        InetAddress literal = FlowFacts.literal(address);
        return literal != null && routing.isLocal(literal);
    }

    /**
     * IP flow verify without traffic: the ruleset evaluated for the flow's first packet in {@code flow.direction()}:
     * Inbound (this host is the destination) walks the filter chains on prerouting then input, Outbound (this host
     * is the source) on output then postrouting; by priority, following jumps and gotos, honouring policies.
     * Allow/Deny; ruleName is the deciding rule's comment or table/chain/handle (for Allow: the accept rule of
     * the last base chain that accepted by rule), null when a chain policy decided (context DecidedBy=policy).
     * Context also has Hook, Verdict, Table, Chain, Handle, Path (every base chain's outcome) and Assumed (matches
     * this evaluation could not decide and took as matching). A missing source address on Outbound is the one
     * the route picks.
     */
    public CheckReport.Verdict verify(Flow flow) {
        return verifier.verify(flow);
    }

    /**
     * The route the kernel picks for the flow ({@code ip route get}, from the flow's source address when given).
     * Types, mirroring Azure's: a blackhole/unreachable/prohibit route, a refusing policy rule or no route at all
     * → None (no address); a directly connected or local route → VnetLocal; a default route via a gateway that
     * the system set (proto kernel/dhcp/ra) → Internet; any other route via a gateway (a user's static route,
     * including a static default route, Azure's user-defined route to an appliance) → VirtualAppliance with the
     * gateway as address. {@code userDefined} is true unless the route's protocol is kernel, dhcp, ra or redirect.
     *
     * @throws IllegalArgumentException when the flow has no literal destination address
     */
    public CheckReport.NextHop nextHop(Flow flow) {
        return routes.nextHop(flow);
    }
}
