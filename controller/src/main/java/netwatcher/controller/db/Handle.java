package netwatcher.controller.db;

import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One connection inside one transaction, handed to a {@link TransactionBody}. Isolation is READ
 * COMMITTED on both engines: a body that reads a row and writes it back must lock it first with
 * {@code SELECT ... FOR UPDATE} (see the package documentation). Usable only by the thread running
 * the body and only until the body returns; afterwards every call fails.
 */
public final class Handle implements SqlOperations {
    private final Connection connection;
    private final Dialect dialect;
    private volatile boolean open = true;

    Handle(Connection connection, Dialect dialect) {
        this.connection = connection;
        this.dialect = dialect;
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        return Statements.query(connection(), sql, mapper, params);
    }

    @Override
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        return Statements.queryOne(connection(), sql, mapper, params);
    }

    @Override
    public int update(String sql, Object... params) {
        return Statements.update(connection(), sql, params);
    }

    @Override
    public int[] batch(String sql, List<Object[]> paramRows) {
        return Statements.batch(connection(), sql, paramRows);
    }

    @Override
    public void upsert(String table, List<String> keyColumns, Map<String, ?> row) {
        Statements.upsert(connection(), dialect, table, keyColumns, row);
    }

    private Connection connection() {
        if (!open) {
            throw new IllegalStateException("this Handle's transaction has ended; use the Handle only inside"
                    + " the transaction body");
        }
        return connection;
    }

    void close() {
        open = false;
    }
}
