package netwatcher.agent.hostcfg;

import netwatcher.agent.hostcfg.RuleMatcher.Tri;
import org.junit.jupiter.api.Test;

import static netwatcher.agent.hostcfg.Fixtures.flow;
import static netwatcher.agent.hostcfg.Fixtures.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The expression matcher on real {@code nft -j list ruleset} output (resources hostcfg/ruleset-mixed.json). */
class RuleMatcherTest {
    private final FirewallSnapshot snapshot = Fixtures.snapshot("ruleset-mixed.json");
    private final RuleMatcher matcher = new RuleMatcher(snapshot.sets());

    private Tri match(long handle, FlowFacts facts) {
        return matcher.matchRule(snapshot.rule("inet/nwt_x/" + chainOf(handle) + "/" + handle).orElseThrow(), facts).value();
    }

    private String chainOf(long handle) {
        return snapshot.rules().stream().filter(r -> r.handle() == handle).findFirst().orElseThrow().chain();
    }

    private static FlowFacts facts(netwatcher.model.check.Flow flow) {
        return FlowFacts.of(flow);
    }

    @Test
    void singlePort_whenFlowDport80_matches() {
        assertEquals(Tri.TRUE, match(6, facts(tcp("198.18.1.10", 40000, "198.18.3.10", 80))));
    }

    @Test
    void singlePort_whenOtherPort_doesNotMatch() {
        assertEquals(Tri.FALSE, match(6, facts(tcp("198.18.1.10", 40000, "198.18.3.10", 1433))));
    }

    @Test
    void tcpPayload_onUdpFlow_isFalseEvenForTheSamePort() {
        assertEquals(Tri.FALSE, match(6, facts(flow("UDP", "198.18.1.10", 40000, "198.18.3.10", 80, null))));
    }

    @Test
    void prefixSetAndRange_whenAllFit_matches() {
        assertEquals(Tri.TRUE, match(8, facts(tcp("198.18.1.77", 40000, "198.18.3.11", 1500))));
    }

    @Test
    void prefixSetAndRange_whenSourceOutsidePrefix_doesNotMatch() {
        assertEquals(Tri.FALSE, match(8, facts(tcp("198.18.2.77", 40000, "198.18.3.11", 1500))));
    }

    @Test
    void prefixSetAndRange_whenAddressNotInSet_doesNotMatch() {
        assertEquals(Tri.FALSE, match(8, facts(tcp("198.18.1.77", 40000, "198.18.3.12", 1500))));
    }

    @Test
    void portRange_whenPortBeyondRange_doesNotMatch() {
        assertEquals(Tri.FALSE, match(8, facts(tcp("198.18.1.77", 40000, "198.18.3.11", 2001))));
    }

    @Test
    void ipMatch_onIpv6Flow_isFalse() {
        assertEquals(Tri.FALSE, match(8, facts(tcp("2001:2:0:1::10", 40000, "2001:2:0:3::10", 1500))));
    }

    @Test
    void namedSet_whenSourcePortInSet_matches() {
        assertEquals(Tri.TRUE, match(9, facts(flow("UDP", "2001:2:0:1::10", 443, "2001:2:0:3::10", 53, null))));
        assertEquals(Tri.FALSE, match(9, facts(flow("UDP", "2001:2:0:1::10", 444, "2001:2:0:3::10", 53, null))));
    }

    @Test
    void ephemeralSourcePort_isUnknownNotFalse() {
        assertEquals(Tri.UNKNOWN, match(9, facts(flow("UDP", "2001:2:0:1::10", 0, "2001:2:0:3::10", 53, null))));
    }

    @Test
    void ctStateEstablished_onNewFlow_doesNotMatch_butOnReply_does() {
        FlowFacts original = facts(tcp("198.18.1.10", 40000, "198.18.3.10", 80));
        assertEquals(Tri.FALSE, match(10, original));
        assertEquals(Tri.TRUE, match(10, original.reversed()));
    }

