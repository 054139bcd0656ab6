package netwatcher.agent.hostcfg;

import org.junit.jupiter.api.Test;

import java.util.List;

import static netwatcher.agent.hostcfg.Fixtures.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Parsing {@code nft -a monitor} trace lines (resources hostcfg/nft-monitor-trace.txt) and the trace selector. */
class NftTraceTest {
    @Test
    void parse_keepsTerminalVerdictsOfOtherTablesWithTheirHandles() {
        List<String> lines = Fixtures.text("nft-monitor-trace.txt").lines().toList();

        List<NftTrace.TraceVerdict> verdicts = NftTrace.parse(lines, "nw_trace_t");

        assertEquals(List.of(
                new NftTrace.TraceVerdict("c1519dea", "inet", "nwt_f", "input", 2L, "drop"),
                new NftTrace.TraceVerdict("9d32bd20", "inet", "nwt_f", "output", null, "accept")), verdicts);
    }

    @Test
    void selector_leavesOutWhatTheFlowDoesNotFix() {
        assertEquals("ip saddr 198.18.1.10 ip daddr 198.18.3.10 meta l4proto tcp tcp dport 80",
                NftTrace.selector(FlowFacts.of(flow("Tcp", "198.18.1.10", 0, "198.18.3.10", 80, null))));
        assertEquals("ip6 daddr 2001:2:0:3:0:0:0:10 meta l4proto icmpv6",
                NftTrace.selector(FlowFacts.of(flow("Icmp", null, 0, "2001:2:0:3::10", 0, null))));
    }
}
