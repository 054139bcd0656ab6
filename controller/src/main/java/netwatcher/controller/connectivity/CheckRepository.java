package netwatcher.controller.connectivity;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.arm.ArmError;
import netwatcher.arm.Json;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.Flow;

/** SQL for {@code nw_check} and {@code nw_check_part}. Stateless and thread-safe. */
public final class CheckRepository {

    /**
     * A check row.
     *
     * @param request    the check as asked
     * @param flow       the flow as known (resolved by the source once it answered)
     * @param resultJson the answer's body once {@code DONE} with a result, else null: the ARM body as clients get it
     * @param error      the ARM error once {@code DONE} without a result, else null
     */
    public record CheckRow(String key, String kind, String checkId, String subscription, String location, String sourceVmKey,
                           CheckRequest request, String apiVersion, CheckPhase phase, Flow flow, String resultJson, ArmError error,
                           Instant createdAt, Instant updatedAt, Instant sourceDoneAt) {
        /** The row's lifecycle state. */
        public CheckState state() {
            return new CheckState(phase, createdAt, updatedAt, sourceDoneAt);
        }
    }

    /** One agent's part, with its agent's latest report (null before any). */
    public record Part(String checkKey, String vmKey, CheckRole role, PartState state, CheckReport report, Instant updatedAt) {}

    public void insert(SqlOperations sql, CheckRow c) {
        sql.update("INSERT INTO nw_check (check_key, kind, check_id, subscription_key, location, source_vm_key, request_json, api_version,"
                        + " state, flow_json, result_json, error_json, created_at, updated_at, source_done_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                c.key(), c.kind(), c.checkId(), c.subscription(), c.location(), c.sourceVmKey(), Json.writeString(c.request()), c.apiVersion(),
                c.phase().name(), Json.writeString(c.flow()), c.resultJson(), errorJson(c.error()), c.createdAt(), c.updatedAt(), c.sourceDoneAt());
    }

    public void insertPart(SqlOperations sql, Part p) {
        sql.update("INSERT INTO nw_check_part (check_key, vm_key, role, state, report_json, updated_at) VALUES (?,?,?,?,?,?)",
                p.checkKey(), p.vmKey(), p.role().name(), p.state().name(), reportJson(p.report()), p.updatedAt());
    }

    /** Stores the check's new state, flow and (once done) its result or error. */
    public void updateCheck(SqlOperations sql, String key, CheckState state, Flow flow, String resultJson, ArmError error) {
        sql.update("UPDATE nw_check SET state = ?, flow_json = ?, result_json = ?, error_json = ?, updated_at = ?, source_done_at = ?"
                        + " WHERE check_key = ?",
                state.phase().name(), Json.writeString(flow), resultJson, errorJson(error), state.phaseSince(), state.sourceDoneAt(), key);
    }

    public void updatePart(SqlOperations sql, Part p) {
        sql.update("UPDATE nw_check_part SET state = ?, report_json = ?, updated_at = ? WHERE check_key = ? AND vm_key = ? AND role = ?",
                p.state().name(), reportJson(p.report()), p.updatedAt(), p.checkKey(), p.vmKey(), p.role().name());
    }

    /** A pending part's order was handed to its agent: {@code delivered} (never overwrites a later state). */
    public void markDelivered(SqlOperations sql, String key, String vmKey, CheckRole role, Instant now) {
        sql.update("UPDATE nw_check_part SET state = ?, updated_at = ? WHERE check_key = ? AND vm_key = ? AND role = ? AND state = ?",
                PartState.DELIVERED.name(), now, key, vmKey, role.name(), PartState.PENDING.name());
    }

    public Optional<CheckRow> find(SqlOperations sql, String key) {
        return sql.queryOne("SELECT * FROM nw_check WHERE check_key = ?", CheckRepository::map, key);
    }

    public Optional<CheckRow> lock(SqlOperations sql, String key) {
        return sql.queryOne("SELECT * FROM nw_check WHERE check_key = ? FOR UPDATE", CheckRepository::map, key);
    }

    public List<Part> parts(SqlOperations sql, String key) {
        return sql.query("SELECT * FROM nw_check_part WHERE check_key = ? ORDER BY role, vm_key", CheckRepository::mapPart, key);
    }

    /** Parts of unfinished checks that involve a VM. */
    public List<Part> openPartsFor(SqlOperations sql, String vmKey) {
        return sql.query("SELECT p.* FROM nw_check_part p JOIN nw_check c ON c.check_key = p.check_key"
                + " WHERE p.vm_key = ? AND c.state <> ? AND p.state <> ? AND p.state <> ?",
                CheckRepository::mapPart, vmKey, CheckPhase.DONE.name(), PartState.DONE.name(), PartState.FAILED.name());
    }

    public List<CheckRow> unfinished(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_check WHERE state <> ?", CheckRepository::map, CheckPhase.DONE.name());
    }

    private static CheckRow map(Row r) throws SQLException {
        return new CheckRow(r.getString("check_key"), r.getString("kind"), r.getString("check_id"), r.getString("subscription_key"),
                r.getString("location"), r.getString("source_vm_key"), Json.read(r.getString("request_json"), CheckRequest.class),
                r.getString("api_version"), CheckPhase.valueOf(r.getString("state")), Json.read(r.getString("flow_json"), Flow.class),
                r.getString("result_json"),
                r.getString("error_json") == null ? null : Json.read(r.getString("error_json"), ArmError.class), r.getInstant("created_at"),
                r.getInstant("updated_at"), r.getInstant("source_done_at"));
    }

    private static Part mapPart(Row r) throws SQLException {
        return new Part(r.getString("check_key"), r.getString("vm_key"), CheckRole.valueOf(r.getString("role")),
                PartState.valueOf(r.getString("state")),
                r.getString("report_json") == null ? null : Json.read(r.getString("report_json"), CheckReport.class), r.getInstant("updated_at"));
    }

    private static String reportJson(CheckReport report) {
        return report == null ? null : Json.writeString(report);
    }

    private static String errorJson(ArmError error) {
        return error == null ? null : Json.writeString(error);
    }
}