    @Test
    void interfaceAndIcmpType_whenInterfacesKnown_evaluates() {
        FlowFacts ping = facts(flow("Icmp", "198.18.1.10", 0, "198.18.3.10", 0, null));
        assertEquals(Tri.UNKNOWN, match(11, ping)); // interfaces not known yet
        assertEquals(Tri.TRUE, match(11, ping.withInterfaces("eth0", "eth2")));
        assertEquals(Tri.FALSE, match(11, ping.withInterfaces("eth0", "eth1")));
        assertEquals(Tri.FALSE, match(11, ping.reversed().withInterfaces("eth0", "eth2"))); // echo-reply
    }

    @Test
    void addressRangeAndNfproto_whenInRange_matches() {
        assertEquals(Tri.TRUE, match(12, facts(tcp("198.18.1.10", 1, "198.18.5.9", 22))));
        assertEquals(Tri.FALSE, match(12, facts(tcp("198.18.1.10", 1, "198.18.5.10", 22))));
    }

    @Test
    void negatedSet_excludesItsMembers() {
        assertEquals(Tri.FALSE, match(14, facts(tcp("198.18.1.10", 1, "198.18.3.10", 80))));
        assertEquals(Tri.TRUE, match(14, facts(tcp("198.18.1.10", 1, "198.18.3.10", 8080))));
    }

    @Test
    void ip6AddressAndNexthdr_matches() {
        assertEquals(Tri.TRUE, match(15, facts(tcp("2001:2:0:1::10", 1, "2001:2:0:3::10", 5))));
        assertEquals(Tri.FALSE, match(15, facts(tcp("2001:2:0:1::11", 1, "2001:2:0:3::10", 5))));
    }

    @Test
    void l4protoSetAndTransportHeaderPort_matchesTcpAndUdpButNotIcmp() {
        assertEquals(Tri.TRUE, match(17, facts(tcp("198.18.1.10", 1, "198.18.3.10", 53))));
        assertEquals(Tri.TRUE, match(17, facts(flow("UDP", "198.18.1.10", 1, "198.18.3.10", 53, null))));
        assertEquals(Tri.FALSE, match(17, facts(flow("Icmp", "198.18.1.10", 0, "198.18.3.10", 0, null))));
    }

    @Test
    void negatedPrefix_whenSourceOutsideLabSpace_matches() {
        assertEquals(Tri.TRUE, match(18, facts(flow("UDP", "203.0.113.5", 1, "198.18.3.10", 53, null))));
        assertEquals(Tri.FALSE, match(18, facts(flow("UDP", "198.19.0.5", 1, "198.18.3.10", 53, null))));
    }

    @Test
    void ctStateInvalid_onNewFlow_doesNotMatch() {
        assertEquals(Tri.FALSE, match(24, facts(tcp("198.18.1.10", 1, "198.18.3.10", 80))));
    }

    @Test
    void httpFlowWithoutPort_usesTheProtocolDefault() {
        assertEquals(Tri.TRUE, match(6, facts(flow("Http", "198.18.1.10", 0, "198.18.3.10", 0, null))));
    }

    @Test
    void snapshot_readsChainsRulesCountersAndVerdicts() {
        FirewallSnapshot.Rule userRule = snapshot.rule("inet/nwt_x/forwarding/6").orElseThrow();
        assertEquals("UserRule_Port80", userRule.comment());
        assertEquals("drop", userRule.verdict());
        assertEquals(0, userRule.packets());
        assertEquals("UserRule_Port80", userRule.displayName());
        FirewallSnapshot.Rule jump = snapshot.rule("inet/nwt_x/forwarding/11").orElseThrow();
        assertEquals("jump", jump.verdict());
        assertEquals("subchain", jump.target());
        assertEquals("inet/nwt_x/forwarding/11", jump.displayName());
        assertFalse(snapshot.rule("inet/nwt_x/forwarding/12").orElseThrow().hasCounter());
        FirewallSnapshot.Chain input = snapshot.chain("inet", "nwt_x", "input_hook").orElseThrow();
        assertEquals("input", input.hook());
        assertEquals(10, input.priority());
        assertEquals("drop", input.policy());
        assertFalse(snapshot.chain("inet", "nwt_x", "subchain").orElseThrow().isBase());
    }
}
