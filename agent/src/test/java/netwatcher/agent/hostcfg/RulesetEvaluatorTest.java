package netwatcher.agent.hostcfg;

import netwatcher.model.check.CheckReport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static netwatcher.agent.hostcfg.Fixtures.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Static evaluation on real nft JSON: ruleset-chains.json (inet nwt_v: output chain jumping to "checks",
 * which accepts 1433, goes to "deny" for 3306 and returns for 53; ip nwt_w: a later output chain with policy
 * drop accepting only 198.18.3.10; a nat chain that must be ignored) and ruleset-iptables-nft.json.
 */
class RulesetEvaluatorTest {
    private final RulesetEvaluator chains = new RulesetEvaluator(Fixtures.snapshot("ruleset-chains.json"));

    private CheckReport.Verdict out(String protocol, String destination, int port) {
        FlowFacts facts = FlowFacts.of(flow(protocol, "198.18.1.10", 40000, destination, port, "Outbound"))
                .withInterfaces("", "eth0");
        return chains.verdict(facts, List.of("output", "postrouting"));
    }

    @Test
    void verdict_whenJumpedChainAcceptsAndLaterChainAccepts_allowsWithTheLastAcceptRule() {
        CheckReport.Verdict verdict = out("TCP", "198.18.3.10", 1433);
        assertEquals("Allow", verdict.access());
        assertEquals("LateAllow", verdict.ruleName());
        assertTrue(verdict.context().get("Path").contains("AllowSql"), verdict.context().toString());
    }

    @Test
    void verdict_whenLaterBaseChainPolicyDrops_deniesByPolicy() {
        CheckReport.Verdict verdict = out("TCP", "198.18.3.11", 1433);
        assertEquals("Deny", verdict.access());
        assertNull(verdict.ruleName());
        assertEquals("policy", verdict.context().get("DecidedBy"));
        assertEquals("out2", verdict.context().get("Chain"));
    }

    @Test
    void verdict_whenGotoTargetRejects_deniesWithThatRule() {
        CheckReport.Verdict verdict = out("TCP", "198.18.3.10", 3306);
        assertEquals("Deny", verdict.access());
        assertEquals("DenyMysql", verdict.ruleName());
        assertEquals("reject", verdict.context().get("Verdict"));
    }

    @Test
    void verdict_whenJumpedChainReturns_continuesInTheCaller() {
        CheckReport.Verdict verdict = out("UDP", "198.18.3.10", 53);
        assertEquals("Allow", verdict.access());
        assertEquals("LateAllow", verdict.ruleName());
    }

    @Test
    void verdict_whenRuleAfterJumpDrops_deniesWithItsComment() {
        CheckReport.Verdict verdict = out("TCP", "198.18.9.9", 25);
        assertEquals("Deny", verdict.access());
        assertEquals("NoSmtp", verdict.ruleName());
    }

    @Test
    void verdict_ignoresNatChains() {
        // the nat chain drops 1433 but nat chains are not filters
        assertEquals("Allow", out("TCP", "198.18.3.10", 1433).access());
    }

    @Test
    void verdict_whenNoChainOnHook_allowsByPolicy() {
        FlowFacts facts = FlowFacts.of(flow("TCP", "198.18.1.10", 40000, "198.18.3.10", 22, "Inbound"));
        CheckReport.Verdict verdict = chains.verdict(facts, List.of("prerouting", "input"));
        assertEquals("Allow", verdict.access());
        assertNull(verdict.ruleName());
        assertEquals("policy", verdict.context().get("DecidedBy"));
    }

    @Test
    void verdict_onIptablesNftRules_evaluatesNativeMatchesAndAssumesXtMatches() {
        RulesetEvaluator iptables = new RulesetEvaluator(Fixtures.snapshot("ruleset-iptables-nft.json"));
        FlowFacts ssh = FlowFacts.of(flow("TCP", "203.0.113.9", 40000, "198.18.3.10", 22, "Inbound")).withInterfaces("eth0", "");
        assertEquals("Allow", iptables.verdict(ssh, List.of("input")).access());
        assertEquals("ip/filter/INPUT/2", iptables.verdict(ssh, List.of("input")).ruleName());

        FlowFacts web = FlowFacts.of(flow("TCP", "203.0.113.9", 40000, "198.18.3.10", 80, "Inbound")).withInterfaces("eth0", "");
        CheckReport.Verdict rejected = iptables.verdict(web, List.of("input"));
        assertEquals("Deny", rejected.access());
        assertEquals("reject", rejected.context().get("Verdict"));
        assertTrue(rejected.context().get("Assumed").contains("multiport"), rejected.context().toString());

        FlowFacts dns = FlowFacts.of(flow("UDP", "198.18.1.10", 40000, "198.18.3.10", 53, "Inbound")).withInterfaces("eth0", "");
        assertEquals("ip/filter/INPUT/4", iptables.verdict(dns, List.of("input")).ruleName());
        FlowFacts outside = FlowFacts.of(flow("UDP", "203.0.113.9", 40000, "198.18.3.10", 53, "Inbound")).withInterfaces("eth0", "");
        assertEquals("Allow", iptables.verdict(outside, List.of("input")).access());
    }
}
