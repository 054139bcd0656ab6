package netwatcher.model.agent;

import java.util.List;

/** POST {@code /agent/v1/reports}: the latest observed state of some or all of the agent's captures. */
public record Reports(List<CaptureReport> captures, List<netwatcher.model.check.CheckReport> checks,
                      List<SnapshotReport> snapshots) {
    public Reports {
        captures = captures == null ? List.of() : List.copyOf(captures);
        checks = checks == null ? List.of() : List.copyOf(checks);
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots); // absent from older agents
    }

    public Reports(List<CaptureReport> captures, List<netwatcher.model.check.CheckReport> checks) {
        this(captures, checks, List.of());
    }

    public Reports(List<CaptureReport> captures) {
        this(captures, List.of(), List.of());
    }
}
