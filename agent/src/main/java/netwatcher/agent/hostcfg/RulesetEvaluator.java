package netwatcher.agent.hostcfg;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.check.CheckReport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates a {@link FirewallSnapshot} statically for one packet, as the kernel would: the filter (and route) base
 * chains of each hook whose family applies (inet, and ip or ip6; nftables' and iptables-legacy's), in priority order; in each chain the rules in
 * order, following {@code jump} (back to the caller on {@code return} or at the end) and {@code goto} (no
 * way back); at the end of a base chain its policy. An accept ends only its base chain (later base chains
 * still see the packet); drop and reject end everything. A rule with a match this class cannot evaluate is
 * assumed to match, and the evaluation says so. Stateless; thread-safe.
 */
final class RulesetEvaluator {
    private static final int MAX_DEPTH = 32;

    /** One terminal decision: verdict accept/drop/reject; rule null when a chain policy decided. */
    record Decision(String verdict, FirewallSnapshot.Rule rule, FirewallSnapshot.Chain baseChain) {}

    /**
     * A walk over some hooks: the first decision that is not accept (else the last accept; null when no chain is on
     * the hooks), every base chain's outcome, and the matches that were assumed.
     */
    record Evaluation(Decision decision, List<String> path, List<String> assumed) {
        Evaluation {
            path = List.copyOf(path);
            assumed = List.copyOf(new LinkedHashSet<>(assumed));
        }
    }

    private final FirewallSnapshot snapshot;
    private final RuleMatcher matcher;

    RulesetEvaluator(FirewallSnapshot snapshot) {
        this.snapshot = snapshot;
        this.matcher = new RuleMatcher(snapshot.sets());
    }

    /** The packet traversing {@code hooks} in this order (e.g. prerouting, forward, postrouting). */
    Evaluation evaluate(FlowFacts facts, List<String> hooks) {
        List<String> assumed = new ArrayList<>();
        List<String> path = new ArrayList<>();
        Decision lastAccept = null;
        List<FirewallSnapshot.Chain> chains = new ArrayList<>();
        for (String one : hooks) chains.addAll(baseChains(one, facts.family(), facts.iif()));
        for (FirewallSnapshot.Chain chain : chains) {
            Decision decision = evaluateBase(chain, facts, assumed);
            path.add((chain.backend() == FirewallSnapshot.Backend.IPTABLES_LEGACY ? "iptables-legacy " : "")
                    + chain.family() + " " + chain.table() + " " + chain.name() + ": " + decision.verdict()
                    + (decision.rule() == null ? " (policy)" : " (" + decision.rule().displayName() + ")"));
            if (!decision.verdict().equals("accept")) return new Evaluation(decision, path, assumed);
            lastAccept = decision;
        }
        return new Evaluation(lastAccept, path, assumed);
    }

    /** IP flow verify's answer for the packet traversing {@code hooks} in this order (e.g. prerouting, input). */
    CheckReport.Verdict verdict(FlowFacts facts, List<String> hooks) {
        String hook = String.join(",", hooks);
        Evaluation evaluation = evaluate(facts, hooks);
        Decision lastAccept = evaluation.decision();
        List<String> path = new ArrayList<>(evaluation.path());
        List<String> assumed = new ArrayList<>(evaluation.assumed());
        if (lastAccept != null && !lastAccept.verdict().equals("accept")) {
            return verdict("Deny", lastAccept, hook, path, assumed);
        }
        if (lastAccept == null) {
            Map<String, String> context = new LinkedHashMap<>();
            context.put("Hook", hook);
            context.put("DecidedBy", "policy");
            context.put("Detail", "no filter chain on the hooks " + hook + ": the kernel accepts");
            return new CheckReport.Verdict("Allow", null, context);
        }
        return verdict("Allow", lastAccept, hook, path, assumed);
    }

