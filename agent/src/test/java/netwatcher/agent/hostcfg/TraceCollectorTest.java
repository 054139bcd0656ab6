package netwatcher.agent.hostcfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A trace keeps a bounded summary of its monitor's lines however busy the traced flow is, and still keeps the
 * packets the explanation reads: those that open connections, and every dropped one.
 */
class TraceCollectorTest {
    static String packet(String id, int sport, String flags) {
        return "trace id " + id + " ip filter FORWARD packet: iif \"eth0\" oif \"eth1\" ip saddr 198.18.1.10 ip daddr 198.18.3.10"
                + " ip protocol tcp tcp sport " + sport + " tcp dport 1433 tcp flags == " + flags + " tcp window 64240";
    }

    static String accept(String id) {
        return "trace id " + id + " ip filter FORWARD rule ip daddr 198.18.3.10 counter packets 9 bytes 9 accept # handle 4 (verdict accept)";
    }

    static String drop(String id) {
        return "trace id " + id + " ip filter FORWARD rule tcp dport 1433 counter packets 1 bytes 60 drop # handle 7 (verdict drop)";
    }

    @Test
    void aFloodOfEstablishedTraffic_keepsTheSynsAndTheDrops_andCountsTheRest() {
        TraceCollector c = new TraceCollector("nw_trace_mine");
        int n = 0;
        for (int i = 0; i < 20_000; i++) { // a busy connection's data packets, accepted
            String id = "e" + i;
            c.accept(packet(id, 40000 + i % 50, "ack"));
            c.accept("trace id " + id + " inet nw_trace_other pre rule meta nftrace set 1 (verdict continue)");
            c.accept(accept(id));
        }
        for (int i = 0; i < TraceCollector.OPENING + 500; i++) { // more SYNs than it keeps whole, all accepted
            c.accept(packet("s" + i, 50000 + i, "syn"));
            c.accept(accept("s" + i));
        }
        for (int i = 0; i < 10; i++) { // then the probes, dropped
            c.accept(packet("p" + i, 60000 + i, "syn"));
            c.accept(drop("p" + i));
        }
        NftTrace.Seen seen = c.seen();
        List<NftTrace.TraceVerdict> drops = seen.verdicts().stream().filter(v -> v.verdict().equals("drop")).toList();
        assertEquals(10, drops.size(), "every drop kept");
        assertTrue(drops.stream().allMatch(v -> v.packet() != null && v.packet().opensConnection()), drops.toString());
        for (int i = 0; i < 10; i++) assertTrue(seen.packets().containsKey("p" + i), "the dropped probe's first packet");
        assertEquals(TraceCollector.OPENING + TraceCollector.ESTABLISHED + 10, seen.packets().size());
        assertEquals(20_000 - TraceCollector.ESTABLISHED + 500, seen.omitted());
        assertTrue(seen.verdicts().size() <= TraceCollector.OPENING + TraceCollector.ESTABLISHED + 10, "one verdict per kept id here");
    }

    @Test
    void aVerdictBeforeAnyPacketLine_isKept() {
        TraceCollector c = new TraceCollector("nw_trace_mine");
        c.accept(drop("x"));
        c.accept(packet("x", 40000, "syn"));
        assertEquals(1, c.seen().verdicts().size());
        assertEquals(0, c.seen().omitted());
        assertEquals(40000, c.seen().packets().get("x").sport(), "its first packet line stands for its first packet");
    }
}
