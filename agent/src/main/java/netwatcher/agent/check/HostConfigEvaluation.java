package netwatcher.agent.check;

import java.util.List;
import java.util.Optional;

import netwatcher.agent.hostcfg.FirewallSnapshot;
import netwatcher.agent.hostcfg.HostConfig;
import netwatcher.agent.hostcfg.NftTrace;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HostEvaluation} over this host's real nftables ruleset and routes ({@link HostConfig}),
 * with nftables traces ({@link NftTrace}) as extra evidence where they can be started.
 *
 * <p>Thread-safety: thread-safe (HostConfig keeps no state between calls).
 */
public final class HostConfigEvaluation implements HostEvaluation {
    private static final Logger LOG = LoggerFactory.getLogger(HostConfigEvaluation.class);

    private final HostConfig host;

    public HostConfigEvaluation(HostConfig host) {
        this.host = host;
    }

    private record Taken(FirewallSnapshot snapshot) implements Snapshot {}

    private record Traced(NftTrace trace) implements Trace {
        @Override
        public void close() { trace.close(); }
    }

    @Override
    public Snapshot snapshot() { return new Taken(host.snapshot()); }

    @Override
    public List<CheckReport.Finding> explain(Snapshot before, Snapshot after, Flow flow, boolean thisHostIsSource) {
        return host.explain(unwrap(before), unwrap(after), flow, thisHostIsSource);
    }

    @Override
    public Optional<Trace> startTrace(Flow flow) {
        try {
            return Optional.of(new Traced(host.startTrace(flow)));
        } catch (RuntimeException e) {
            LOG.debug("no nftables trace for the check (counters only): {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public List<CheckReport.Finding> explain(Snapshot before, Snapshot after, Flow flow, boolean thisHostIsSource, Trace trace) {
        if (!(trace instanceof Traced traced)) return explain(before, after, flow, thisHostIsSource);
        NftTrace.Seen seen;
        try {
            seen = traced.trace().seen();
        } catch (RuntimeException e) {
            LOG.debug("nftables trace failed (counters and ruleset evaluation only): {}", e.getMessage());
            seen = null;
        }
        return host.explain(unwrap(before), unwrap(after), flow, thisHostIsSource, seen);
    }

    private record Witnessed(netwatcher.agent.hostcfg.ArrivalWitness witness) implements Witness {
        @Override
        public Optional<CheckReport.Finding> finding() { return witness.finding(); }

        @Override
        public void close() { witness.close(); }
    }

    @Override
    public Optional<Witness> startWitness(Flow flow) {
        try {
            return host.startWitness(flow).map(Witnessed::new);
        } catch (RuntimeException e) {
            LOG.debug("no arrival witness for the check: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public CheckReport.Verdict verify(Flow flow) { return host.verify(flow); }

    @Override
    public CheckReport.NextHop nextHop(Flow flow) { return host.nextHop(flow); }

    @Override
    public Optional<CheckReport.Finding> routeFinding(Flow flow) { return host.routeFinding(flow); }

    @Override
    public boolean isLocal(String address) { return host.isLocal(address); }

    private static FirewallSnapshot unwrap(Snapshot s) {
        if (s instanceof Taken t) return t.snapshot();
        throw new IllegalArgumentException("not a snapshot of this evaluation: " + s);
    }
}
