package netwatcher.controller.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/** The JDBC work behind {@link SqlOperations}, on one given connection. Stateless. */
final class Statements {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Statements() {}

    static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, Object... params) {
        Objects.requireNonNull(mapper, "mapper");
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Parameters.bind(statement, params);
            try (ResultSet resultSet = statement.executeQuery()) {
                Row row = new Row(resultSet);
                List<T> result = new ArrayList<>();
                while (resultSet.next()) {
                    result.add(mapper.map(row));
                }
                return result;
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    static <T> Optional<T> queryOne(Connection connection, String sql, RowMapper<T> mapper, Object... params) {
        Objects.requireNonNull(mapper, "mapper");
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Parameters.bind(statement, params);
            statement.setMaxRows(2);
            try (ResultSet resultSet = statement.executeQuery()) {
                if (!resultSet.next()) {
                    return Optional.empty();
                }
                T value = mapper.map(new Row(resultSet));
                if (resultSet.next()) {
                    throw new DatabaseException("expected at most one row but got more: " + abbreviate(sql));
                }
                return Optional.ofNullable(value);
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    static int update(Connection connection, String sql, Object... params) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Parameters.bind(statement, params);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    static int[] batch(Connection connection, String sql, List<Object[]> paramRows) {
        if (paramRows.isEmpty()) {
            return new int[0];
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Object[] params : paramRows) {
                Parameters.bind(statement, params);
                statement.addBatch();
            }
            return statement.executeBatch();
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    static void upsert(Connection connection, Dialect dialect, String table, List<String> keyColumns,
                       Map<String, ?> row) {
        String sql = upsertSql(dialect, table, keyColumns, row.keySet());
        Object[] params = row.values().toArray();
        for (int attempt = 1; ; attempt++) {
            try {
                update(connection, sql, params);
                return;
            } catch (DatabaseException e) {
                // H2's MERGE is update-else-insert: a concurrent insert of the same key between the two
                // steps surfaces as a duplicate key; the retry then updates. A failed statement does not
                // abort an H2 transaction, so this is safe inside a Handle too. PostgreSQL's ON CONFLICT
                // is atomic and never gets here.
                if (dialect != Dialect.H2 || !e.isUniqueViolation() || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    static String upsertSql(Dialect dialect, String table, List<String> keyColumns, Iterable<String> columns) {
        checkIdentifier(table, "table");
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("upsert into " + table + " needs at least one key column");
        }
        StringJoiner names = new StringJoiner(", ");
        StringJoiner markers = new StringJoiner(", ");
        StringJoiner assignments = new StringJoiner(", ");
        List<String> seen = new ArrayList<>();
        for (String column : columns) {
            checkIdentifier(column, "column");
            seen.add(column);
            names.add(column);
            markers.add("?");
            if (!keyColumns.contains(column)) {
                assignments.add(column + " = EXCLUDED." + column);
            }
        }
        for (String key : keyColumns) {
            checkIdentifier(key, "key column");
            if (!seen.contains(key)) {
                throw new IllegalArgumentException("upsert into " + table + ": key column " + key
                        + " has no value in the row " + seen);
            }
        }
        String keys = String.join(", ", keyColumns);
        return switch (dialect) {
            case POSTGRESQL -> "INSERT INTO " + table + " (" + names + ") VALUES (" + markers + ") ON CONFLICT ("
                    + keys + ") " + (assignments.length() == 0 ? "DO NOTHING" : "DO UPDATE SET " + assignments);
            case H2 -> "MERGE INTO " + table + " (" + names + ") KEY (" + keys + ") VALUES (" + markers + ")";
        };
    }

    private static void checkIdentifier(String name, String what) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("upsert " + what + " must be a lower-case SQL identifier, was " + name);
        }
    }

    static DatabaseException failed(String sql, SQLException e) {
        return new DatabaseException("SQL failed (SQLSTATE " + e.getSQLState() + "): " + firstLine(e.getMessage())
                + " [statement: " + abbreviate(sql) + "]", e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    static String abbreviate(String sql) {
        String flat = sql.strip().replaceAll("\\s+", " ");
        return flat.length() <= 300 ? flat : flat.substring(0, 297) + "...";
    }
}
