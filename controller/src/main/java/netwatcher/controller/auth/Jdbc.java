package netwatcher.controller.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The few JDBC helpers the security repositories share: one statement per call on a pooled
 * connection (auto-commit), instants as {@code TIMESTAMP WITH TIME ZONE} in UTC.
 */
final class Jdbc {
    @FunctionalInterface
    interface Binder { void bind(PreparedStatement statement) throws SQLException; }

    @FunctionalInterface
    interface Mapper<T> { T map(ResultSet row) throws SQLException; }

    private final DataSource dataSource;

    Jdbc(DataSource dataSource) { this.dataSource = dataSource; }

    int update(String sql, Binder binder) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new SecurityStoreException("statement failed: " + sql, e);
        }
    }

    <T> List<T> query(String sql, Binder binder, Mapper<T> mapper) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(mapper.map(rows));
                }
                return result;
            }
        } catch (SQLException e) {
            throw new SecurityStoreException("query failed: " + sql, e);
        }
    }

    <T> Optional<T> queryOne(String sql, Binder binder, Mapper<T> mapper) {
        List<T> rows = query(sql, binder, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    static OffsetDateTime toDb(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** Whether the failure is a unique-constraint violation (SQLState 23505 on both engines). */
    static boolean isUniqueViolation(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
