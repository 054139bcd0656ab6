package netwatcher.agent.probe;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import netwatcher.model.check.CheckReport;

/**
 * The probes of one run, in order, and the local address the first probe used.
 *
 * @param results each probe, classified
 * @param local   the source address/port actually used by the first probe that got one, or null
 */
public record ProbeRun(List<ProbeResult> results, InetSocketAddress local) {
    public ProbeRun {
        results = List.copyOf(results);
    }

    /** Count per outcome (wire names), sent, failed and latency min/avg/max over the successes (rounded ms). */
    public CheckReport.ProbeSummary summary() {
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        double min = Double.MAX_VALUE, max = 0, total = 0;
        int ok = 0;
        Integer lastStatus = null;
        for (ProbeResult r : results) {
            outcomes.merge(r.outcome().wire(), 1, Integer::sum);
            if (r.httpStatus() != null) lastStatus = r.httpStatus();
            if (r.succeeded() && r.latencyMs() != null) {
                ok++;
                min = Math.min(min, r.latencyMs());
                max = Math.max(max, r.latencyMs());
                total += r.latencyMs();
            }
        }
        int failed = (int) results.stream().filter(r -> !r.succeeded()).count();
        return ok == 0
                ? new CheckReport.ProbeSummary(results.size(), failed, null, null, null, outcomes, lastStatus)
                : new CheckReport.ProbeSummary(results.size(), failed, (int) Math.round(min), (int) Math.round(total / ok),
                        (int) Math.round(max), outcomes, lastStatus);
    }
}
