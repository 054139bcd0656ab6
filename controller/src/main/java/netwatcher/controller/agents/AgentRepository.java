package netwatcher.controller.agents;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;

/** SQL for {@code nw_agent}. Stateless and thread-safe. */
public final class AgentRepository {
    public void insert(SqlOperations sql, AgentRecord a) {
        sql.update("INSERT INTO nw_agent (agent_id, secret_hash, vm_key, enrolled_at, last_seen_at, agent_version, revoked)"
                + " VALUES (?,?,?,?,?,?,?)", a.agentId(), a.secretHash(), a.vmKey(), a.enrolledAt(), a.lastSeenAt(), a.agentVersion(), a.revoked());
    }

    public Optional<AgentRecord> find(SqlOperations sql, String agentId) {
        return sql.queryOne("SELECT * FROM nw_agent WHERE agent_id = ?", AgentRepository::map, agentId);
    }

    public List<AgentRecord> forVm(SqlOperations sql, String vmKey) {
        return sql.query("SELECT * FROM nw_agent WHERE vm_key = ? AND revoked = FALSE ORDER BY enrolled_at", AgentRepository::map, vmKey);
    }

    public List<AgentRecord> all(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_agent ORDER BY enrolled_at", AgentRepository::map);
    }

    public void revokeForVm(SqlOperations sql, String vmKey) {
        sql.update("UPDATE nw_agent SET revoked = TRUE WHERE vm_key = ?", vmKey);
    }

    public void revoke(SqlOperations sql, String agentId) {
        sql.update("UPDATE nw_agent SET revoked = TRUE WHERE agent_id = ?", agentId);
    }

    public void seen(SqlOperations sql, String agentId, Instant at, String version) {
        sql.update("UPDATE nw_agent SET last_seen_at = ?, agent_version = COALESCE(?, agent_version) WHERE agent_id = ?", at, version, agentId);
    }

    private static AgentRecord map(Row r) throws SQLException {
        return new AgentRecord(r.getString("agent_id"), r.getString("secret_hash"), r.getString("vm_key"), r.getInstant("enrolled_at"),
                r.getInstant("last_seen_at"), r.getString("agent_version"), r.getBoolean("revoked"));
    }
}
