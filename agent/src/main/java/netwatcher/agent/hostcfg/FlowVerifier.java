package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IP flow verify: this host's live packet filter ({@link RulesetReader}) evaluated for a flow's first packet
 * ({@link RulesetEvaluator}), without traffic. Thread-safe: it keeps no state between calls.
 */
final class FlowVerifier {
    private final Routing routing;
    private final RulesetReader reader;

    FlowVerifier(Routing routing, RulesetReader reader) {
        this.routing = routing;
        this.reader = reader;
    }

    /** IP flow verify for the flow in {@code flow.direction()}: see {@link HostConfig#verify}. */
    CheckReport.Verdict verify(Flow flow) {
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
        HookInterfaces interfaces = new HookInterfaces(routing, facts);
        FirewallSnapshot snapshot = reader.read();
        RulesetEvaluator evaluator = new RulesetEvaluator(snapshot);
        CheckReport.Verdict verdict = inbound
                ? evaluator.verdict(interfaces.forHook("input", false), List.of("ingress", "prerouting", "input"))
                : evaluator.verdict(interfaces.forHook("output", false), List.of("output", "postrouting"));
        if (snapshot.warnings().isEmpty()) return verdict;
        Map<String, String> context = new LinkedHashMap<>(verdict.context());
        context.put("Warning", snapshot.warnings().getFirst().context().getOrDefault("Message", "legacy rules"));
        return new CheckReport.Verdict(verdict.access(), verdict.ruleName(), context);
    }

}