    private static CheckReport.Verdict verdict(String access, Decision decision, String hook, List<String> path,
                                               List<String> assumed) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("Hook", hook);
        context.put("Verdict", decision.verdict());
        context.put("Path", String.join("; ", path));
        if (decision.rule() == null) {
            FirewallSnapshot.Chain chain = decision.baseChain();
            context.put("DecidedBy", "policy");
            context.put("Table", chain.family() + " " + chain.table());
            context.put("Chain", chain.name());
            context.put("Policy", chain.policy());
        } else {
            FirewallSnapshot.Rule rule = decision.rule();
            context.put("DecidedBy", "rule");
            context.put("RuleName", rule.displayName());
            context.put("Table", rule.family() + " " + rule.table());
            context.put("Chain", rule.chain());
            context.put("Handle", Long.toString(rule.handle()));
            if (rule.text() != null) context.put("RuleText", rule.text());
            context.put("Backend", rule.backend().wireName());
        }
        if (!assumed.isEmpty()) {
            context.put("Assumed", "not evaluated, assumed to match: " + String.join("; ", new LinkedHashSet<>(assumed)));
        }
        return new CheckReport.Verdict(access, decision.rule() == null ? null : decision.rule().displayName(), context);
    }

    /**
     * The filter base chains on {@code hook} for this address family, in priority order; for ingress the netdev
     * and inet chains of the packet's input device (all of them when the device is not known).
     */
    List<FirewallSnapshot.Chain> baseChains(String hook, String family, String inputDevice) {
        Set<String> families = family == null ? Set.of("inet", "ip", "ip6", "netdev")
                : family.equals("ipv4") ? Set.of("inet", "ip", "netdev") : Set.of("inet", "ip6", "netdev");
        List<FirewallSnapshot.Chain> out = new ArrayList<>();
        for (FirewallSnapshot.Chain chain : snapshot.chains()) {
            boolean onDevice = chain.device() == null || inputDevice == null || inputDevice.isEmpty()
                    || chain.device().equals(inputDevice);
            if (hook.equals(chain.hook()) && families.contains(chain.family()) && onDevice
                    && (chain.type() == null || chain.type().equals("filter") || chain.type().equals("route"))) {
                out.add(chain);
            }
        }
        // by priority; at equal priority nftables' chains first, iptables-legacy's after (listed after them)
        out.sort(Comparator.comparingInt(c -> c.priority() == null ? 0 : c.priority()));
        return out;
    }

    Decision evaluateBase(FirewallSnapshot.Chain base, FlowFacts facts, List<String> assumed) {
        Decision decision = walk(base, base, facts, assumed, 0);
        if (decision != null) return decision;
        return new Decision("drop".equals(base.policy()) ? "drop" : "accept", null, base);
    }

    /** A terminal decision, or null when the chain returned (or ended) without one. */
    private Decision walk(FirewallSnapshot.Chain chain, FirewallSnapshot.Chain base, FlowFacts facts,
                          List<String> assumed, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalStateException("nftables jumps nest deeper than " + MAX_DEPTH + " at " + chain.key());
        for (FirewallSnapshot.Rule rule : snapshot.rulesOf(chain)) {
            JsonNode vmap = verdictMap(rule);
            if (vmap == null && (rule.verdict() == null || rule.verdict().equals("continue"))) continue;
            RuleMatcher.RuleOutcome outcome = matcher.matchRule(rule, facts);
            if (outcome.value() == RuleMatcher.Tri.FALSE) continue;
            String verdict = rule.verdict();
            String target = rule.target();
            if (vmap != null) {
                RuleMatcher.MapHit hit = matcher.lookup(vmap.path("key"), vmap.path("data"), facts, rule.family(), rule.table());
                if (hit.value() == RuleMatcher.Tri.UNKNOWN) {
                    assumed.add(rule.displayName() + ": verdict map on " + vmap.path("key") + " not evaluated, taken as no match");
                    continue;
                }
                if (hit.value() == RuleMatcher.Tri.FALSE) continue;
                verdict = hit.data().fieldNames().hasNext() ? hit.data().fieldNames().next() : null;
                if (verdict == null || verdict.equals("continue")) continue;
                JsonNode body = hit.data().get(verdict);
                target = body != null && body.has("target") ? body.get("target").asText() : null;
            }
            for (String reason : outcome.unknown()) assumed.add(rule.displayName() + ": " + reason);
            for (String statement : unmodelledStatements(rule)) assumed.add(rule.displayName() + ": " + statement);
            switch (verdict) {
                case "accept", "drop", "reject" -> {
                    return new Decision(verdict, rule, base);
                }
                case "queue" -> {
                    assumed.add(rule.displayName() + ": queue (userspace decides; taken as accept)");
                    return new Decision("accept", rule, base);
                }
                case "return" -> {
                    return null;
                }
                case "jump", "goto" -> {
                    String chainName = target;
                    FirewallSnapshot.Chain next = snapshot.chain(rule.backend(), rule.family(), rule.table(), chainName)
                            .orElseThrow(() -> new IllegalStateException("rule " + rule.key() + " jumps to missing chain "
                                    + chainName));
                    Decision decision = walk(next, base, facts, assumed, depth + 1);
                    if (decision != null || verdict.equals("goto")) return decision;
                }
                default -> { }
            }
        }
        return null;
    }

    /**
     * The flow's first packet after destination NAT on {@code hook} (prerouting for arriving packets, output for
     * this host's own): the nat base chains in priority order, rules in order (jumps followed), the first rule whose
     * matches all fit with a {@code dnat to ADDR[:PORT]} or {@code redirect [to :PORT]} statement rewrites the
     * destination (a redirect to this host: {@code redirected} true). A dnat/redirect rule with a match that
     * cannot be evaluated stops the search: the flow stays as it was, {@code certain} false.
     */
    record Translation(FlowFacts facts, boolean redirected, boolean certain, FirewallSnapshot.Rule rule) {}

    Translation dnat(FlowFacts facts, String hook) {
        Set<String> families = facts.family() == null ? Set.of("inet", "ip", "ip6")
                : facts.family().equals("ipv4") ? Set.of("inet", "ip") : Set.of("inet", "ip6");
        List<FirewallSnapshot.Chain> chains = new ArrayList<>();
        for (FirewallSnapshot.Chain chain : snapshot.chains()) {
            if (hook.equals(chain.hook()) && "nat".equals(chain.type()) && families.contains(chain.family())) chains.add(chain);
        }
        chains.sort(Comparator.comparingInt(c -> c.priority() == null ? 0 : c.priority()));
        for (FirewallSnapshot.Chain chain : chains) {
            Translation t = dnatIn(chain, facts, 0);
            if (t != null) return t;
        }
        return new Translation(facts, false, true, null);
    }

    private Translation dnatIn(FirewallSnapshot.Chain chain, FlowFacts facts, int depth) {
        if (depth > MAX_DEPTH) return new Translation(facts, false, false, null);
        for (FirewallSnapshot.Rule rule : snapshot.rulesOf(chain)) {
            JsonNode statement = null;
            for (JsonNode s : rule.expr()) if (s.has("dnat") || s.has("redirect")) statement = s;
            boolean jumps = "jump".equals(rule.verdict()) || "goto".equals(rule.verdict());
            if (statement == null && !jumps && !"accept".equals(rule.verdict()) && !"return".equals(rule.verdict())) continue;
            RuleMatcher.Tri match = matcher.matchRule(rule, facts).value();
            if (match == RuleMatcher.Tri.FALSE) continue;
            if (match == RuleMatcher.Tri.UNKNOWN) {
                if (statement != null) return new Translation(facts, false, false, rule);
                continue;
            }
            if (statement != null) {
                boolean redirect = statement.has("redirect");
                JsonNode body = redirect ? statement.get("redirect") : statement.get("dnat");
                java.net.InetAddress address = redirect ? facts.daddr() : FlowFacts.literal(body.path("addr").asText(null));
                if (!redirect && address == null) return new Translation(facts, false, false, rule);
                int port = body != null && body.path("port").isNumber() ? body.path("port").asInt() : facts.dport();
                FlowFacts translated = new FlowFacts(facts.family(), facts.l4(), facts.saddr(), address, facts.sport(),
                        port, facts.iif(), facts.oif(), facts.ctState(), facts.icmpType());
                return new Translation(translated, redirect, true, rule);
            }
            if (jumps) {
                FirewallSnapshot.Chain next = snapshot.chain(rule.backend(), rule.family(), rule.table(), rule.target()).orElse(null);
                if (next == null) continue;
                Translation t = dnatIn(next, facts, depth + 1);
                if (t != null || "goto".equals(rule.verdict())) return t;
                continue;
            }
            return null; // accept or return: this nat chain translates nothing more
        }
        return null;
    }

    /** The rule's verdict map statement ({@code ... vmap { key : verdict, ... }}), or null. */
    private static JsonNode verdictMap(FirewallSnapshot.Rule rule) {
        if (rule.expr() == null) return null;
        for (JsonNode statement : rule.expr()) {
            if (statement.has("vmap")) return statement.get("vmap");
        }
        return null;
    }

    /** Statements that filter like matches but are not modelled (rate limits, quotas, iptables matches). */
    static List<String> unmodelledStatements(FirewallSnapshot.Rule rule) {
        List<String> out = new ArrayList<>();
        for (var statement : rule.expr()) {
            for (String name : List.of("limit", "quota", "xt", "connlimit", "numgen", "fib")) {
                if (!statement.has(name)) continue;
                JsonNode body = statement.get(name);
                if (name.equals("xt") && (body.path("name").asText().equals("comment")
                        || body.path("type").asText().equals("target"))) continue; // no filtering
                if (name.equals("xt") && rule.backend() == FirewallSnapshot.Backend.IPTABLES_NFT) continue; // read back from iptables-nft-save
                out.add(name + " " + body);
            }
        }
        return out;
    }
}
