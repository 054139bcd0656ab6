package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * This host's firewall and routes as they concern one flow, read from the kernel through the host's own
 * tools: {@code nft -j list ruleset} (nftables, including iptables-nft rules), {@code ip -j route get},
 * {@code ip -j rule} and {@code ip -j route show table all}. It answers the agent's parts of the checks in
 * section 8 of {@code docs/agent-protocol.md}:
 * <ul>
 *   <li>{@link #snapshot()} before and after a probe, and {@link #explain} on the two: the drop/reject rules
 *       whose counters moved and that match the flow (evidence {@code counters}) and the route finding
 *       (evidence {@code route-lookup});</li>
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
    private final InstantSource clock;

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
        this.clock = clock;
    }

    /**
     * Every nftables chain and rule with its counters, now. A Warning finding says when {@code iptables-legacy}
     * (or {@code ip6tables-legacy}) holds rules, which nftables does not show and nothing here evaluates.
     *
     * @throws IllegalStateException when {@code nft} fails (missing, no CAP_NET_ADMIN)
     */
    public FirewallSnapshot snapshot() {
        List<CheckReport.Finding> warnings = legacyWarnings();
        String json = commands.runOrThrow("nft", "-j", "list", "ruleset");
        return NftJson.parse(json, clock.instant(), warnings);
    }

    /**
     * This host's part in a flow that was probed between {@code before} and {@code after}.
     *
     * <p>Firewall: every rule with verdict drop or reject whose counter moved between the snapshots and whose
     * matches do not exclude the flow (a match this class cannot evaluate does not exclude it; the finding lists
     * it under {@code Unevaluated}). The hook of the rule's chain (a regular chain: the hooks of the base chains
     * that reach it) says where the packet was: output/postrouting on the source ({@code GuestFirewall},
     * Outbound), forward/prerouting/postrouting on a forwarding host ({@code NetworkSecurityRule}, Outbound, or
     * Inbound when the rule matches the input interface or sits in prerouting), input on the destination
     * ({@code GuestFirewall}, Inbound). Replies are matched too, against the reversed flow (state established)
     * on the hooks they cross. Context: RuleName (comment, else table/chain/handle), Family, Table, Chain,
     * Handle, Hook, Verdict (drop|reject), Counters, Direction (original|reply); evidence {@code counters}.
     *
     * <p>Route: {@link #routeFinding(Flow)} (on a forwarding host the lookup is the one for a forwarded packet).
     * Then the snapshot's warnings (iptables-legacy).
     *
     * @param thisHostIsSource true on the probing host (its output chains see the flow first)
     */
    public List<CheckReport.Finding> explain(FirewallSnapshot before, FirewallSnapshot after, Flow flow,
                                             boolean thisHostIsSource) {
        return explain(before, after, flow, thisHostIsSource, List.of());
    }

    /**
     * {@link #explain(FirewallSnapshot, FirewallSnapshot, Flow, boolean)} with what an nftables trace of the flow
     * saw ({@link NftTrace#stop()}): a counter finding whose rule the trace named gets evidence {@code trace} and
     * context Traced; a drop/reject rule or a chain policy drop the trace saw but the counters could not show (no
     * counter on the rule) becomes a finding with evidence {@code trace} (a policy: RuleName table/chain/policy,
     * DecidedBy policy).
     */
    public List<CheckReport.Finding> explain(FirewallSnapshot before, FirewallSnapshot after, Flow flow,
                                             boolean thisHostIsSource, List<NftTrace.TraceVerdict> trace) {
        FlowFacts original = FlowFacts.of(flow);
        RuleMatcher matcher = new RuleMatcher(after.sets());
        Map<String, Set<String>> hooksByChain = hooksReaching(after);
        Interfaces interfaces = new Interfaces(original);
        List<CheckReport.Finding> findings = new ArrayList<>();
        Map<String, FirewallSnapshot.Rule> beforeByKey = new java.util.HashMap<>();
        for (FirewallSnapshot.Rule rule : before.rules()) beforeByKey.put(rule.key(), rule);
        for (FirewallSnapshot.Rule rule : after.rules()) {
            if (!isBlocking(rule) || !rule.hasCounter() || rule.table().startsWith("nw_trace_")) continue;
            FirewallSnapshot.Rule earlier = beforeByKey.get(rule.key());
            long beforePackets = earlier == null ? 0 : Math.max(0, earlier.packets());
            long beforeBytes = earlier == null ? 0 : Math.max(0, earlier.bytes());
            if (beforePackets > rule.packets()) { beforePackets = 0; beforeBytes = 0; } // counter was reset
            long packets = rule.packets() - beforePackets;
            if (packets <= 0) continue;
            for (String hook : hooksByChain.getOrDefault(rule.chainKey(), Set.of())) {
                Optional<CheckReport.Finding> finding = explainRule(rule, hook, original, thisHostIsSource, matcher,
                        interfaces, packets, Math.max(0, rule.bytes() - beforeBytes));
                if (finding.isPresent()) {
                    findings.add(finding.get());
                    break;
                }
            }
        }
        if (!trace.isEmpty()) findings = withTrace(findings, after, trace, original, thisHostIsSource, hooksByChain);
        routeFinding(flow).ifPresent(findings::add);
        findings.addAll(after.warnings());
        return List.copyOf(findings);
    }

    private Optional<CheckReport.Finding> explainRule(FirewallSnapshot.Rule rule, String hook, FlowFacts original,
                                                      boolean source, RuleMatcher matcher, Interfaces interfaces,
                                                      long packets, long bytes) {
        // which direction of the flow crosses this hook on this host
        boolean reply = switch (hook) {
            case "output" -> !source;
            case "input", "prerouting" -> source;
            default -> false;
        };
        List<Boolean> directions = hook.equals("forward") ? List.of(false, true) : List.of(reply);
        for (boolean isReply : directions) {
            FlowFacts facts = interfaces.forHook(hook, isReply);
            RuleMatcher.RuleOutcome outcome = matcher.matchRule(rule, facts);
            if (outcome.value() == RuleMatcher.Tri.FALSE) continue;
            Map<String, String> context = ruleContext(rule, hook);
            context.put("Counters", "+" + packets + " packets, +" + bytes + " bytes");
            context.put("Direction", isReply ? "reply" : "original");
            List<String> unevaluated = new ArrayList<>(outcome.unknown());
            unevaluated.addAll(RulesetEvaluator.unmodelledStatements(rule));
            if (!unevaluated.isEmpty()) context.put("Unevaluated", String.join("; ", new LinkedHashSet<>(unevaluated)));
            return Optional.of(finding(hook, source, isReply, facts, rule, context, "counters"));
        }
        return Optional.empty();
    }

    private static Map<String, String> ruleContext(FirewallSnapshot.Rule rule, String hook) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("RuleName", rule.displayName());
        context.put("Family", rule.family());
        context.put("Table", rule.table());
        context.put("Chain", rule.chain());
        context.put("Handle", Long.toString(rule.handle()));
        context.put("Hook", hook);
        context.put("Verdict", rule.verdict());
        return context;
    }

    /**
     * Type and origin for a block in {@code hook}: a forwarding host's block is a NetworkSecurityRule (Inbound in
     * prerouting or when the rule tests only the input interface, else Outbound); the host's own traffic is
     * GuestFirewall (Inbound on input/prerouting, Outbound on output/postrouting).
     */
    private CheckReport.Finding finding(String hook, boolean source, boolean reply, FlowFacts facts,
                                        FirewallSnapshot.Rule rule, Map<String, String> context, String evidence) {
        boolean forwarding = hook.equals("forward") || (!source && (hook.equals("prerouting") || hook.equals("postrouting"))
                && facts.daddr() != null && !routing.isLocal(reply ? facts.saddr() : facts.daddr()));
        String type = forwarding ? NETWORK_SECURITY_RULE : GUEST_FIREWALL;
        String origin;
        if (forwarding) {
            boolean inputOnly = rule != null && matchesInterface(rule, "iifname", "iif") && !matchesInterface(rule, "oifname", "oif");
            origin = hook.equals("prerouting") || inputOnly ? "Inbound" : "Outbound";
        } else {
            origin = hook.equals("input") || hook.equals("prerouting") ? "Inbound" : "Outbound";
        }
        return new CheckReport.Finding(type, origin, "Error", context, evidence);
    }

    /** Counter findings made stronger, and new findings added, by what an nftables trace of the flow saw. */
    private List<CheckReport.Finding> withTrace(List<CheckReport.Finding> counterFindings, FirewallSnapshot after,
                                                List<NftTrace.TraceVerdict> trace, FlowFacts original, boolean source,
                                                Map<String, Set<String>> hooksByChain) {
        Map<String, Set<String>> packetsByBlock = new LinkedHashMap<>();
        Map<String, NftTrace.TraceVerdict> firstByBlock = new LinkedHashMap<>();
        for (NftTrace.TraceVerdict verdict : trace) {
            if (verdict.verdict().equals("accept")) continue;
            String key = verdict.family() + "/" + verdict.table() + "/" + verdict.chain() + "/"
                    + (verdict.handle() == null ? "policy" : verdict.handle());
            packetsByBlock.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(verdict.traceId());
            firstByBlock.putIfAbsent(key, verdict);
        }
        List<CheckReport.Finding> out = new ArrayList<>();
        Set<String> traced = new HashSet<>();
        for (CheckReport.Finding finding : counterFindings) {
            String key = finding.context().get("Family") + "/" + finding.context().get("Table") + "/"
                    + finding.context().get("Chain") + "/" + finding.context().get("Handle");
            if (packetsByBlock.containsKey(key)) {
                Map<String, String> context = new LinkedHashMap<>(finding.context());
                context.put("Traced", packetsByBlock.get(key).size() + " packets");
                out.add(new CheckReport.Finding(finding.type(), finding.origin(), finding.severity(), context, "trace"));
                traced.add(key);
            } else {
                out.add(finding);
            }
        }
        for (Map.Entry<String, NftTrace.TraceVerdict> entry : firstByBlock.entrySet()) {
            if (traced.contains(entry.getKey())) continue;
            NftTrace.TraceVerdict verdict = entry.getValue();
            String chainKey = verdict.family() + "/" + verdict.table() + "/" + verdict.chain();
            String hook = hooksByChain.getOrDefault(chainKey, Set.of("unknown")).iterator().next();
            Map<String, String> context;
            FirewallSnapshot.Rule rule = null;
            if (verdict.handle() == null) {
                context = new LinkedHashMap<>();
                context.put("RuleName", verdict.table() + "/" + verdict.chain() + "/policy");
                context.put("Family", verdict.family());
                context.put("Table", verdict.table());
                context.put("Chain", verdict.chain());
                context.put("Hook", hook);
                context.put("Verdict", verdict.verdict());
                context.put("DecidedBy", "policy");
            } else {
                rule = after.rule(entry.getKey()).orElse(null);
                if (rule == null) {
                    context = new LinkedHashMap<>();
                    context.put("RuleName", verdict.table() + "/" + verdict.chain() + "/" + verdict.handle());
                    context.put("Family", verdict.family());
                    context.put("Table", verdict.table());
                    context.put("Chain", verdict.chain());
                    context.put("Handle", Long.toString(verdict.handle()));
                    context.put("Hook", hook);
                    context.put("Verdict", verdict.verdict());
                } else {
                    context = ruleContext(rule, hook);
                }
            }
            context.put("Traced", packetsByBlock.get(entry.getKey()).size() + " packets");
            context.put("Direction", "original");
            out.add(finding(hook, source, false, original, rule, context, "trace"));
        }
        return out;
    }

    /** Drop or reject (NftJson already reads iptables-nft's {@code -j REJECT} xt target as "reject"). */
    private static boolean isBlocking(FirewallSnapshot.Rule rule) {
        return "drop".equals(rule.verdict()) || "reject".equals(rule.verdict());
    }

    private static boolean matchesInterface(FirewallSnapshot.Rule rule, String... keys) {
        for (JsonNode match : rule.matches()) {
            String key = match.path("left").path("meta").path("key").asText("");
            for (String wanted : keys) if (wanted.equals(key)) return true;
        }
        return false;
    }

    /** Chain key → the hooks of the base chains that reach it (itself, or by jump/goto). */
    static Map<String, Set<String>> hooksReaching(FirewallSnapshot snapshot) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (FirewallSnapshot.Chain base : snapshot.chains()) {
            if (!base.isBase()) continue;
            Deque<FirewallSnapshot.Chain> todo = new ArrayDeque<>(List.of(base));
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                FirewallSnapshot.Chain chain = todo.pop();
                if (!seen.add(chain.key())) continue;
                out.computeIfAbsent(chain.key(), k -> new LinkedHashSet<>()).add(base.hook());
                for (FirewallSnapshot.Rule rule : snapshot.rulesOf(chain)) {
                    if (rule.target() != null) snapshot.chain(rule.family(), rule.table(), rule.target()).ifPresent(todo::push);
                }
            }
        }
        return out;
    }

    /**
     * Starts an nftables trace of the flow's original direction on this host (see {@link NftTrace}): call it before
     * the probes, {@link NftTrace#stop()} after them, and pass the verdicts to {@link #explain(FirewallSnapshot,
     * FirewallSnapshot, Flow, boolean, List)}. The caller must stop or close it; it adds a table
     * {@code inet nw_trace_<random>} until then.
     *
     * @throws IllegalStateException when nft cannot add the table or start its monitor (nothing is left behind)
     */
    public NftTrace startTrace(Flow flow) {
        return NftTrace.start(commands, FlowFacts.of(flow));
    }

    /**
     * The route finding for the flow, when the kernel refuses to route it: a blackhole, unreachable or prohibit
     * route (RouteType Blackhole|Unreachable|Prohibit), or a policy rule that refuses it or sends it to a table
     * where such a route matches (RouteType PolicyRule, with Rule). Context: RouteType, RouteOrigin (User when
     * not a kernel/DHCP/RA route, else System), Route (as {@code ip route} / {@code ip rule} prints it), Table,
     * Rule, KernelError; type UserDefinedRoute, origin Outbound, evidence {@code route-lookup}. A flow with no
     * route at all gives RouteType NoRoute (RouteOrigin System). Empty when the kernel routes the flow, or when
     * the destination is not a literal address yet.
     */
    public Optional<CheckReport.Finding> routeFinding(Flow flow) {
        InetAddress destination = FlowFacts.literal(flow.destinationAddress());
        if (destination == null) return Optional.empty();
        Routing.Lookup lookup = routing.lookup(destination, FlowFacts.literal(flow.sourceAddress()));
        if (lookup.ok()) return Optional.empty();
        Map<String, String> context = new LinkedHashMap<>();
        JsonNode route = lookup.route();
        JsonNode rule = lookup.rule();
        String routeType;
        String routeText;
        if (rule != null) {
            routeType = "PolicyRule";
            routeText = route != null ? Routing.routeText(route) : Routing.ruleText(rule);
        } else if (route != null && Routing.REFUSING.contains(lookup.routeType())) {
            routeType = capitalize(lookup.routeType());
            routeText = Routing.routeText(route);
        } else if (route == null) {
            routeType = "NoRoute";
            routeText = "no route to " + destination.getHostAddress();
        } else {
            routeType = "LookupFailed";
            routeText = Routing.routeText(route);
        }
        context.put("RouteType", routeType);
        context.put("RouteOrigin", route == null && rule == null ? "System" : lookup.userDefined() ? "User" : "System");
        context.put("Route", routeText);
        if (route != null) context.put("Table", route.path("table").asText("main"));
        if (rule != null) context.put("Rule", Routing.ruleText(rule));
        context.put("KernelError", lookup.kernelError());
        return Optional.of(new CheckReport.Finding(USER_DEFINED_ROUTE, "Outbound", "Error", context, "route-lookup"));
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
        if (flow.direction() == null) throw new IllegalArgumentException("IP flow verify needs a direction (Inbound or Outbound)");
        boolean inbound = flow.direction().equalsIgnoreCase("Inbound");
        if (!inbound && !flow.direction().equalsIgnoreCase("Outbound")) {
            throw new IllegalArgumentException("direction must be Inbound or Outbound, not " + flow.direction());
        }
        FlowFacts facts = FlowFacts.of(flow);
        if (!inbound && facts.saddr() == null && facts.daddr() != null) {
            Routing.Lookup lookup = routing.lookup(facts.daddr(), null);
            if (lookup.ok() && lookup.lookup() != null && lookup.lookup().hasNonNull("prefsrc")) {
                InetAddress source = FlowFacts.literal(lookup.lookup().get("prefsrc").asText());
                facts = new FlowFacts(facts.family(), facts.l4(), source, facts.daddr(), facts.sport(), facts.dport(),
                        null, null, facts.ctState(), facts.icmpType());
            }
        }
        Interfaces interfaces = new Interfaces(facts);
        FirewallSnapshot snapshot = snapshot();
        RulesetEvaluator evaluator = new RulesetEvaluator(snapshot);
        CheckReport.Verdict verdict = inbound
                ? evaluator.verdict(interfaces.forHook("input", false), List.of("prerouting", "input"))
                : evaluator.verdict(interfaces.forHook("output", false), List.of("output", "postrouting"));
        if (snapshot.warnings().isEmpty()) return verdict;
        Map<String, String> context = new LinkedHashMap<>(verdict.context());
        context.put("Warning", snapshot.warnings().getFirst().context().getOrDefault("Message", "legacy rules"));
        return new CheckReport.Verdict(verdict.access(), verdict.ruleName(), context);
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
        InetAddress destination = FlowFacts.literal(flow.destinationAddress());
        if (destination == null) throw new IllegalArgumentException("next hop needs a destination IP address, not "
                + flow.destinationAddress());
        Routing.Lookup lookup = routing.lookup(destination, FlowFacts.literal(flow.sourceAddress()));
        JsonNode route = lookup.route();
        if (!lookup.ok()) {
            String text = route != null ? Routing.routeText(route)
                    : lookup.rule() != null ? Routing.ruleText(lookup.rule()) : "no route (" + lookup.kernelError() + ")";
            return new CheckReport.NextHop("None", null, lookup.userDefined(), text);
        }
        String gateway = lookup.lookup() != null && lookup.lookup().hasNonNull("gateway")
                ? lookup.lookup().get("gateway").asText()
                : route != null && route.hasNonNull("gateway") ? route.get("gateway").asText() : null;
        boolean userDefined = lookup.userDefined();
        String type;
        if (gateway == null) {
            type = "VnetLocal";
        } else if (!userDefined && route != null && isDefault(route.path("dst").asText())) {
            type = "Internet";
        } else {
            type = "VirtualAppliance";
        }
        return new CheckReport.NextHop(type, gateway, userDefined, route == null ? null : Routing.routeText(route));
    }

    private static boolean isDefault(String dst) {
        return dst.equals("default") || dst.equals("0.0.0.0/0") || dst.equals("::/0");
    }

    private List<CheckReport.Finding> legacyWarnings() {
        List<CheckReport.Finding> out = new ArrayList<>();
        for (String[] tool : new String[][] {{"/proc/net/ip_tables_names", "iptables-legacy-save"},
                {"/proc/net/ip6_tables_names", "ip6tables-legacy-save"}}) {
            Commands.Result names = commands.run("cat", tool[0]);
            if (!names.ok() || names.stdout().isBlank()) continue; // the legacy module never loaded: nothing there
            Commands.Result save = commands.run(tool[1]);
            if (!save.ok()) continue;
            long rules = save.stdout().lines().filter(line -> line.startsWith("-A ")).count();
            if (rules == 0) continue;
            Map<String, String> context = new LinkedHashMap<>();
            context.put("Message", tool[1].replace("-save", "") + " has " + rules
                    + " rules; they are not evaluated (only nftables, including iptables-nft, is)");
            context.put("RuleCount", Long.toString(rules));
            out.add(new CheckReport.Finding(GUEST_FIREWALL, "Local", "Warning", context, "none"));
        }
        return out;
    }

    private static String capitalize(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }

    /** The flow's facts with the interfaces each hook sees, looked up once per direction. */
    private final class Interfaces {
        private final FlowFacts original;
        private final Map<String, Optional<String>> devices = new LinkedHashMap<>();

        Interfaces(FlowFacts original) {
            this.original = original;
        }

        FlowFacts forHook(String hook, boolean reply) {
            FlowFacts facts = reply ? original.reversed() : original;
            // input interface: where packets from the sender arrive (the route back to it); "" where the hook has none
            String in = switch (hook) {
                case "output" -> "";
                case "postrouting" -> null; // local or forwarded: unknown here
                default -> device(facts.saddr());
            };
            String out = switch (hook) {
                case "input" -> "";
                case "prerouting" -> null; // not decided yet in the kernel either; matches on it are rare
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
}
