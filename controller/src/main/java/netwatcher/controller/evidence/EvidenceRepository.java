package netwatcher.controller.evidence;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.SqlOperations;

/** SQL for {@code nw_evidence}: which checks have evidence, and the base URL their client used. Stateless and thread-safe. */
public final class EvidenceRepository {

    /** A check with evidence. */
    public record EvidenceRow(String checkKey, String clientBaseUrl, Instant createdAt) {}

    public void insert(SqlOperations sql, EvidenceRow row) {
        sql.update("INSERT INTO nw_evidence (check_key, client_base_url, created_at) VALUES (?,?,?)",
                row.checkKey(), row.clientBaseUrl(), row.createdAt());
    }

    public Optional<EvidenceRow> find(SqlOperations sql, String checkKey) {
        return sql.queryOne("SELECT * FROM nw_evidence WHERE check_key = ?", r -> new EvidenceRow(r.getString("check_key"),
                r.getString("client_base_url"), r.getInstant("created_at")), checkKey);
    }

    /** Checks created before {@code before}, oldest first. */
    public List<String> createdBefore(SqlOperations sql, Instant before) {
        return sql.query("SELECT check_key FROM nw_evidence WHERE created_at < ? ORDER BY created_at", r -> r.getString("check_key"), before);
    }

    /** Every check beyond the newest {@code keep}, oldest first. */
    public List<String> beyondNewest(SqlOperations sql, int keep) {
        List<String> all = sql.query("SELECT check_key FROM nw_evidence ORDER BY created_at DESC, check_key", r -> r.getString("check_key"));
        return all.size() <= keep ? List.of() : all.subList(keep, all.size()).reversed();
    }

    public void delete(SqlOperations sql, String checkKey) {
        sql.update("DELETE FROM nw_evidence WHERE check_key = ?", checkKey);
    }
}
