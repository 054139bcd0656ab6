package netwatcher.controller.capture;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.arm.ProvisioningState;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;

/** SQL for {@code nw_capture} and {@code nw_capture_name}. Stateless and thread-safe. */
public final class CaptureRepository {

    /** Claims the (case-insensitive) name; false when a live capture already has it. */
    public boolean claimName(SqlOperations sql, ArmResourceId id, String key) {
        if (sql.queryOne("SELECT capture_key FROM nw_capture_name WHERE id_key = ?", r -> r.getString("capture_key"), id.key()).isPresent()) {
            return false;
        }
        sql.update("INSERT INTO nw_capture_name (id_key, capture_key) VALUES (?, ?)", id.key(), key);
        return true;
    }

    /** Whether a live capture holds the (case-insensitive) name {@code id}. */
    public boolean nameClaimed(SqlOperations sql, ArmResourceId id) {
        return sql.queryOne("SELECT capture_key FROM nw_capture_name WHERE id_key = ?", r -> r.getString("capture_key"), id.key()).isPresent();
    }

    public void releaseName(SqlOperations sql, ArmResourceId id) {
        sql.update("DELETE FROM nw_capture_name WHERE id_key = ?", id.key());
    }

    /**
     * Claims a storage account's object for a capture; false when another capture (live, or a
     * tombstone not yet collected) writes it.
     */
    public boolean claimBlob(SqlOperations sql, String accountKey, String blobPath, String key) {
        if (blobClaimed(sql, accountKey, blobPath)) return false;
        sql.update("INSERT INTO nw_capture_blob (account_key, blob_path, capture_key) VALUES (?, ?, ?)", accountKey, blobPath, key);
        return true;
    }

    public boolean blobClaimed(SqlOperations sql, String accountKey, String blobPath) {
        return sql.queryOne("SELECT capture_key FROM nw_capture_blob WHERE account_key = ? AND blob_path = ?",
                r -> r.getString("capture_key"), accountKey, blobPath).isPresent();
    }

