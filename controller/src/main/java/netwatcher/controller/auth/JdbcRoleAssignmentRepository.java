package netwatcher.controller.auth;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import netwatcher.controller.db.Row;

/** {@link RoleAssignmentRepository} on table {@code role_assignment}. Thread-safe. */
public final class JdbcRoleAssignmentRepository implements RoleAssignmentRepository {
    private static final String COLUMNS = "id, principal_id, role_name, scope";
    private final Database db;
    private final Clock clock;

    public JdbcRoleAssignmentRepository(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public RoleAssignment insert(RoleAssignment assignment) {
        Optional<RoleAssignment> existing = same(assignment);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            db.update("INSERT INTO role_assignment (id, principal_id, role_name, scope, scope_key, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)", assignment.id(), assignment.principalId(), assignment.role().name(),
                    assignment.scope(), assignment.parsedScope().key(), clock.instant());
            return assignment;
        } catch (DatabaseException e) {
            if (isUniqueViolation(e)) {
                // A concurrent insert of the same grant won the race: return that one.
                return same(assignment).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private Optional<RoleAssignment> same(RoleAssignment assignment) {
        return db.queryOne("SELECT " + COLUMNS + " FROM role_assignment WHERE principal_id = ? AND role_name = ? AND scope_key = ?",
                JdbcRoleAssignmentRepository::map, assignment.principalId(), assignment.role().name(), assignment.parsedScope().key());
    }

    @Override
    public Optional<RoleAssignment> find(String id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM role_assignment WHERE id = ?", JdbcRoleAssignmentRepository::map, id);
    }

    @Override
    public List<RoleAssignment> findByPrincipal(String principalId) {
        return db.query("SELECT " + COLUMNS + " FROM role_assignment WHERE principal_id = ? ORDER BY created_at, id",
                JdbcRoleAssignmentRepository::map, principalId);
    }

    @Override
    public List<RoleAssignment> list() {
        return db.query("SELECT " + COLUMNS + " FROM role_assignment ORDER BY created_at, id", JdbcRoleAssignmentRepository::map);
    }

    @Override
    public boolean delete(String id) {
        return db.update("DELETE FROM role_assignment WHERE id = ?", id) == 1;
    }

    @Override
    public int deleteByPrincipal(String principalId) {
        return db.update("DELETE FROM role_assignment WHERE principal_id = ?", principalId);
    }

    private static RoleAssignment map(Row row) throws SQLException {
        return new RoleAssignment(row.getString("id"), row.getString("principal_id"),
                row.getEnum("role_name", Role.class), row.getString("scope"));
    }

    /** Whether the failure is a unique-constraint violation (SQLState 23505 on both engines). */
    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
