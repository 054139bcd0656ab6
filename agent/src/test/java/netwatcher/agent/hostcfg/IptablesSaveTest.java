package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static netwatcher.agent.hostcfg.Fixtures.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * iptables rules read from captured {@code iptables-legacy-save -c} and {@code iptables-nft-save -c} output, judged
 * by the same evaluator as nftables rules.
 */
class IptablesSaveTest {
    private static FirewallSnapshot legacy() {
        IptablesSave.Parsed parsed = IptablesSave.parse(Fixtures.text("iptables-legacy-save.txt"), "ip",
                FirewallSnapshot.Backend.IPTABLES_LEGACY);
        return new FirewallSnapshot(Instant.EPOCH, parsed.chains(), parsed.rules(), Map.of(), List.of());
    }

    private static FlowFacts inbound(String protocol, String source, int port) {
        return FlowFacts.of(flow(protocol, source, 40000, "198.18.3.10", port, "Inbound")).withInterfaces("eth0", "");
    }

    @Test
    void parse_readsChainsPoliciesCountersAndPositions() {
        FirewallSnapshot snapshot = legacy();
        FirewallSnapshot.Chain forward = snapshot.chains().stream().filter(c -> c.name().equals("FORWARD")).findFirst().orElseThrow();
        assertEquals("forward", forward.hook());
        assertEquals("drop", forward.policy());
        assertEquals(0, forward.priority());
        FirewallSnapshot.Rule second = snapshot.rules().get(1);
        assertEquals(2, second.handle());
        assertEquals("iptables-legacy/ip/filter/INPUT/2", second.displayName());
        assertEquals(0, second.packets());
        assertTrue(second.key().startsWith("iptables-legacy:"), second.key());
        assertEquals("Legacy \"Sql\" block", snapshot.rules().get(5).comment());
    }

    @Test
    void evaluate_followsAMultiportJumpToTheRejectInTheUserChain() {
        RulesetEvaluator.Evaluation evaluation = new RulesetEvaluator(legacy()).evaluate(inbound("TCP", "198.18.1.10", 1433),
                List.of("prerouting", "input"));
        assertEquals("reject", evaluation.decision().verdict(), evaluation.path() + " " + evaluation.assumed());
        assertEquals("Legacy \"Sql\" block", evaluation.decision().rule().displayName());
        assertTrue(evaluation.assumed().isEmpty(), evaluation.assumed().toString());
    }

    @Test
    void evaluate_namesTheCommentlessDropByPosition_andSkipsRulesTheFlowDoesNotMatch() {
        RulesetEvaluator evaluator = new RulesetEvaluator(legacy());
        RulesetEvaluator.Evaluation other = evaluator.evaluate(inbound("TCP", "198.18.1.99", 1433), List.of("input"));
        assertEquals("iptables-legacy/ip/filter/INPUT/2", other.decision().rule().displayName());
        assertEquals("-A INPUT -s 198.18.1.99/32 -p tcp -m tcp --dport 1433 -j DROP", other.decision().rule().text());

        assertEquals("accept", evaluator.evaluate(inbound("TCP", "198.18.1.10", 22), List.of("input")).decision().verdict());
        RulesetEvaluator.Evaluation dns = evaluator.evaluate(inbound("UDP", "198.18.1.10", 53), List.of("input"));
        assertEquals("drop", dns.decision().verdict()); // ! -i lo
        assertEquals(4, dns.decision().rule().handle());
    }

    @Test
    void evaluate_assumesWhatItCannotModel_andFallsToThePolicyOtherwise() {
        RulesetEvaluator evaluator = new RulesetEvaluator(legacy());
        FlowFacts tcp = FlowFacts.of(flow("TCP", "198.18.1.10", 40000, "198.18.3.10", 80, null)).withInterfaces("eth0", "eth1");
        RulesetEvaluator.Evaluation forwarded = evaluator.evaluate(tcp, List.of("forward"));
        assertEquals("accept", forwarded.decision().verdict());
        assertTrue(String.join(";", forwarded.assumed()).contains("limit"), forwarded.assumed().toString());

        FlowFacts udp = FlowFacts.of(flow("UDP", "198.18.1.10", 40000, "198.18.3.10", 53, null)).withInterfaces("eth0", "eth1");
        RulesetEvaluator.Evaluation policy = evaluator.evaluate(udp, List.of("forward"));
        assertEquals("drop", policy.decision().verdict());
        assertEquals(null, policy.decision().rule());
    }

    @Test
    void iptablesNftRules_getTheirCommentsAndMatchesBackFromIptablesNftSave() {
        FirewallSnapshot nft = Fixtures.snapshot("ruleset-iptables-nft-comment.json");
        List<FirewallSnapshot.Chain> chains = new ArrayList<>(nft.chains());
        List<FirewallSnapshot.Rule> rules = new ArrayList<>(nft.rules());
        RulesetReader.mergeIptablesNft(chains, rules, IptablesSave.parse(Fixtures.text("iptables-nft-save.txt"), "ip",
                FirewallSnapshot.Backend.IPTABLES_NFT));
        FirewallSnapshot merged = new FirewallSnapshot(Instant.EPOCH, chains, rules, Map.of(), List.of());
        RulesetEvaluator evaluator = new RulesetEvaluator(merged);

        CheckReport.Verdict reject = evaluator.verdict(inbound("TCP", "198.18.1.10", 1434), List.of("input"));
        assertEquals("Deny", reject.access());
        assertEquals("IptNftReject", reject.ruleName());
        assertEquals("reject", reject.context().get("Verdict"));
        assertEquals("iptables-nft", reject.context().get("Backend"));
        assertEquals("2", reject.context().get("Handle")); // nft's handle, so counters and traces line up

        CheckReport.Verdict multiport = evaluator.verdict(inbound("TCP", "198.18.1.10", 1436), List.of("input"));
        assertEquals("Deny", multiport.access());
        assertEquals("ip/filter/INPUT/3", multiport.ruleName());
        assertFalse(multiport.context().containsKey("Assumed"), multiport.context().toString());
        assertEquals("Allow", evaluator.verdict(inbound("TCP", "198.18.1.10", 1437), List.of("input")).access());
    }

    @Test
    void tokens_keepQuotedWordsTogether() {
        assertEquals(List.of("-m", "comment", "--comment", "a \"b\" c", "-j", "DROP"),
                IptablesSave.tokens("-m comment --comment \"a \\\"b\\\" c\" -j DROP"));
    }
}