    /** Captures without a storage claim (created before claims existed, or without a storage account). */
    public List<Capture> unclaimed(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_capture c WHERE NOT EXISTS"
                + " (SELECT 1 FROM nw_capture_blob b WHERE b.capture_key = c.capture_key) ORDER BY created_at", CaptureRepository::map);
    }

    /** Records the size of a capture's committed local upload (before its content is checked). */
    public void recordCommitted(SqlOperations sql, String key, long bytes) {
        sql.update("UPDATE nw_capture SET stored_bytes = ? WHERE capture_key = ?", bytes, key);
    }

    /** Records the files a ring capture's report lists (each row replaced by its newer state). */
    public void recordRingFiles(SqlOperations sql, String key, netwatcher.model.agent.RingReport ring) {
        for (netwatcher.model.agent.RingFileReport f : ring.files()) {
            java.util.Map<String, Object> row = new java.util.HashMap<>();
            row.put("capture_key", key);
            row.put("file_index", f.index());
            row.put("name", f.name());
            row.put("bytes", f.bytes());
            row.put("packets", f.packets());
            row.put("first_packet", f.firstPacketTime());
            row.put("last_packet", f.lastPacketTime());
            row.put("open_file", f.open());
            row.put("upload_state", f.uploadState() == null ? null : f.uploadState().name());
            row.put("on_host", f.onHost());
            row.put("lost", f.lost());
            sql.upsert("nw_capture_ring_file", List.of("capture_key", "file_index"), row);
        }
    }

    /** Every file of a ring capture the controller was told of, oldest first. */
    public List<netwatcher.model.agent.RingFileReport> ringFiles(SqlOperations sql, String key) {
        return sql.query("SELECT * FROM nw_capture_ring_file WHERE capture_key = ? ORDER BY file_index",
                r -> new netwatcher.model.agent.RingFileReport(r.getString("name"), r.getLong("file_index"), r.getLong("bytes"),
                        r.getLong("packets"), r.getInstant("first_packet"), r.getInstant("last_packet"), r.getBoolean("open_file"),
                        r.getString("upload_state") == null ? null : netwatcher.model.capture.UploadState.valueOf(r.getString("upload_state")),
                        r.getBoolean("on_host"), r.getBoolean("lost")), key);
    }

    /** Records what the controller read back from the storage account, and the verdict. */
    public void recordStored(SqlOperations sql, String key, Capture.StoredFile stored) {
        sql.update("UPDATE nw_capture SET stored_bytes = ?, stored_sha256 = ?, upload_check = ? WHERE capture_key = ?",
                stored.bytes(), stored.sha256(), stored.check(), key);
    }

    /** Finished captures whose upload is not settled: candidates for checking the stored file. */
    public List<Capture> finishedUnsettled(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_capture WHERE final_state = FALSE AND upload_check IS NULL AND status IN ('Stopped', 'Error')"
                + " ORDER BY created_at", CaptureRepository::map);
    }

    /**
     * Deletes the tombstones of deleted captures that are settled (their agent stopped them and
     * reported so, or never had them), with their storage claims; returns how many went.
     */
    public int collectTombstones(SqlOperations sql) {
        sql.update("DELETE FROM nw_capture_blob WHERE capture_key IN"
                + " (SELECT capture_key FROM nw_capture WHERE final_state = TRUE AND deleted = TRUE)");
        sql.update("DELETE FROM nw_capture_ring_file WHERE capture_key IN"
                + " (SELECT capture_key FROM nw_capture WHERE final_state = TRUE AND deleted = TRUE)");
        return sql.update("DELETE FROM nw_capture WHERE final_state = TRUE AND deleted = TRUE");
    }

    public void insert(SqlOperations sql, Capture c) {
        sql.update("INSERT INTO nw_capture (capture_key, id_key, id, watcher_key, vm_key, name, spec_json, order_json, etag,"
                        + " provisioning_state, created_at, deleted, stop_requested, status, stop_reason, errors, message,"
                        + " capture_start, capture_end, report_json, reported_at, final_state, storage_account_key, blob_path)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                c.key(), c.id().key(), c.id().toString(), c.watcherKey(), c.vmKey(), c.id().name(), Json.writeString(c.properties()),
                Json.writeString(c.order()), c.etag(), c.provisioningState().name(), c.createdAt(), c.deleted(), c.stopRequested(),
                c.status().name(), nameOf(c.stopReason()), names(c.errors()), c.message(), c.captureStart(), c.captureEnd(),
                c.report() == null ? null : Json.writeString(c.report()), c.reportedAt(), c.finalState(),
                c.storage() == null ? null : c.storage().accountKey(), c.storage() == null ? null : c.storage().blobPath());
    }

    /** Sets where an old capture's file goes (one created before the storage columns existed). */
    public void setStorage(SqlOperations sql, String key, Capture.StorageTarget storage) {
        sql.update("UPDATE nw_capture SET storage_account_key = ?, blob_path = ? WHERE capture_key = ?",
                storage.accountKey(), storage.blobPath(), key);
    }

    /** Writes the observed-state columns of {@code c}. */
    public void updateState(SqlOperations sql, Capture c) {
        sql.update("UPDATE nw_capture SET etag = ?, provisioning_state = ?, deleted = ?, stop_requested = ?, status = ?,"
                        + " stop_reason = ?, errors = ?, message = ?, capture_start = ?, capture_end = ?, report_json = ?,"
                        + " reported_at = ?, final_state = ? WHERE capture_key = ?",
                c.etag(), c.provisioningState().name(), c.deleted(), c.stopRequested(), c.status().name(), nameOf(c.stopReason()),
                names(c.errors()), c.message(), c.captureStart(), c.captureEnd(),
                c.report() == null ? null : Json.writeString(c.report()), c.reportedAt(), c.finalState(), c.key());
    }

    public Optional<Capture> findLive(SqlOperations sql, ArmResourceId id) {
        return sql.queryOne("SELECT c.* FROM nw_capture c JOIN nw_capture_name n ON n.capture_key = c.capture_key WHERE n.id_key = ?",
                CaptureRepository::map, id.key());
    }

    public Optional<Capture> findByKey(SqlOperations sql, String key) {
        return sql.queryOne("SELECT * FROM nw_capture WHERE capture_key = ?", CaptureRepository::map, key);
    }

    public Optional<Capture> lockByKey(SqlOperations sql, String key) {
        return sql.queryOne("SELECT * FROM nw_capture WHERE capture_key = ? FOR UPDATE", CaptureRepository::map, key);
    }

    public List<Capture> listLive(SqlOperations sql, String watcherKey) {
        return sql.query("SELECT * FROM nw_capture WHERE watcher_key = ? AND deleted = FALSE ORDER BY id_key", CaptureRepository::map, watcherKey);
    }

    /** Every capture of a "watcher" key, deleted ones too (the instance captures of a fleet capture, by its key). */
    public List<Capture> listAllOf(SqlOperations sql, String watcherKey) {
        return sql.query("SELECT * FROM nw_capture WHERE watcher_key = ? ORDER BY id_key", CaptureRepository::map, watcherKey);
    }

    /** Fleet captures (a scale set's key as VM key) with a storage target and no merged file recorded yet. */
    public List<Capture> fleetsAwaitingMerge(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_capture WHERE upload_check IS NULL AND final_state = FALSE AND status = 'NotStarted'"
                + " AND vm_key LIKE ? ORDER BY created_at", CaptureRepository::map, "%/providers/microsoft.compute/virtualmachinescalesets/%");
    }

    /**
     * The merge work of a fleet capture (V8): attempts started, when the next may start (null: not due, its
     * instances have not all ended), the last attempt's failure, and the controller run of the attempt in progress.
     */
    public record MergeWork(int attempts, Instant dueAt, String error, String owner) {
        static final MergeWork NONE = new MergeWork(0, null, null, null);
    }

    public MergeWork mergeWork(SqlOperations sql, String key) {
        return sql.queryOne("SELECT merge_attempts, merge_due_at, merge_error, merge_owner FROM nw_capture WHERE capture_key = ?",
                r -> new MergeWork(r.getInt("merge_attempts"), r.getInstant("merge_due_at"), r.getString("merge_error"),
                        r.getString("merge_owner")), key).orElse(MergeWork.NONE);
    }

    /** Makes a fleet capture's merge due at {@code now} unless it is due already (its instances all ended). */
    public void markMergeDue(SqlOperations sql, String key, Instant now) {
        sql.update("UPDATE nw_capture SET merge_due_at = ? WHERE capture_key = ? AND merge_due_at IS NULL AND upload_check IS NULL", now, key);
    }

    /** Records an attempt's start: one more attempt, owned by {@code owner}, not due again before {@code leaseEnd}. */
    public void startMergeAttempt(SqlOperations sql, String key, String owner, Instant leaseEnd) {
        sql.update("UPDATE nw_capture SET merge_attempts = merge_attempts + 1, merge_owner = ?, merge_due_at = ? WHERE capture_key = ?",
                owner, leaseEnd, key);
    }

    /** Records an attempt's end: its failure (null on success) and when the next may start (null: no next). */
    public void endMergeAttempt(SqlOperations sql, String key, String error, Instant nextAt) {
        sql.update("UPDATE nw_capture SET merge_owner = NULL, merge_error = ?, merge_due_at = ? WHERE capture_key = ?",
                error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error, nextAt, key);
    }

    /**
     * Fleet captures whose merge may start now: due, no merged file recorded, and not in progress in controller run
     * {@code owner} (an attempt of another run, a restarted controller or a former leader, is taken over).
     */
    public List<Capture> mergesDue(SqlOperations sql, Instant now, String owner) {
        return sql.query("SELECT * FROM nw_capture WHERE merge_due_at IS NOT NULL AND upload_check IS NULL AND deleted = FALSE"
                + " AND (merge_due_at <= ? OR (merge_owner IS NOT NULL AND merge_owner <> ?)) ORDER BY merge_due_at",
                CaptureRepository::map, now, owner);
    }

    /** Instance captures of fleet captures (ids ending in {@code /instances/ID}) that are not final yet. */
    public List<Capture> openInstances(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_capture WHERE final_state = FALSE AND id_key LIKE ? ORDER BY created_at",
                CaptureRepository::map, "%/packetcaptures/%/instances/%");
    }

    /** Captures an agent must still act on. */
    public List<Capture> openForVm(SqlOperations sql, String vmKey) {
        return sql.query("SELECT * FROM nw_capture WHERE vm_key = ? AND final_state = FALSE ORDER BY created_at", CaptureRepository::map, vmKey);
    }

    /** Captures no agent has reported on, created before {@code cutoff}. */
    public List<Capture> unclaimedBefore(SqlOperations sql, Instant cutoff) {
        return sql.query("SELECT * FROM nw_capture WHERE provisioning_state = 'Updating' AND reported_at IS NULL AND created_at < ?",
                CaptureRepository::map, cutoff);
    }

    public int countOpen(SqlOperations sql, String vmKeyPrefix) {
        return sql.queryOne("SELECT COUNT(*) AS n FROM nw_capture WHERE final_state = FALSE AND vm_key LIKE ?",
                r -> (int) r.getLong("n"), vmKeyPrefix + "%").orElse(0);
    }

    private static final TypeReference<Map<String, Object>> SPEC = new TypeReference<>() { };

    /** One parse straight into the map (not a parse into a raw map and a second conversion). */
    private static Map<String, Object> spec(String json) {
        try {
            return Json.MAPPER.readValue(json, SPEC);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored capture spec is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Capture map(Row r) throws SQLException {
        String errors = r.getString("errors");
        String report = r.getString("report_json");
        return new Capture(r.getString("capture_key"), ArmResourceId.tryParse(r.getString("id")).orElseThrow(),
                r.getString("watcher_key"), r.getString("vm_key"),
                spec(r.getString("spec_json")),
                Json.read(r.getString("order_json"), CaptureOrder.class), r.getString("etag"),
                ProvisioningState.valueOf(r.getString("provisioning_state")), r.getInstant("created_at"), r.getBoolean("deleted"),
                r.getBoolean("stop_requested"), CaptureStatus.valueOf(r.getString("status")),
                r.getString("stop_reason") == null ? null : StopReason.valueOf(r.getString("stop_reason")),
                errors == null || errors.isEmpty() ? List.of() : Arrays.stream(errors.split(",")).map(CaptureError::valueOf).toList(),
                r.getString("message"), r.getInstant("capture_start"), r.getInstant("capture_end"),
                report == null ? null : Json.read(report, CaptureReport.class), r.getInstant("reported_at"), r.getBoolean("final_state"),
                stored(r), r.getString("storage_account_key") == null ? null
                        : new Capture.StorageTarget(r.getString("storage_account_key"), r.getString("blob_path")));
    }

    private static String nameOf(Enum<?> value) {
        return value == null ? null : value.name();
    }

    /** Enum names joined by commas, as the {@code errors} column holds them. */
    private static String names(List<? extends Enum<?>> values) {
        return String.join(",", values.stream().map(Enum::name).toList());
    }

    private static Capture.StoredFile stored(Row r) throws SQLException {
        Long bytes = r.getLongOrNull("stored_bytes");
        String sha = r.getString("stored_sha256");
        String check = r.getString("upload_check");
        if (bytes == null && sha == null && check == null) return null;
        return new Capture.StoredFile(bytes, sha, check == null ? null : Capture.UploadCheck.valueOf(check));
    }
}
