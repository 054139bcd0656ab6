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
                new NftTrace.TraceVerdict("c1519dea", "inet", "nwt_f", "input", 2L, "drop",
                        new NftTrace.Packet("127.0.0.1", "127.0.0.1", "tcp", 35186, 80, "syn")),
                new NftTrace.TraceVerdict("9d32bd20", "inet", "nwt_f", "output", null, "accept",
                        new NftTrace.Packet("127.0.0.1", "127.0.0.1", "tcp", 47302, 81, "syn"))), verdicts);
    }

    @Test
    void parse_ignoresEveryTraceTableAndKeepsTheFirstPacketOfEachTraceId() {
        List<String> lines = List.of(
                "trace id aa inet nw_trace_other pre packet: iif \"eth0\" ip saddr 198.18.1.10 ip daddr 198.18.3.10 ip protocol tcp tcp sport 40000 tcp dport 1433 tcp flags == syn",
                "trace id aa inet nw_trace_other pre policy accept ",
                "trace id aa ip nat pre packet: iif \"eth0\" ip saddr 198.18.1.10 ip daddr 198.18.9.9 ip protocol tcp tcp sport 40000 tcp dport 1433",
                "trace id aa ip filter FORWARD rule ip daddr 198.18.9.9 counter packets 0 bytes 0 reject # handle 7 (verdict drop)");

        List<NftTrace.TraceVerdict> verdicts = NftTrace.parse(lines, "nw_trace_mine");

        assertEquals(1, verdicts.size(), verdicts.toString());
        assertEquals("198.18.9.9", verdicts.getFirst().packet().daddr()); // as the deciding chain saw it (after DNAT)
        assertEquals("198.18.3.10", NftTrace.packets(lines).get("aa").daddr()); // as first traced (before DNAT)
    }

    @Test
    void packet_opensConnection_onlyForSynAndSynAckOrUnknownFlags() {
        assertEquals(true, NftTrace.Packet.parse("ip saddr 1.2.3.4 tcp sport 1 tcp dport 2 tcp flags == syn tcp window 1").opensConnection());
        assertEquals(true, NftTrace.Packet.parse("tcp flags == 0x12 tcp window 1").opensConnection());
        assertEquals(false, NftTrace.Packet.parse("tcp flags == ack tcp window 1").opensConnection());
        assertEquals(false, NftTrace.Packet.parse("tcp flags == 0x11 tcp window 1").opensConnection());
        assertEquals(true, NftTrace.Packet.parse("ip protocol udp udp sport 1 udp dport 2").opensConnection());
    }

    @Test
    void reply_swapsAddressesAndPorts() {
        FlowFacts reply = NftTrace.reply(FlowFacts.of(flow("Tcp", null, 0, "198.18.3.10", 1433, null)));
        assertEquals("ip saddr 198.18.3.10 meta l4proto tcp tcp sport 1433", NftTrace.selector(reply));
    }

    @Test
    void selector_leavesOutWhatTheFlowDoesNotFix() {
        assertEquals("ip saddr 198.18.1.10 ip daddr 198.18.3.10 meta l4proto tcp tcp dport 80",
                NftTrace.selector(FlowFacts.of(flow("Tcp", "198.18.1.10", 0, "198.18.3.10", 80, null))));
        assertEquals("ip6 daddr 2001:2:0:3:0:0:0:10 meta l4proto icmpv6",
                NftTrace.selector(FlowFacts.of(flow("Icmp", null, 0, "2001:2:0:3::10", 0, null))));
    }
}
