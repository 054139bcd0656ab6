package netwatcher.model.agent;

import java.util.List;

/**
 * GET {@code /agent/v1/orders?after=G&waitSeconds=S}: the whole desired state for this agent at
 * {@code generation}. The controller answers at once when its generation is above {@code after},
 * otherwise it holds the request up to {@code waitSeconds} and then answers with the same
 * generation. Orders are the full set, not a delta: an agent that missed anything converges by
 * applying the latest answer.
 */
public record Orders(long generation, List<CaptureOrder> captures, List<netwatcher.model.check.CheckOrder> checks) {
    public Orders {
        captures = captures == null ? List.of() : List.copyOf(captures);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    public Orders(long generation, List<CaptureOrder> captures) {
        this(generation, captures, List.of());
    }
}
