package netwatcher.agent.control;

import java.util.List;
import java.util.Optional;

import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;

/**
 * What the check executor asks of this host's configuration (firewall and routes): the port the
 * {@link CheckExecutor} is written against, implemented over {@code netwatcher.agent.hostcfg.HostConfig}
 * in the daemon. Snapshots are opaque to the executor.
 *
 * <p>Implementations must be thread-safe: checks run on several threads.
 */
public interface HostEvaluation {

    /** A firewall state (rule counters) taken by {@link #snapshot()}; only its evaluation reads it. */
    interface Snapshot {}

    /** An evidence trace of one flow running on this host (e.g. an nftables trace); closing it removes it. */
    interface Trace extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Starts tracing {@code flow} on this host, when the evaluation can; the trace is passed to
     * {@link #explain(Snapshot, Snapshot, Flow, boolean, Trace)} and closed by the caller.
     */
    default Optional<Trace> startTrace(Flow flow) { return Optional.empty(); }

    /** {@link #explain(Snapshot, Snapshot, Flow, boolean)} with what {@code trace} (stopped here) saw. */
    default List<CheckReport.Finding> explain(Snapshot before, Snapshot after, Flow flow, boolean thisHostIsSource, Trace trace) {
        return explain(before, after, flow, thisHostIsSource);
    }

    /** The firewall's rules and counters now. */
    Snapshot snapshot();

    /**
     * The rules whose counters moved between the snapshots and that match the flow, with evidence,
     * followed by {@link #routeFinding} for the flow when there is one.
     */
    List<CheckReport.Finding> explain(Snapshot before, Snapshot after, Flow flow, boolean thisHostIsSource);

    /** IP flow verify for {@code flow} in {@code flow.direction()}. */
    CheckReport.Verdict verify(Flow flow);

    /** The route the kernel picks for the flow. */
    CheckReport.NextHop nextHop(Flow flow);

    /** A blackhole/unreachable/prohibit route or a policy rule that stops the flow on this host, if any. */
    Optional<CheckReport.Finding> routeFinding(Flow flow);

    /** Whether {@code address} is one of this host's own addresses (false when unknown). */
    default boolean isLocal(String address) { return false; }

    /** An evaluation that knows nothing (no firewall findings, no route finding); for hosts without nftables access. */
    HostEvaluation NONE = new HostEvaluation() {
        private final Snapshot empty = new Snapshot() {};

        @Override public Snapshot snapshot() { return empty; }
        @Override public List<CheckReport.Finding> explain(Snapshot b, Snapshot a, Flow f, boolean src) { return List.of(); }
        @Override public CheckReport.Verdict verify(Flow flow) {
            throw new UnsupportedOperationException("this agent has no host firewall evaluation");
        }
        @Override public CheckReport.NextHop nextHop(Flow flow) {
            throw new UnsupportedOperationException("this agent has no route evaluation");
        }
        @Override public Optional<CheckReport.Finding> routeFinding(Flow flow) { return Optional.empty(); }
    };
}
