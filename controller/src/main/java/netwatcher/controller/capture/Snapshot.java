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
 * @param result      the agent's report: state {@code Running} until its final one (a fleet snapshot's: the merge's)
 * @param part        where it sits in a fleet snapshot ({@link Part#SINGLE} for a snapshot of a one-VM capture)
 */
public record Snapshot(String id, String captureKey, String vmKey, SnapshotRequest window, Instant requestedAt,
                       Instant finishedAt, SnapshotReport result, Part part) {
    public Snapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(part, "part");
    }

    /**
     * A snapshot's place in a fleet snapshot: the fleet's own ({@code fleet}: on the fleet capture, its result the merged
     * file), one instance's cut ({@code parentId} the fleet's snapshot, {@code instanceId} its instance), or neither.
     */
    public record Part(boolean fleet, String parentId, String instanceId) {
        /** A snapshot of a one-VM capture. */
        public static final Part SINGLE = new Part(false, null, null);

        public Part {
            if (fleet && parentId != null) throw new IllegalArgumentException("a fleet snapshot has no parent");
            if ((parentId == null) != (instanceId == null)) throw new IllegalArgumentException("an instance's cut names parent and instance");
        }

        /** One instance's cut of fleet snapshot {@code parentId}. */
        public static Part cutOf(String parentId, String instanceId) { return new Part(false, parentId, instanceId); }
    }

    public boolean running() { return result.state() == SnapshotReport.State.Running; }

    /** This snapshot with its final result {@code r} recorded at {@code at}. */
    public Snapshot finished(SnapshotReport r, Instant at) {
        return new Snapshot(id, captureKey, vmKey, window, requestedAt, at, r, part);
    }

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
