package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static netwatcher.agent.hostcfg.Fixtures.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evaluator on a captured ruleset (hostcfg/ruleset-priority.json and its {@code nft -a list ruleset} text):
 * {@code inet nwt_early} accepts app's SQL in an input chain of priority -10; {@code inet nwt_guest}'s input chain
 * (priority 0, policy drop) then has ct state, lo, a rule for another host, a comment-less drop by a named set that
 * holds app, an accept for 22/80 and a jump to {@code pg} (reject from 198.18.1.0/24, else return); its forward
 * chain rejects 1434 to db without a comment.
 */
class ChainSemanticsTest {
    private final RulesetEvaluator evaluator =
            new RulesetEvaluator(Fixtures.snapshot("ruleset-priority.json", "ruleset-priority.txt"));

    private RulesetEvaluator.Evaluation inbound(String source, int port) {
        FlowFacts facts = FlowFacts.of(flow("TCP", source, 40000, "198.18.3.10", port, "Inbound")).withInterfaces("eth0", "");
        return evaluator.evaluate(facts, List.of("prerouting", "input"));
    }

    @Test
    void acceptInAnEarlierBaseChain_doesNotStopALaterChainsDrop() {
        RulesetEvaluator.Evaluation evaluation = inbound("198.18.1.10", 1433);

        assertEquals("drop", evaluation.decision().verdict());
        FirewallSnapshot.Rule rule = evaluation.decision().rule();
        assertEquals("inet/nwt_guest/input/8", rule.displayName()); // no comment: family/table/chain/handle
        assertEquals("ip saddr @blocked tcp dport 1433 drop", rule.text());
        assertEquals(List.of("inet nwt_early pre_input: accept (EarlyAllowSql)",
                "inet nwt_guest input: drop (inet/nwt_guest/input/8)"), evaluation.path());
        assertTrue(evaluation.assumed().isEmpty(), evaluation.assumed().toString());
    }

    @Test
    void aRuleTheFlowDoesNotMatch_isPassedForTheOneItDoes() {
        // OtherHostSql (198.18.1.99) sits before the set rule; app's flow skips it
        RulesetEvaluator.Evaluation other = inbound("198.18.1.99", 1433);
        assertEquals("OtherHostSql", other.decision().rule().displayName());
        assertEquals("inet/nwt_guest/input/8", inbound("198.18.1.10", 1433).decision().rule().displayName());
    }

    @Test
    void noRuleMatches_thePolicyDecides() {
        RulesetEvaluator.Evaluation evaluation = inbound("198.18.1.20", 1433);
        assertEquals("drop", evaluation.decision().verdict());
        assertNull(evaluation.decision().rule());
        assertEquals("input", evaluation.decision().baseChain().name());
    }

    @Test
    void anAnonymousSetAccepts() {
        RulesetEvaluator.Evaluation evaluation = inbound("198.18.1.20", 80);
        assertEquals("accept", evaluation.decision().verdict());
        assertEquals("AllowWebSsh", evaluation.decision().rule().displayName());
    }

    @Test
    void jumpedChainRejects_orReturnsToThePolicy() {
        RulesetEvaluator.Evaluation app = inbound("198.18.1.20", 5432);
        assertEquals("reject", app.decision().verdict());
        assertEquals("NoPgFromApp", app.decision().rule().displayName());

        RulesetEvaluator.Evaluation outside = inbound("198.18.5.5", 5432);
        assertEquals("drop", outside.decision().verdict());
        assertNull(outside.decision().rule());
    }

    @Test
    void establishedReplies_areAcceptedByTheCtStateRule() {
        FlowFacts reply = FlowFacts.of(flow("TCP", "198.18.1.10", 40000, "198.18.3.10", 1433, "Inbound")).reversed()
                .withInterfaces("eth0", "");
        RulesetEvaluator.Evaluation evaluation = evaluator.evaluate(reply, List.of("prerouting", "input"));
        assertEquals("accept", evaluation.decision().verdict());
        assertEquals("ct state established,related accept", evaluation.decision().rule().text());
    }

    @Test
    void forwardReject_isNamedWithItsTextAndVerdict() {
        FlowFacts facts = FlowFacts.of(flow("TCP", "198.18.1.10", 40000, "198.18.3.10", 1434, null)).withInterfaces("eth0", "eth1");
        CheckReport.Verdict verdict = evaluator.verdict(facts, List.of("prerouting", "forward", "postrouting"));
        assertEquals("Deny", verdict.access());
        assertEquals("reject", verdict.context().get("Verdict"));
        assertEquals("ip daddr 198.18.3.10 tcp dport 1434 reject with icmpx admin-prohibited", verdict.context().get("RuleText"));
        assertFalse(verdict.context().containsKey("Assumed"), verdict.context().toString());
        // another port passes the forward chain by its policy
        FlowFacts other = FlowFacts.of(flow("TCP", "198.18.1.10", 40000, "198.18.3.10", 1433, null)).withInterfaces("eth0", "eth1");
        assertEquals("Allow", evaluator.verdict(other, List.of("prerouting", "forward", "postrouting")).access());
    }

    @Test
    void verdictMaps_decideByTheFlowsKey_andFallThroughWhenNoElementMatches() {
        RulesetEvaluator vmap = new RulesetEvaluator(Fixtures.snapshot("ruleset-vmap.json"));
        // inet nwt_v c: tcp dport vmap { 22 : accept, 80 : drop, 443 : jump x }; drop   (x: accept)
        java.util.function.IntFunction<RulesetEvaluator.Decision> port = p -> vmap.evaluate(
                FlowFacts.of(flow("TCP", "198.18.1.10", 40000, "198.18.3.10", p, "Inbound")).withInterfaces("eth0", ""),
                List.of("input")).decision();
        assertEquals("accept", port.apply(22).verdict());
        assertEquals(4, port.apply(22).rule().handle());
        assertEquals("drop", port.apply(80).verdict());
        assertEquals(4, port.apply(80).rule().handle());
        assertEquals("accept", port.apply(443).verdict());
        assertEquals(6, port.apply(443).rule().handle());
        assertEquals("drop", port.apply(8080).verdict());
        assertEquals(5, port.apply(8080).rule().handle());
    }
}
