package netwatcher.controller.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The controller's durable state: a HikariCP pool over H2 or PostgreSQL, migrated on
 * {@link #open(DatabaseConfig)}, with a small JDBC API (SQL visible, records in and out).
 *
 * <pre>{@code
 * try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
 *     db.update("INSERT INTO agents (id, name, seen_at) VALUES (?, ?, ?)", id, "vm1", clock.instant());
 *     Optional<Agent> agent = db.queryOne("SELECT id, name, seen_at FROM agents WHERE id = ?",
 *             row -> new Agent(row.getUuid("id"), row.getString("name"), row.getInstant("seen_at")), id);
 *     db.inTransaction(tx -> {
 *         long n = tx.queryOne("SELECT n FROM counters WHERE k = ? FOR UPDATE", r -> r.getLong("n"), "x").orElseThrow();
 *         return tx.update("UPDATE counters SET n = ? WHERE k = ?", n + 1, "x");
 *     });
 * }
 * }</pre>
 *
 * <p>Thread-safe: share one instance per controller. Each {@link SqlOperations} call on this
 * object runs in its own auto-committed transaction; use {@link #inTransaction} to group
 * statements. {@link #close()} closes the pool (and with it an embedded H2 database).
 */
public final class Database implements SqlOperations, AutoCloseable {
    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final DatabaseConfig config;

    /** This process as registered in nw_schema_controller. */
    private final SchemaInstance instance;
    /** Contract migrations waiting for the live controllers that do not ship them to go. */
    private volatile List<Migration> pendingContracts;

    private Database(HikariDataSource dataSource, DatabaseConfig config, SchemaInstance instance, List<Migration> pending) {
        this.instance = instance;
        this.pendingContracts = pending;
        this.dataSource = dataSource;
        this.config = config;
        this.dialect = config.dialect();
    }

    /**
     * Opens the pool and applies every migration found under {@code db/migration/} on the
     * classpath of this class's loader. Fails fast (with the pool closed) if the database cannot be
     * reached or a migration is invalid.
     */
    public static Database open(DatabaseConfig config) {
        return open(config, Database.class.getClassLoader());
    }

    /**
     * As {@link #open(DatabaseConfig)}, with migrations taken from {@code migrationLoader}; tests use a
     * loader over their own directory or jar.
     */
    public static Database open(DatabaseConfig config, ClassLoader migrationLoader) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(migrationLoader, "migrationLoader");
        List<Migration> migrations = MigrationScanner.scan(migrationLoader);
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari(config));
        } catch (RuntimeException e) { // HikariPool.PoolInitializationException: first connection failed
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DatabaseException("cannot connect to " + redacted(config) + " as " + config.user() + ": "
                    + cause.getMessage(), cause);
        }
        try {
            SchemaInstance instance = SchemaInstance.of(migrations);
            List<Migration> pending;
            try (Connection connection = dataSource.getConnection()) {
                pending = Migrator.migrate(connection, config.dialect(), config.jdbcUrl(), instance);
            }
            return new Database(dataSource, config, instance, pending);
        } catch (SQLException e) {
            dataSource.close();
            throw new DatabaseException("cannot connect to " + redacted(config) + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            dataSource.close();
            throw e;
        }
    }

    private static HikariConfig hikari(DatabaseConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("netwatcher-db");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        hikari.setAutoCommit(true);
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hikari.setConnectionTimeout(config.poolWait().toMillis());
        hikari.setInitializationFailTimeout(10_000);
        hikari.setDriverClassName(switch (config.dialect()) {
            case H2 -> "org.h2.Driver";
            case POSTGRESQL -> "org.postgresql.Driver";
        });
        return hikari;
    }

    /** The pooled data source, for components that speak plain JDBC. */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    /** The configuration this database was opened with. */
    public DatabaseConfig config() {
        return config;
    }

    @Override
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection connection = connection()) {
            return Statements.query(connection, sql, mapper, params);
        } catch (SQLException e) {
            throw Statements.failed(sql, e);
        }
    }

    @Override
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection connection = connection()) {
            return Statements.queryOne(connection, sql, mapper, params);
        } catch (SQLException e) {
            throw Statements.failed(sql, e);
        }
    }

    @Override
    public int update(String sql, Object... params) {
        try (Connection connection = connection()) {
            return Statements.update(connection, sql, params);
        } catch (SQLException e) {
            throw Statements.failed(sql, e);
        }
    }

    /** As {@link SqlOperations#batch}, all rows in one transaction: all are written or none. */
    @Override
    public int[] batch(String sql, List<Object[]> paramRows) {
        return inTransaction(handle -> handle.batch(sql, paramRows));
    }

    /**
     * Runs one {@code INSERT} in its own transaction; false when a unique or primary-key constraint says
     * the row is there already (inserted before, or by another controller at the same moment). The
     * race-free "create unless present" of shared state: insert, then read what won.
     */
    public boolean insertIfAbsent(String sql, Object... params) {
        try {
            return update(sql, params) > 0;
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) return false;
            throw e;
        }
    }

    @Override
    public void upsert(String table, List<String> keyColumns, Map<String, ?> row) {
        try (Connection connection = connection()) {
            Statements.upsert(connection, dialect, table, keyColumns, row);
        } catch (SQLException e) {
            throw new DatabaseException("upsert into " + table + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code body} in one transaction on one connection (READ COMMITTED; lock rows you read
     * and then write with {@code SELECT ... FOR UPDATE}). Commits when the body returns; rolls back
     * and rethrows when it throws anything. Not re-entrant: do not call the {@link Database} from
     * inside the body, use the {@link Handle}.
     */
    public <T, X extends Exception> T inTransaction(TransactionBody<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            Handle handle = new Handle(connection, dialect);
            T result;
            try {
                result = body.run(handle);
            } catch (Throwable failure) {
                handle.close();
                rollback(connection, failure);
                throw failure;
            }
            handle.close();
            try {
                connection.commit();
            } catch (SQLException e) {
                rollback(connection, e);
                throw new DatabaseException("commit failed (SQLSTATE " + e.getSQLState() + "): " + e.getMessage(), e);
            }
            return result;
        } catch (SQLException e) {
            throw new DatabaseException("transaction failed (SQLSTATE " + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    /** {@link #inTransaction} for bodies without a result. */
    public <X extends Exception> void useTransaction(TransactionAction<X> action) throws X {
        Objects.requireNonNull(action, "action");
        inTransaction(handle -> {
            action.run(handle);
            return null;
        });
    }

    /** Body of {@link #useTransaction}. */
    @FunctionalInterface
    public interface TransactionAction<X extends Exception> {
        void run(Handle handle) throws X;
    }

    /**
     * Whether the database answers within {@code timeout}: a pooled connection that passes the driver's
     * validity check. Never throws; {@code /readyz} asks this. The wait runs on a virtual thread, so a
     * caller is never held longer than {@code timeout} by an exhausted pool or a dead server.
     */
    public boolean ping(java.time.Duration timeout) {
        if (dataSource.isClosed()) return false;
        java.util.concurrent.CompletableFuture<Boolean> answer = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("nw-db-ping").start(() -> {
            try (Connection connection = dataSource.getConnection()) {
                answer.complete(connection.isValid((int) Math.max(1, timeout.toSeconds())));
            } catch (SQLException | RuntimeException e) {
                answer.complete(false);
            }
        });
        try {
            return answer.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The migrations recorded in {@code nw_schema_history}, by feature and version. */
    public List<AppliedMigration> appliedMigrations() {
        try (Connection connection = connection()) {
            return List.copyOf(Migrator.applied(connection));
        } catch (SQLException e) {
            throw new DatabaseException("cannot read " + Migrator.HISTORY_TABLE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Renews this process's registration in {@code nw_schema_controller} (a controller calls it every few
     * seconds: a row without a heartbeat for {@value SchemaInstance#LIVE_SECONDS} s counts as gone) and applies
     * the contract migrations that were waiting, once no live controller lacks them. One statement while
     * nothing waits.
     */
    public void heartbeat() {
        try (Connection connection = connection()) {
            if (pendingContracts.isEmpty()) {
                SchemaInstance.register(connection, instance);
            } else {
                pendingContracts = Migrator.migrate(connection, dialect, config.jdbcUrl(), instance);
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot renew " + Migrator.CONTROLLER_TABLE + ": " + e.getMessage(), e);
        }
    }

    /** The contract migrations this process ships that wait for older controllers to go (rolling upgrade). */
    public List<String> pendingContracts() {
        return pendingContracts.stream().map(Migration::fileName).toList();
    }

    /**
     * Closes the pool; an embedded H2 database is closed and flushed with its last connection. This process's
     * row in {@code nw_schema_controller} stays and ages out after {@value SchemaInstance#LIVE_SECONDS} s: a
     * clean stop may be a restart, and a contract migration must not slip through while an older controller
     * restarts.
     */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "Database[" + redacted(config) + "]";
    }

    private Connection connection() throws SQLException {
        if (dataSource.isClosed()) {
            // the controller is stopping: requests still in flight (agents' long-polls woken by the stop) are told
            // to come back (the edge answers 503 with Retry-After, SQLSTATE 08003 "connection does not exist"),
            // not that the server failed
            throw new DatabaseException("database " + redacted(config) + " is closed",
                    new java.sql.SQLNonTransientConnectionException("the connection pool is closed", "08003"));
        }
        return dataSource.getConnection();
    }

    private static void rollback(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static String redacted(DatabaseConfig config) {
        return config.jdbcUrl().replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
