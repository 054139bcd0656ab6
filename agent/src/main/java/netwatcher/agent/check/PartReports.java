package netwatcher.agent.check;

import java.util.List;
import java.util.Map;

import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import netwatcher.model.check.ReportState;

/**
 * The reports a part makes, one factory per kind, so no caller spells the eleven fields of a {@link CheckReport}
 * (each factory passes no evidence: the part that captured some adds it, {@link CheckReport#withEvidence}). Pure;
 * thread-safe.
 */
final class PartReports {
    /** The summary of a source that sent no probe (its destination did not resolve, its socket could not be bound). */
    static final CheckReport.ProbeSummary NO_PROBES = new CheckReport.ProbeSummary(0, 0, null, null, null, Map.of(), null, Map.of());

    private PartReports() {}

    /** The part failed: {@code error} says why (state failed). */
    static CheckReport failed(CheckOrder order, String error) {
        return new CheckReport(order.key(), order.role(), ReportState.FAILED, order.flow(), null, List.of(), List.of(), null,
                null, error, null);
    }

    /** An observer watches the flow (state armed). */
    static CheckReport armed(CheckOrder order) {
        return new CheckReport(order.key(), order.role(), ReportState.ARMED, order.flow(), null, List.of(), List.of(), null,
                null, null, null);
    }

    /** A source's probes and hops so far (state probing). */
    static CheckReport probing(CheckOrder order, Flow resolved, CheckReport.ProbeSummary probes, List<CheckReport.TraceHop> hops) {
        return new CheckReport(order.key(), order.role(), ReportState.PROBING, resolved, probes, hops, List.of(), null, null,
                null, null);
    }

    /** A source's final word (state done): its probes, its trace, what this host knows and its own next hop (or null). */
    static CheckReport probed(CheckOrder order, Flow resolved, CheckReport.ProbeSummary probes, List<CheckReport.TraceHop> hops,
                              List<CheckReport.Finding> findings, CheckReport.NextHop nextHop) {
        return new CheckReport(order.key(), order.role(), ReportState.DONE, resolved, probes, hops, findings, null, nextHop,
                null, null);
    }

    /** An observer's final word (state done): what this host knows about the flow and, on a forwarder, its next hop. */
    static CheckReport observed(CheckOrder order, List<CheckReport.Finding> findings, CheckReport.NextHop nextHop) {
        return new CheckReport(order.key(), order.role(), ReportState.DONE, order.flow(), null, List.of(), findings, null,
                nextHop, null, null);
    }

    /** IP flow verify's answer (state done). */
    static CheckReport verified(CheckOrder order, CheckReport.Verdict verdict) {
        return new CheckReport(order.key(), order.role(), ReportState.DONE, order.flow(), null, null, null, verdict, null,
                null, null);
    }

    /** Next hop's answer (state done). */
    static CheckReport routed(CheckOrder order, CheckReport.NextHop nextHop) {
        return new CheckReport(order.key(), order.role(), ReportState.DONE, order.flow(), null, null, null, null, nextHop,
                null, null);
    }
}
