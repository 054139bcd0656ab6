package netwatcher.controller.db;

import java.sql.SQLException;

/**
 * Turns the current row into a value, usually a record:
 * {@code row -> new Agent(row.getUuid("id"), row.getString("name"), row.getInstant("seen_at"))}.
 * Called once per row; must not advance the result set.
 */
@FunctionalInterface
public interface RowMapper<T> {
    T map(Row row) throws SQLException;
}
