package netwatcher.controller.capture;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import netwatcher.model.agent.SnapshotReport;

/**
 * One snapshot of a running capture ({@code POST .../packetCaptures/{name}/snapshot}) as the controller stores it: what
 * was asked and what became of it.
 *
 * @param id          its id (the operation's target, the file's name {@code <id>.cap})
 * @param captureKey  the capture it cuts
 * @param vmKey       the capture's VM, whose agent cuts it
 * @param window      the validated request (window, and {@code lastSeconds} when given so)
 * @param requestedAt when the request arrived
 * @param finishedAt  when the final report arrived, or null while it runs
 * @param result      the agent's report: state {@code Running} until its final one
 */
public record Snapshot(String id, String captureKey, String vmKey, SnapshotRequest window, Instant requestedAt,
                       Instant finishedAt, SnapshotReport result) {
    public Snapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(result, "result");
    }

    public boolean running() { return result.state() == SnapshotReport.State.Running; }

    /** The extension JSON of a snapshot, as GET, queryStatus and the operation's result show it. */
    public Map<String, Object> render() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("state", result.state().name());
        m.put("requestedTime", requestedAt.toString());
        if (window.lastSeconds() > 0) m.put("lastSeconds", window.lastSeconds());
        m.put("from", window.from().toString());
        m.put("to", window.to().toString());
        if (finishedAt != null) m.put("finishedTime", finishedAt.toString());
        if (result.state() == SnapshotReport.State.Succeeded) {
            m.put("packets", result.packets());
            m.put("bytes", result.bytes());
            if (result.firstPacket() != null) m.put("firstPacketTime", result.firstPacket().toString());
            if (result.lastPacket() != null) m.put("lastPacketTime", result.lastPacket().toString());
            if (result.storagePath() != null) m.put("storagePath", result.storagePath());
        }
        if (result.state() == SnapshotReport.State.Failed) {
            m.put("error", Map.of("code", result.errorCode(), "message", result.message() == null ? "" : result.message()));
        }
        return m;
    }
}
