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

    /** p50/p90/p99 of the successful probes' latency, in fractional ms (nearest-rank). */
    private Map<String, Double> percentiles() {
        double[] l = results.stream().filter(r -> r.succeeded() && r.latencyMs() != null).mapToDouble(ProbeResult::latencyMs).sorted().toArray();
        Map<String, Double> out = new LinkedHashMap<>();
        if (l.length == 0) return out;
        for (int p : new int[] {50, 90, 99}) {
            int rank = (int) Math.ceil(p / 100.0 * l.length);
            out.put("p" + p, Math.round(l[Math.max(0, rank - 1)] * 1000) / 1000.0);
        }
        return out;
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
                ? new CheckReport.ProbeSummary(results.size(), failed, null, null, null, outcomes, lastStatus, null)
                : new CheckReport.ProbeSummary(results.size(), failed, (int) Math.round(min), (int) Math.round(total / ok),
                        (int) Math.round(max), outcomes, lastStatus, percentiles());
    }
}
