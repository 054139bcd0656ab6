package netwatcher.model.agent;

import java.util.List;

/**
 * GET {@code /agent/v1/orders?after=G&waitSeconds=S}: the whole desired state for this agent at
 * {@code generation}. The controller answers at once when its generation is above {@code after},
 * otherwise it holds the request up to {@code waitSeconds} and then answers with the same
 * generation. Orders are the full set, not a delta: an agent that missed anything converges by
 * applying the latest answer. {@code snapshots} lists the snapshots still to cut or to report ({@link SnapshotOrder});
 * {@code live} lists the captures someone watches live now ({@link LiveOrder}). An agent that does not know a field
 * ignores it, and both are absent from older controllers (additive, version 1).
 */
public record Orders(long generation, List<CaptureOrder> captures, List<netwatcher.model.check.CheckOrder> checks,
                     List<SnapshotOrder> snapshots, List<LiveOrder> live) {
    public Orders {
        captures = captures == null ? List.of() : List.copyOf(captures);
        checks = checks == null ? List.of() : List.copyOf(checks);
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
        live = live == null ? List.of() : List.copyOf(live);
    }

    public Orders(long generation, List<CaptureOrder> captures, List<netwatcher.model.check.CheckOrder> checks) {
        this(generation, captures, checks, List.of(), List.of());
    }

    public Orders(long generation, List<CaptureOrder> captures) {
        this(generation, captures, List.of(), List.of(), List.of());
    }
}
