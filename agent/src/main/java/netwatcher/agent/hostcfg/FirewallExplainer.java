package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.check.CheckReport;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names the firewall rule (or chain policy) that stopped a probed flow on this host, with the best evidence there
 * is, in this order:
 * <ol>
 *   <li>{@code counters}: a drop/reject rule whose counter moved between the snapshots and whose matches do not
 *       exclude the flow;</li>
 *   <li>{@code trace}: the nftables trace of the flow ({@link NftTrace}) saw the flow's own packets (5-tuple, either
 *       direction) dropped or rejected by a rule or a chain policy; when the trace saw the flow's packets it also
 *       overrules counters of nftables rules it did not see deciding (another flow moved them);</li>
 *   <li>{@code ruleset}: only when neither proves anything: the live ruleset evaluated for the flow as it crosses
 *       this host ({@link RulesetEvaluator}, the one behind IP flow verify): as the source (output, postrouting), the
 *       destination (prerouting, input) or a forwarding host (prerouting, forward, postrouting); then the reply
 *       (state established) the other way. A deciding rule with a counter that did not move is not named (the flow
 *       never reached it), nor is a rule with a match the evaluator had to assume (a guess is no cause), nor is
 *       anything when a trace ran and saw none of the flow's packets.</li>
 * </ol>
 * Findings: type GuestFirewall (this host's own traffic) or NetworkSecurityRule (forwarded traffic), origin
 * Inbound/Outbound, context RuleName, Family, Table, Chain, Handle, Hook, Verdict, RuleText, Backend, Direction,
 * Flow and what the evidence adds (Counters, Traced, DecidedBy, Path, Assumed/Unevaluated). Thread-safe: stateless
 * apart from the per-call interface lookups.
 */
final class FirewallExplainer {
    /** How the flow crosses this host. */
    enum Role { SOURCE, DESTINATION, FORWARDING }

    private final Routing routing;

    FirewallExplainer(Routing routing) {
        this.routing = routing;
    }

    /** This host's role for the flow: source if asked, destination when it owns the destination address. */
    Role role(FlowFacts original, boolean thisHostIsSource) {
        if (thisHostIsSource) return Role.SOURCE;
        if (original.daddr() != null && routing.isLocal(original.daddr())) return Role.DESTINATION;
        if (original.saddr() != null && routing.isLocal(original.saddr())) return Role.SOURCE;
        return Role.FORWARDING;
    }

    List<CheckReport.Finding> explain(FirewallSnapshot before, FirewallSnapshot after, FlowFacts original,
                                      boolean thisHostIsSource, NftTrace.Seen seen) {
        // the flow as this host's filter chains after destination NAT see it (a port forward, a redirect)
        RulesetEvaluator.Translation nat = new RulesetEvaluator(after).dnat(original, thisHostIsSource ? "output" : "prerouting");
        FlowFacts crossing = nat.facts();
        Role role = nat.redirected() && !thisHostIsSource ? Role.DESTINATION : role(crossing, thisHostIsSource);
        boolean source = role == Role.SOURCE;
        HookInterfaces interfaces = new HookInterfaces(routing, crossing);
        Map<String, Set<String>> hooksByChain = after.hooksReaching();
        List<CheckReport.Finding> counted = counterFindings(before, after, original, source,
                new HookInterfaces(routing, original), hooksByChain);
        if (counted.isEmpty() && !crossing.equals(original)) {
            counted = counterFindings(before, after, crossing, source, interfaces, hooksByChain);
        }
        if (seen == null) {
            if (!counted.isEmpty()) return counted;
            return evaluated(before, after, role, interfaces, null);
        }
        FlowTrace trace = new FlowTrace(seen, TracedFlow.traceIds(seen, original));
        if (trace.ids().isEmpty()) {
            // the trace saw none of the flow's packets: nothing here proves a rule, except counters that moved
            return counted;
        }
        List<CheckReport.Finding> out = traced(counted, after, trace, original, source, hooksByChain);
        if (!out.isEmpty()) return out;
        // the trace saw the flow pass every nftables chain: only iptables-legacy (which it cannot see) may be left
        return evaluated(before, after, role, interfaces, FirewallSnapshot.Backend.IPTABLES_LEGACY);
    }

    // ------------------------------------------------------------------ counters

    private List<CheckReport.Finding> counterFindings(FirewallSnapshot before, FirewallSnapshot after, FlowFacts original,
                                                      boolean source, HookInterfaces interfaces,
                                                      Map<String, Set<String>> hooksByChain) {
        RuleMatcher matcher = new RuleMatcher(after.sets());
        Map<String, FirewallSnapshot.Rule> beforeByKey = new HashMap<>();
        for (FirewallSnapshot.Rule rule : before.rules()) beforeByKey.put(rule.key(), rule);
        List<CheckReport.Finding> findings = new ArrayList<>();
        for (FirewallSnapshot.Rule rule : after.rules()) {
            if (!isBlocking(rule.verdict()) || !rule.hasCounter() || rule.table().startsWith(NftTrace.TABLE_PREFIX)) continue;
            long packets = moved(beforeByKey.get(rule.key()), rule);
            if (packets <= 0) continue;
            FirewallSnapshot.Rule earlier = beforeByKey.get(rule.key());
            long bytes = Math.max(0, rule.bytes() - (earlier == null || earlier.packets() > rule.packets() ? 0 : Math.max(0, earlier.bytes())));
            for (String hook : hooksByChain.getOrDefault(rule.chainKey(), Set.of())) {
                Optional<CheckReport.Finding> finding = counterFinding(rule, hook, source, matcher, interfaces,
                        "+" + packets + " packets, +" + bytes + " bytes");
                if (finding.isPresent()) {
                    findings.add(finding.get());
                    break;
                }
            }
        }
        return findings;
    }

    /** Packets the rule's counter moved by between the snapshots (a reset counter counts from 0). */
    private static long moved(FirewallSnapshot.Rule earlier, FirewallSnapshot.Rule now) {
        if (!now.hasCounter()) return 0;
        long beforePackets = earlier == null ? 0 : Math.max(0, earlier.packets());
        if (beforePackets > now.packets()) beforePackets = 0;
        return now.packets() - beforePackets;
    }

    /** @param counters how far the rule's counter moved ({@code +3 packets, +180 bytes}) */
    private Optional<CheckReport.Finding> counterFinding(FirewallSnapshot.Rule rule, String hook, boolean source,
                                                         RuleMatcher matcher, HookInterfaces interfaces, String counters) {
        // which direction of the flow crosses this hook on this host
        boolean reply = switch (hook) {
            case "output" -> !source;
            case "input", "prerouting", "ingress" -> source;
            default -> false;
        };
        List<Boolean> directions = hook.equals("forward") ? List.of(false, true) : List.of(reply);
        for (boolean isReply : directions) {
            FlowFacts facts = interfaces.forHook(hook, isReply);
            RuleMatcher.RuleOutcome outcome = matcher.matchRule(rule, facts);
            if (outcome.value() == RuleMatcher.Tri.FALSE) continue;
            Map<String, String> context = ruleContext(rule, hook, rule.verdict());
            context.put("Counters", counters);
            context.put("Direction", isReply ? "reply" : "original");
            context.put("Flow", describe(facts));
            List<String> unevaluated = new ArrayList<>(outcome.unknown());
            unevaluated.addAll(RulesetEvaluator.unmodelledStatements(rule));
            if (!unevaluated.isEmpty()) context.put("Unevaluated", String.join("; ", new LinkedHashSet<>(unevaluated)));
            return Optional.of(finding(hook, source, facts, rule, context, "counters"));
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ trace

    /**
     * What an nftables trace saw, with the ids of the traces that followed the flow's own packets.
     *
     * @param seen the trace's verdicts and packets
     * @param ids  the trace ids of the flow's packets (either direction); empty when the trace saw none of them
     */
    private record FlowTrace(NftTrace.Seen seen, Set<String> ids) {}

    /** Counter findings confirmed (or overruled) by the trace, and the blocks only the trace saw. */
    private List<CheckReport.Finding> traced(List<CheckReport.Finding> counted, FirewallSnapshot after, FlowTrace trace,
                                             FlowFacts original, boolean source,
                                             Map<String, Set<String>> hooksByChain) {
        Map<String, Set<String>> tracesByBlock = new LinkedHashMap<>();
        Map<String, NftTrace.TraceVerdict> firstByBlock = new LinkedHashMap<>();
        NftTrace.Seen seen = trace.seen();
        for (NftTrace.TraceVerdict verdict : seen.verdicts()) {
            if (!trace.ids().contains(verdict.traceId()) || verdict.verdict().equals("accept")) continue;
            NftTrace.Packet first = seen.packets().get(verdict.traceId());
            if (first != null && !first.opensConnection()) continue; // a late ACK/RST/FIN of the flow decides nothing
            String key = verdict.family() + "/" + verdict.table() + "/" + verdict.chain() + "/"
                    + (verdict.handle() == null ? "policy" : verdict.handle());
            tracesByBlock.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(verdict.traceId());
            firstByBlock.putIfAbsent(key, verdict);
        }
        List<CheckReport.Finding> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (CheckReport.Finding finding : counted) {
            String key = finding.context().get("Family") + "/" + finding.context().get("Table") + "/"
                    + finding.context().get("Chain") + "/" + finding.context().get("Handle");
            if (tracesByBlock.containsKey(key)) {
                Map<String, String> context = new LinkedHashMap<>(finding.context());
                context.put("Traced", tracesByBlock.get(key).size() + " packets");
                out.add(new CheckReport.Finding(finding.type(), finding.origin(), finding.severity(), context, "trace"));
                done.add(key);
            } else if (FirewallSnapshot.Backend.IPTABLES_LEGACY.wireName().equals(finding.context().get("Backend"))) {
                out.add(finding); // the trace cannot see legacy rules: their counters stand
            }
            // else: an nftables rule the trace saw the flow's packets pass: its counter moved for other traffic
        }
        for (Map.Entry<String, NftTrace.TraceVerdict> entry : firstByBlock.entrySet()) {
            if (done.contains(entry.getKey())) continue;
            NftTrace.TraceVerdict verdict = entry.getValue();
            String chainKey = verdict.family() + "/" + verdict.table() + "/" + verdict.chain();
            String hook = hooksByChain.getOrDefault(chainKey, Set.of("unknown")).iterator().next();
            String direction = TracedFlow.direction(seen.packets().get(verdict.traceId()), original);
            boolean reply = "reply".equals(direction);
            FirewallSnapshot.Rule rule = verdict.handle() == null ? null : after.rule(entry.getKey()).orElse(null);
            Map<String, String> context;
            if (rule != null) {
                context = ruleContext(rule, hook, rule.verdict());
            } else {
                context = new LinkedHashMap<>();
                context.put("RuleName", verdict.family() + "/" + verdict.table() + "/" + verdict.chain() + "/"
                        + (verdict.handle() == null ? "policy" : verdict.handle()));
                context.put("Family", verdict.family());
                context.put("Table", verdict.table());
                context.put("Chain", verdict.chain());
                if (verdict.handle() != null) context.put("Handle", Long.toString(verdict.handle()));
                context.put("Hook", hook);
                context.put("Verdict", verdict.verdict());
                if (verdict.handle() == null) context.put("DecidedBy", "policy");
            }
            context.put("Traced", tracesByBlock.get(entry.getKey()).size() + " packets");
            context.put("Direction", reply ? "reply" : "original");
            if (verdict.packet() != null) context.put("Flow", describe(verdict.packet()));
            out.add(finding(hook, source, reply ? original.reversed() : original, rule, context, "trace"));
        }
        return out;
    }

    // ------------------------------------------------------------------ ruleset evaluation

    /**
     * The evaluator's Deny for the flow as it crosses this host (then for its reply), as a finding with evidence
     * {@code ruleset}; only decisions of {@code onlyBackend} when given.
     */
    private List<CheckReport.Finding> evaluated(FirewallSnapshot before, FirewallSnapshot after, Role role,
                                                HookInterfaces interfaces, FirewallSnapshot.Backend onlyBackend) {
        RulesetEvaluator evaluator = new RulesetEvaluator(after);
        for (boolean reply : List.of(false, true)) {
            String hook = switch (role) {
                case SOURCE -> reply ? "input" : "output";
                case DESTINATION -> reply ? "output" : "input";
                case FORWARDING -> "forward";
            };
            List<String> hooks = switch (hook) {
                case "output" -> List.of("output", "postrouting");
                case "input" -> List.of("ingress", "prerouting", "input");
                default -> List.of("ingress", "prerouting", "forward", "postrouting");
            };
            FlowFacts facts = interfaces.forHook(hook, reply);
            RulesetEvaluator.Evaluation evaluation = evaluator.evaluate(facts, hooks);
            RulesetEvaluator.Decision decision = evaluation.decision();
            if (decision == null || decision.verdict().equals("accept")) continue;
            FirewallSnapshot.Chain base = decision.baseChain();
            if (onlyBackend != null && base.backend() != onlyBackend) return List.of();
            FirewallSnapshot.Rule rule = decision.rule();
            if (rule != null && !certain(rule, facts, after)) return List.of(); // a guess is no cause: say nothing
            if (rule != null && rule.hasCounter()) {
                FirewallSnapshot.Rule earlier = before.rule(rule.key()).orElse(null);
                if (earlier != null && moved(earlier, rule) <= 0) return List.of(); // the flow never reached it
            }
            Map<String, String> context;
            if (rule != null) {
                context = ruleContext(rule, base.hook(), decision.verdict());
                context.put("DecidedBy", "rule");
            } else {
                context = new LinkedHashMap<>();
                context.put("RuleName", (base.backend() == FirewallSnapshot.Backend.IPTABLES_LEGACY ? "iptables-legacy/" : "")
                        + base.family() + "/" + base.table() + "/" + base.name() + "/policy");
                context.put("Family", base.family());
                context.put("Table", base.table());
                context.put("Chain", base.name());
                context.put("Hook", base.hook());
                context.put("Verdict", decision.verdict());
                context.put("Backend", base.backend().wireName());
                context.put("DecidedBy", "policy");
            }
            context.put("Direction", reply ? "reply" : "original");
            context.put("Flow", describe(facts));
            context.put("Path", String.join("; ", evaluation.path()));
            if (!evaluation.assumed().isEmpty()) {
                context.put("Assumed", "not evaluated, assumed to match: " + String.join("; ", evaluation.assumed()));
            }
            return List.of(finding(base.hook(), role == Role.SOURCE, facts, rule, context, "ruleset"));
        }
        return List.of();
    }

    /** True when every match and statement of the rule is evaluated and fits the flow (nothing assumed). */
    private static boolean certain(FirewallSnapshot.Rule rule, FlowFacts facts, FirewallSnapshot snapshot) {
        return new RuleMatcher(snapshot.sets()).matchRule(rule, facts).value() == RuleMatcher.Tri.TRUE
                && RulesetEvaluator.unmodelledStatements(rule).isEmpty();
    }

    // ------------------------------------------------------------------ shared

    static Map<String, String> ruleContext(FirewallSnapshot.Rule rule, String hook, String verdict) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("RuleName", rule.displayName());
        context.put("Family", rule.family());
        context.put("Table", rule.table());
        context.put("Chain", rule.chain());
        context.put("Handle", Long.toString(rule.handle()));
        context.put("Hook", hook);
        context.put("Verdict", verdict);
        if (rule.text() != null) context.put("RuleText", rule.text());
        context.put("Backend", rule.backend().wireName());
        return context;
    }

    /**
     * Type and origin for a block in {@code hook}: a forwarding host's block is a NetworkSecurityRule (Inbound in
     * prerouting or when the rule tests only the input interface, else Outbound); the host's own traffic is
     * GuestFirewall (Inbound on input/prerouting, Outbound on output/postrouting).
     */
    private CheckReport.Finding finding(String hook, boolean source, FlowFacts facts,
                                        FirewallSnapshot.Rule rule, Map<String, String> context, String evidence) {
        boolean early = hook.equals("prerouting") || hook.equals("ingress"); // before the routing decision
        boolean forwarding = hook.equals("forward") || (!source && (early || hook.equals("postrouting"))
                && facts.daddr() != null && !routing.isLocal(facts.daddr()));
        String type = forwarding ? HostConfig.NETWORK_SECURITY_RULE : HostConfig.GUEST_FIREWALL;
        String origin;
        if (forwarding) {
            boolean inputOnly = rule != null && matchesInterface(rule, "iifname", "iif") && !matchesInterface(rule, "oifname", "oif");
            origin = early || inputOnly ? "Inbound" : "Outbound";
        } else {
            origin = hook.equals("input") || early ? "Inbound" : "Outbound";
        }
        return new CheckReport.Finding(type, origin, "Error", context, evidence);
    }

    private static boolean isBlocking(String verdict) {
        return "drop".equals(verdict) || "reject".equals(verdict);
    }

    private static boolean matchesInterface(FirewallSnapshot.Rule rule, String... keys) {
        for (JsonNode match : rule.matches()) {
            String key = match.path("left").path("meta").path("key").asText("");
            for (String wanted : keys) if (wanted.equals(key)) return true;
        }
        return false;
    }

    /** The flow as a rule saw it: {@code tcp 198.18.1.10:40000 -> 198.18.3.10:1433} (unknown parts as *). */
    static String describe(FlowFacts facts) {
        return (facts.l4() == null ? "any" : facts.l4()) + " " + endpoint(facts.saddr(), facts.sport(), facts.l4()) + " -> "
                + endpoint(facts.daddr(), facts.dport(), facts.l4());
    }

    private static String describe(NftTrace.Packet packet) {
        return (packet.l4() == null ? "any" : packet.l4()) + " "
                + endpoint(FlowFacts.literal(packet.saddr()), packet.sport(), packet.l4()) + " -> "
                + endpoint(FlowFacts.literal(packet.daddr()), packet.dport(), packet.l4());
    }

    private static String endpoint(InetAddress address, int port, String l4) {
        String host = address == null ? "*" : address.getAddress().length == 16 ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        boolean ports = "tcp".equals(l4) || "udp".equals(l4) || "sctp".equals(l4);
        return ports ? host + ":" + (port == 0 ? "*" : Integer.toString(port)) : host;
    }
}
