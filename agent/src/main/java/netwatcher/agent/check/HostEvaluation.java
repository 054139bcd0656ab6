package netwatcher.agent.check;

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

    /** Counts a flow's packets arriving at this host, its destination; closing it removes what it installed. */
    interface Witness extends AutoCloseable {
        /** A finding when none of the flow's packets arrived (DestinationNotReached), else empty. */
        Optional<CheckReport.Finding> finding();

        @Override
        void close();
    }

    /**
     * Starts a {@link Witness} when this host is the flow's destination (its literal address is local here), else
     * empty. The observer starts it when it arms and asks it when it explains.
     */
    default Optional<Witness> startWitness(Flow flow) { return Optional.empty(); }

    /** The firewall's rules and counters now. */
    Snapshot snapshot();

    /**
     * The rule or chain policy that stopped the flow on this host, with the best evidence available
     * without a trace (counters that moved for a matching rule, else the live ruleset evaluated for the
     * flow), followed by {@link #routeFinding} for the flow when there is one.
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
