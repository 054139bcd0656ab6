package netwatcher.model.agent;

import java.util.List;

/** POST {@code /agent/v1/reports}: the latest observed state of some or all of the agent's captures. */
public record Reports(List<CaptureReport> captures, List<netwatcher.model.check.CheckReport> checks) {
    public Reports {
        captures = captures == null ? List.of() : List.copyOf(captures);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    public Reports(List<CaptureReport> captures) {
        this(captures, List.of());
    }
}
