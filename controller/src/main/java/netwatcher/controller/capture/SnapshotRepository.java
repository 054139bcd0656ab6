package netwatcher.controller.capture;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;
import netwatcher.model.agent.SnapshotReport;

/** The {@code nw_capture_snapshot} table (migrations {@code capture/V8}, {@code V10}). Stateless. */
final class SnapshotRepository {
    private static final String COLUMNS = "snapshot_id, capture_key, vm_key, window_from, window_to, last_seconds, state,"
            + " requested_at, finished_at, packets, bytes, first_packet, last_packet, storage_path, error_code, message, fleet, parent_id,"
            + " instance_id";

    void insert(SqlOperations sql, Snapshot s) {
        sql.update("INSERT INTO nw_capture_snapshot (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                s.id(), s.captureKey(), s.vmKey(), s.window().from(), s.window().to(), s.window().lastSeconds(),
                s.result().state().name(), s.requestedAt(), s.finishedAt(), null, null, null, null, null, null, null,
                s.part().fleet(), s.part().parentId(), s.part().instanceId());
    }

    Optional<Snapshot> find(SqlOperations sql, String id) {
        return sql.queryOne("SELECT " + COLUMNS + " FROM nw_capture_snapshot WHERE snapshot_id = ?", SnapshotRepository::map, id);
    }

    /** The snapshot, locked for update until the transaction ends. */
    Optional<Snapshot> lock(SqlOperations sql, String id) {
        return sql.queryOne("SELECT " + COLUMNS + " FROM nw_capture_snapshot WHERE snapshot_id = ? FOR UPDATE", SnapshotRepository::map, id);
    }

    /** Every snapshot of a capture, oldest first. */
    List<Snapshot> ofCapture(SqlOperations sql, String captureKey) {
        return sql.query("SELECT " + COLUMNS + " FROM nw_capture_snapshot WHERE capture_key = ? ORDER BY requested_at, snapshot_id",
                SnapshotRepository::map, captureKey);
    }

    /** The snapshots a VM's agent must still cut (or report), oldest first. */
    List<Snapshot> runningOnVm(SqlOperations sql, String vmKey) {
        return sql.query("SELECT " + COLUMNS + " FROM nw_capture_snapshot WHERE vm_key = ? AND state = 'Running' AND fleet = FALSE"
                + " ORDER BY requested_at, snapshot_id", SnapshotRepository::map, vmKey);
    }

    /** The cuts of fleet snapshot {@code parentId}, by instance. */
    List<Snapshot> cutsOf(SqlOperations sql, String parentId) {
        return sql.query("SELECT " + COLUMNS + " FROM nw_capture_snapshot WHERE parent_id = ? ORDER BY requested_at, snapshot_id",
                SnapshotRepository::map, parentId);
    }

    /** The ids of the fleet snapshots still running (the sweep advances them). */
    List<String> runningFleetSnapshots(SqlOperations sql) {
        return sql.query("SELECT snapshot_id FROM nw_capture_snapshot WHERE fleet = TRUE AND state = 'Running'",
                r -> r.getString("snapshot_id"));
    }

    /**
     * Leases the merge of fleet snapshot {@code id} to {@code owner} until {@code until}, unless another lease is still
     * valid at {@code now}; returns whether this call got it.
     */
    boolean leaseMerge(SqlOperations sql, String id, String owner, java.time.Instant until, java.time.Instant now) {
        return sql.update("UPDATE nw_capture_snapshot SET merge_owner = ?, merge_until = ? WHERE snapshot_id = ? AND state = 'Running'"
                + " AND (merge_owner IS NULL OR merge_until < ?)", owner, until, id, now) == 1;
    }

    int countRunning(SqlOperations sql, String captureKey) {
        return sql.queryOne("SELECT COUNT(*) AS n FROM nw_capture_snapshot WHERE capture_key = ? AND state = 'Running'",
                r -> r.getInt("n"), captureKey).orElse(0);
    }

    /** Records a final report (the row must be running; callers lock it first). */
    void finish(SqlOperations sql, String id, SnapshotReport r, java.time.Instant at) {
        sql.update("UPDATE nw_capture_snapshot SET state = ?, finished_at = ?, packets = ?, bytes = ?, first_packet = ?,"
                        + " last_packet = ?, storage_path = ?, error_code = ?, message = ? WHERE snapshot_id = ? AND state = 'Running'",
                r.state().name(), at, r.packets(), r.bytes(), r.firstPacket(), r.lastPacket(), r.storagePath(), r.errorCode(),
                r.message(), id);
    }

    /** Removes the rows of captures whose tombstones go (see {@link CaptureRepository#collectTombstones}). */
    void collectTombstones(SqlOperations sql) {
        sql.update("DELETE FROM nw_capture_snapshot WHERE capture_key IN"
                + " (SELECT capture_key FROM nw_capture WHERE final_state = TRUE AND deleted = TRUE)");
    }

    private static Snapshot map(Row r) throws SQLException {
        SnapshotReport.State state = SnapshotReport.State.valueOf(r.getString("state"));
        Long packets = r.getLongOrNull("packets");
        Long bytes = r.getLongOrNull("bytes");
        SnapshotReport result = new SnapshotReport(r.getString("snapshot_id"), r.getString("capture_key"), state,
                packets == null ? 0 : packets, bytes == null ? 0 : bytes, r.getInstant("first_packet"), r.getInstant("last_packet"),
                r.getString("storage_path"), state == SnapshotReport.State.Failed && r.getString("error_code") == null
                        ? "SnapshotFailed" : r.getString("error_code"), r.getString("message"));
        return new Snapshot(r.getString("snapshot_id"), r.getString("capture_key"), r.getString("vm_key"),
                new SnapshotRequest(r.getInstant("window_from"), r.getInstant("window_to"), r.getLong("last_seconds")),
                r.getInstant("requested_at"), r.getInstant("finished_at"), result,
                new Snapshot.Part(r.getBoolean("fleet"), r.getString("parent_id"), r.getString("instance_id")));
    }
}
