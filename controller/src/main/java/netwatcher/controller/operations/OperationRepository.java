package netwatcher.controller.operations;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import netwatcher.arm.ArmError;
import netwatcher.arm.Json;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;

/** SQL for {@code nw_operation}. Stateless and thread-safe. */
public final class OperationRepository {

    public void insert(SqlOperations sql, Operation op) {
        sql.update("INSERT INTO nw_operation (id, subscription_key, location_key, kind, target_key, status, http_status,"
                        + " result_json, error_json, created_at, updated_at, deadline) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                op.id(), op.subscriptionId().toLowerCase(java.util.Locale.ROOT), op.location(), op.kind(), op.targetKey(),
                op.status().name(), op.httpStatus(), op.resultJson(), op.error() == null ? null : Json.writeString(op.error()),
                op.createdAt(), op.updatedAt(), op.deadline());
    }

    public Optional<Operation> find(SqlOperations sql, String id) {
        return sql.queryOne("SELECT * FROM nw_operation WHERE id = ?", OperationRepository::map, id);
    }

    /** Completes a pending operation; returns false when it was already done. */
    public boolean complete(SqlOperations sql, String id, Operation.Completion done, Instant now) {
        return sql.update("UPDATE nw_operation SET status = ?, http_status = ?, result_json = ?, error_json = ?, updated_at = ?"
                        + " WHERE id = ? AND status = 'InProgress'",
                done.status().name(), done.httpStatus(), done.resultJson(), done.error() == null ? null : Json.writeString(done.error()),
                now, id) == 1;
    }

    /**
     * Deletes operations finished before {@code cutoff}, and pending ones whose deadline is before it
     * (nobody polled them to completion); returns how many went.
     */
    public int deleteExpired(SqlOperations sql, Instant cutoff) {
        return sql.update("DELETE FROM nw_operation WHERE (status <> 'InProgress' AND updated_at < ?)"
                + " OR (status = 'InProgress' AND deadline < ?)", cutoff, cutoff);
    }

    private static Operation map(Row r) throws SQLException {
        String err = r.getString("error_json");
        return new Operation(r.getString("id"), r.getString("subscription_key"), r.getString("location_key"),
                r.getString("kind"), r.getString("target_key"), Operation.Status.valueOf(r.getString("status")),
                r.getIntOrNull("http_status"), r.getString("result_json"),
                err == null ? null : Json.read(err, ArmError.class),
                r.getInstant("created_at"), r.getInstant("updated_at"), r.getInstant("deadline"));
    }
}
