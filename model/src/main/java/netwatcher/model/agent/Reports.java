package netwatcher.model.agent;

import java.util.List;

/** POST {@code /agent/v1/reports}: the latest observed state of some or all of the agent's captures. */
public record Reports(List<CaptureReport> captures) {
    public Reports {
        captures = captures == null ? List.of() : List.copyOf(captures);
    }
}
