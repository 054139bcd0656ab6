package netwatcher.controller.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link RoleAssignmentRepository} on table {@code role_assignment}. Thread-safe. */
public final class JdbcRoleAssignmentRepository implements RoleAssignmentRepository {
    private static final String COLUMNS = "id, principal_id, role_name, scope";
    private final Jdbc jdbc;
    private final Clock clock;

    public JdbcRoleAssignmentRepository(DataSource dataSource, Clock clock) {
        this.jdbc = new Jdbc(dataSource);
        this.clock = clock;
    }

    @Override
    public RoleAssignment insert(RoleAssignment assignment) {
        Optional<RoleAssignment> existing = same(assignment);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            jdbc.update("INSERT INTO role_assignment (id, principal_id, role_name, scope, scope_key, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)", statement -> {
                statement.setString(1, assignment.id());
                statement.setString(2, assignment.principalId());
                statement.setString(3, assignment.role().name());
                statement.setString(4, assignment.scope());
                statement.setString(5, assignment.parsedScope().key());
                statement.setObject(6, Jdbc.toDb(clock.instant()));
            });
            return assignment;
        } catch (SecurityStoreException e) {
            if (Jdbc.isUniqueViolation(e)) {
                // A concurrent insert of the same grant won the race: return that one.
                return same(assignment).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private Optional<RoleAssignment> same(RoleAssignment assignment) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM role_assignment"
                        + " WHERE principal_id = ? AND role_name = ? AND scope_key = ?", statement -> {
                    statement.setString(1, assignment.principalId());
                    statement.setString(2, assignment.role().name());
                    statement.setString(3, assignment.parsedScope().key());
                }, JdbcRoleAssignmentRepository::map);
    }

    @Override
    public Optional<RoleAssignment> find(String id) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM role_assignment WHERE id = ?",
                statement -> statement.setString(1, id), JdbcRoleAssignmentRepository::map);
    }

    @Override
    public List<RoleAssignment> findByPrincipal(String principalId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM role_assignment WHERE principal_id = ? ORDER BY created_at, id",
                statement -> statement.setString(1, principalId), JdbcRoleAssignmentRepository::map);
    }

    @Override
    public List<RoleAssignment> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM role_assignment ORDER BY created_at, id",
                statement -> {}, JdbcRoleAssignmentRepository::map);
    }

    @Override
    public boolean delete(String id) {
        return jdbc.update("DELETE FROM role_assignment WHERE id = ?", statement -> statement.setString(1, id)) == 1;
    }

    @Override
    public int deleteByPrincipal(String principalId) {
        return jdbc.update("DELETE FROM role_assignment WHERE principal_id = ?", statement -> statement.setString(1, principalId));
    }

    private static RoleAssignment map(ResultSet row) throws SQLException {
        return new RoleAssignment(row.getString("id"), row.getString("principal_id"),
                Role.valueOf(row.getString("role_name")), row.getString("scope"));
    }
}
