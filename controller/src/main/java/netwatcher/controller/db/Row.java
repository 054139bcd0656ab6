package netwatcher.controller.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The current row of a query, read by column label with the same conversions on both engines.
 * Object-valued getters return null for SQL NULL; primitive getters ({@link #getLong},
 * {@link #getInt}, {@link #getBoolean}) throw instead of JDBC's silent 0/false, and have
 * {@code ...OrNull} twins for nullable columns.
 *
 * <p>Valid only inside the {@link RowMapper} call that received it; not thread-safe.
 */
public final class Row {
    private final ResultSet resultSet;

    Row(ResultSet resultSet) {
        this.resultSet = resultSet;
    }

    public String getString(String column) throws SQLException {
        return resultSet.getString(column);
    }

    public long getLong(String column) throws SQLException {
        return present(column, getLongOrNull(column));
    }

    public Long getLongOrNull(String column) throws SQLException {
        long value = resultSet.getLong(column);
        return resultSet.wasNull() ? null : value;
    }

    public int getInt(String column) throws SQLException {
        return present(column, getIntOrNull(column));
    }

    public Integer getIntOrNull(String column) throws SQLException {
        int value = resultSet.getInt(column);
        return resultSet.wasNull() ? null : value;
    }

    public boolean getBoolean(String column) throws SQLException {
        return present(column, getBooleanOrNull(column));
    }

    public Boolean getBooleanOrNull(String column) throws SQLException {
        boolean value = resultSet.getBoolean(column);
        return resultSet.wasNull() ? null : value;
    }

    /** {@code value}, read from {@code column} by one of the {@code ...OrNull} getters; a NULL where the caller needs a value fails. */
    private static <T> T present(String column, T value) throws SQLException {
        if (value == null) {
            throw nullIn(column);
        }
        return value;
    }

    /** A {@code TIMESTAMP WITH TIME ZONE} column as an instant (microsecond precision). */
    public Instant getInstant(String column) throws SQLException {
        OffsetDateTime value = resultSet.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** A {@code UUID} column (or a text column holding a UUID). */
    public UUID getUuid(String column) throws SQLException {
        Object value = resultSet.getObject(column);
        return switch (value) {
            case null -> null;
            case UUID uuid -> uuid;
            case String text -> UUID.fromString(text);
            default -> throw new DatabaseException("column " + column + " holds a "
                    + value.getClass().getName() + ", not a UUID");
        };
    }

    /** A {@code BYTEA} column. */
    public byte[] getBytes(String column) throws SQLException {
        return resultSet.getBytes(column);
    }

    /** A text column holding an enum constant's {@link Enum#name()} (how enum parameters are bound). */
    public <E extends Enum<E>> E getEnum(String column, Class<E> type) throws SQLException {
        String value = resultSet.getString(column);
        return value == null ? null : Enum.valueOf(type, value);
    }

    /** Escape hatch for anything else; prefer the typed getters, which behave alike on both engines. */
    public ResultSet resultSet() {
        return resultSet;
    }

    private static DatabaseException nullIn(String column) {
        return new DatabaseException("column " + column + " is NULL; use the ...OrNull getter for nullable columns");
    }
}
