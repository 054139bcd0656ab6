package netwatcher.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ReportState;
import org.junit.jupiter.api.Test;

/** Each kind of part report carries its state, the order's key and role, and only what that kind says. */
class PartReportsTest {
    static final Flow ORDERED = new Flow("Tcp", null, 0, null, "db.lab.test", 1433, null, null);
    static final Flow RESOLVED = new Flow("Tcp", "198.18.1.10", 40000, "198.18.3.10", "db.lab.test", 1433, null, null);
    static final CheckReport.Finding FINDING = new CheckReport.Finding("GuestFirewall", "Outbound", "Error",
            Map.of("RuleName", "block-db"), "counters");
    static final CheckReport.NextHop NEXT_HOP = new CheckReport.NextHop("VirtualAppliance", "198.18.1.1", true,
            "198.18.3.0/24 via 198.18.1.1 dev eth0", "main");

    static CheckOrder order(CheckRole role) {
        return new CheckOrder("k1", "check-1", role, true, ORDERED, null, Instant.EPOCH, null);
    }

    @Test
    void failed_carriesTheOrdersFlowAndTheMessageOnly() {
        CheckReport r = PartReports.failed(order(CheckRole.SOURCE), "source on this agent failed: boom");
        assertEquals(ReportState.FAILED, r.state());
        assertEquals("k1", r.key());
        assertEquals(CheckRole.SOURCE, r.role());
        assertEquals(ORDERED, r.flow());
        assertEquals("source on this agent failed: boom", r.error());
        assertNull(r.probes());
        assertTrue(r.hops().isEmpty() && r.findings().isEmpty());
        assertNull(r.nextHop());
    }

    @Test
    void armed_saysNothingButItsState() {
        CheckReport r = PartReports.armed(order(CheckRole.OBSERVER));
        assertEquals(ReportState.ARMED, r.state());
        assertEquals(CheckRole.OBSERVER, r.role());
        assertEquals(ORDERED, r.flow());
        assertTrue(r.findings().isEmpty());
        assertNull(r.error());
    }

    @Test
    void probingAndProbed_carryTheResolvedFlow_probedAlsoFindingsAndNextHop() {
        CheckReport.TraceHop hop = new CheckReport.TraceHop(1, "198.18.1.1", List.of(0.4), "timeExceeded", null);
        CheckReport probing = PartReports.probing(order(CheckRole.SOURCE), RESOLVED, PartReports.NO_PROBES, List.of(hop));
        assertEquals(ReportState.PROBING, probing.state());
        assertEquals(RESOLVED, probing.flow());
        assertEquals(List.of(hop), probing.hops());
        assertTrue(probing.findings().isEmpty());

        CheckReport done = PartReports.probed(order(CheckRole.SOURCE), RESOLVED, PartReports.NO_PROBES, List.of(hop),
                List.of(FINDING), NEXT_HOP);
        assertEquals(ReportState.DONE, done.state());
        assertEquals(RESOLVED, done.flow());
        assertEquals(PartReports.NO_PROBES, done.probes());
        assertEquals(List.of(FINDING), done.findings());
        assertEquals(NEXT_HOP, done.nextHop());
        assertNull(done.error());
    }

    @Test
    void observed_verified_routed_areDoneWithTheOrdersFlow() {
        CheckReport observed = PartReports.observed(order(CheckRole.OBSERVER), List.of(FINDING), NEXT_HOP);
        assertEquals(ReportState.DONE, observed.state());
        assertEquals(ORDERED, observed.flow());
        assertNull(observed.probes());
        assertEquals(List.of(FINDING), observed.findings());
        assertEquals(NEXT_HOP, observed.nextHop());

        CheckReport.Verdict verdict = new CheckReport.Verdict("Deny", "block-db", Map.of("Hook", "output"));
        CheckReport verified = PartReports.verified(order(CheckRole.VERIFY), verdict);
        assertEquals(ReportState.DONE, verified.state());
        assertEquals(verdict, verified.verdict());
        assertNull(verified.nextHop());

        CheckReport routed = PartReports.routed(order(CheckRole.NEXTHOP), NEXT_HOP);
        assertEquals(ReportState.DONE, routed.state());
        assertEquals(NEXT_HOP, routed.nextHop());
        assertNull(routed.verdict());
    }
}
