package netwatcher.controller.db;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The statements a feature repository runs, with SQL in plain sight and records in and out. On a
 * {@link Database} each call borrows a pooled connection and runs in its own auto-committed
 * transaction; on a {@link Handle} all calls share the enclosing transaction.
 *
 * <p>Parameters are positional {@code ?} markers bound from {@code params}: {@code String},
 * {@code long}/{@code int}, {@code boolean}, {@code Instant} (stored as {@code TIMESTAMP WITH TIME
 * ZONE}, truncated to microseconds), {@code UUID} (column type {@code UUID}), enum constants (as
 * their name), {@code byte[]}, {@code double}, {@code BigDecimal}, {@code LocalDate} and
 * {@code null}. Anything else is rejected before reaching the driver. Failures are
 * {@link DatabaseException}s naming the statement.
 */
public sealed interface SqlOperations permits Database, Handle {

    /** The engine, for the rare statement that cannot be written portably. */
    Dialect dialect();

    /** All rows, mapped in order. */
    <T> List<T> query(String sql, RowMapper<T> mapper, Object... params);

    /** The only row, or empty; more than one row is a {@link DatabaseException}. */
    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params);

    /** An INSERT, UPDATE, DELETE or DDL statement; returns the affected row count. */
    int update(String sql, Object... params);

    /** One statement executed for each parameter row as a JDBC batch; returns each row's count. */
    int[] batch(String sql, List<Object[]> paramRows);

    /**
     * Inserts {@code row} into {@code table}, or, when a row with the same {@code keyColumns}
     * exists (they must form a primary key or unique constraint), updates its other columns to the
     * given values. Atomic on both engines: PostgreSQL runs {@code INSERT ... ON CONFLICT (keys) DO
     * UPDATE SET c = EXCLUDED.c}, H2 (which accepts {@code ON CONFLICT} only as {@code DO NOTHING})
     * runs {@code MERGE INTO table (columns) KEY (keys) VALUES (...)}.
     *
     * @param table      lower-case table name
     * @param keyColumns the conflict columns, all present in {@code row}
     * @param row        column name to value, iteration order is the column order (use
     *                   {@code LinkedHashMap} or {@code Map.of} — order does not change the result)
     */
    void upsert(String table, List<String> keyColumns, Map<String, ?> row);
}
