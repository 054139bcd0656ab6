package netwatcher.controller.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Applies pending migrations and validates applied ones, serialised across processes.
 *
 * <p>PostgreSQL: one transaction holding {@code pg_advisory_xact_lock}, so two controllers starting
 * at once take turns and the second finds the work done; DDL is transactional there, so a failing
 * migration leaves nothing behind. H2: the file database can be opened by one process only, so a
 * lock per database URL within this JVM suffices; H2 commits DDL implicitly, so a migration that
 * fails half-way may leave its earlier statements applied (the history row is not written, and the
 * error says so). Thread-safe.
 */
final class Migrator {
    static final String HISTORY_TABLE = "nw_schema_history";
    /** The processes using the database, the migrations each ships, and their heartbeats. */
    static final String CONTROLLER_TABLE = "nw_schema_controller";
    /** Advisory lock key: the bytes of "nwschema". */
    static final long ADVISORY_LOCK_KEY = 0x6e77736368656d61L;
    private static final Map<String, ReentrantLock> H2_LOCKS = new ConcurrentHashMap<>();

    private Migrator() {}

    /**
     * Migrates, registering {@code instance} (its id and the migrations it ships) in {@value #CONTROLLER_TABLE}
     * under the same lock. Returns the contract migrations left pending because a live controller does not ship
     * them yet.
     */
    static List<Migration> migrate(Connection connection, Dialect dialect, String jdbcUrl, SchemaInstance instance) {
        List<Migration> migrations = instance.migrations();
        List<Migration> pending = new ArrayList<>();
        ReentrantLock jvmLock = dialect == Dialect.H2
                ? H2_LOCKS.computeIfAbsent(h2LockKey(jdbcUrl), k -> new ReentrantLock())
                : null;
        if (jvmLock != null) {
            jvmLock.lock();
        }
        try {
            connection.setAutoCommit(false);
            try {
                if (dialect == Dialect.POSTGRESQL) {
                    try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        lock.setLong(1, ADVISORY_LOCK_KEY);
                        lock.execute();
                    }
                }
                try (Statement create = connection.createStatement()) {
                    create.execute("CREATE TABLE IF NOT EXISTS " + HISTORY_TABLE + " ("
                            + "feature VARCHAR(64) NOT NULL, "
                            + "version INTEGER NOT NULL, "
                            + "description VARCHAR(200) NOT NULL, "
                            + "checksum VARCHAR(64) NOT NULL, "
                            + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                            + "PRIMARY KEY (feature, version))");
                    // expand/contract (rolling upgrades): the phase of each applied migration, and who is alive
                    create.execute("ALTER TABLE " + HISTORY_TABLE + " ADD COLUMN IF NOT EXISTS phase VARCHAR(16)");
                    create.execute("CREATE TABLE IF NOT EXISTS " + CONTROLLER_TABLE + " ("
                            + "instance_id VARCHAR(64) NOT NULL PRIMARY KEY, "
                            + "migrations VARCHAR(4000) NOT NULL, "
                            + "started_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                            + "heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL)");
                }
                SchemaInstance.register(connection, instance);
                List<String> others = SchemaInstance.liveOthers(connection, instance.id());
                Map<String, AppliedMigration> applied = new HashMap<>();
                for (AppliedMigration row : applied(connection)) {
                    applied.put(row.feature() + "/" + row.version(), row);
                }
                validate(applied, migrations);
                for (Migration migration : migrations) {
                    if (!applied.containsKey(migration.feature() + "/" + migration.version())) {
                        if (migration.phase() == MigrationPhase.CONTRACT
                                && others.stream().anyMatch(o -> !SchemaInstance.ships(o, migration))) {
                            pending.add(migration); // a live controller may still read what it removes
                            continue;
                        }
                        apply(connection, dialect, migration);
                        if (dialect == Dialect.H2) {
                            connection.commit(); // H2 commits DDL anyway: keep each file and its history row together
                        }
                    }
                }
                connection.commit();
                return List.copyOf(pending);
            } catch (RuntimeException | SQLException e) {
                rollback(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new MigrationException("migrations could not run: " + e.getMessage(), e);
        } finally {
            if (jvmLock != null) {
                jvmLock.unlock();
            }
        }
    }

    static List<AppliedMigration> applied(Connection connection) throws SQLException {
        List<AppliedMigration> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet resultSet = statement.executeQuery("SELECT *"
                     + " FROM " + HISTORY_TABLE + " ORDER BY feature, version")) {
            boolean hasPhase = hasColumn(resultSet, "phase");
            while (resultSet.next()) {
                String phase = hasPhase ? resultSet.getString("phase") : null;
                rows.add(new AppliedMigration(resultSet.getString("feature"), resultSet.getInt("version"),
                        resultSet.getString("description"), resultSet.getString("checksum"),
                        resultSet.getObject("applied_at", OffsetDateTime.class).toInstant(),
                        phase == null ? null : MigrationPhase.valueOf(phase.toUpperCase(java.util.Locale.ROOT))));
            }
        }
        return rows;
    }

    private static boolean hasColumn(ResultSet resultSet, String name) throws SQLException {
        var meta = resultSet.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (meta.getColumnLabel(i).equalsIgnoreCase(name)) return true;
        }
        return false;
    }

    private static void validate(Map<String, AppliedMigration> applied, List<Migration> migrations) {
        Map<String, Migration> local = new HashMap<>();
        for (Migration migration : migrations) {
            local.put(migration.feature() + "/" + migration.version(), migration);
        }
        for (AppliedMigration row : applied.values().stream()
                .sorted((a, b) -> (a.feature() + a.version()).compareTo(b.feature() + b.version())).toList()) {
            Migration migration = local.get(row.feature() + "/" + row.version());
            if (migration == null && row.phase() == MigrationPhase.EXPAND) {
                continue; // a newer controller expanded the database: this version ignores what was added
            }
            if (migration == null) {
                throw new MigrationException("migration " + row.feature() + " V" + row.version() + " ("
                        + row.description() + ") is recorded in " + HISTORY_TABLE + " but no file "
                        + MigrationScanner.ROOT + "/" + row.feature() + "/V" + row.version()
                        + "__*.sql is on the classpath, and it is "
                        + (row.phase() == MigrationPhase.CONTRACT
                                ? "a contract migration of a newer controller: it removed what this version may still"
                                        + " read, so this version cannot run on this database any more (finish the upgrade)"
                                : "not recorded as an expand migration: was this database migrated by a newer controller?"));
            }
            if (!migration.checksum().equals(row.checksum())) {
                throw new MigrationException("migration " + migration.location() + " was changed after it was"
                        + " applied (checksum in " + HISTORY_TABLE + " " + row.checksum() + ", file now "
                        + migration.checksum() + "); applied migrations must never be edited: restore the file"
                        + " and add V" + (maxVersion(migrations, row.feature()) + 1) + "__<description>.sql");
            }
        }
    }

    private static int maxVersion(List<Migration> migrations, String feature) {
        return migrations.stream().filter(m -> m.feature().equals(feature)).mapToInt(Migration::version).max().orElse(0);
    }

    private static void apply(Connection connection, Dialect dialect, Migration migration) {
        List<SqlScript.Statement> statements = SqlScript.split(migration.sql());
        for (int i = 0; i < statements.size(); i++) {
            SqlScript.Statement statement = statements.get(i);
            try (Statement jdbc = connection.createStatement()) {
                jdbc.execute(statement.sql());
            } catch (SQLException e) {
                throw new MigrationException("migration " + migration.location() + " failed at statement "
                        + (i + 1) + " (line " + statement.line() + ") on " + dialect + ": " + e.getMessage()
                        + (dialect == Dialect.H2 && i > 0
                                ? " (H2 commits DDL at once: earlier statements of this migration may remain)"
                                : ""), e);
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + HISTORY_TABLE
                + " (feature, version, description, checksum, applied_at, phase) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, ?)")) {
            insert.setString(1, migration.feature());
            insert.setInt(2, migration.version());
            insert.setString(3, migration.description());
            insert.setString(4, migration.checksum());
            insert.setString(5, migration.phase().name().toLowerCase(java.util.Locale.ROOT));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new MigrationException("cannot record migration " + migration.location() + ": " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** The database file part of an H2 URL, without settings, so equal files share one lock. */
    private static String h2LockKey(String jdbcUrl) {
        int semicolon = jdbcUrl.indexOf(';');
        return semicolon < 0 ? jdbcUrl : jdbcUrl.substring(0, semicolon);
    }
}
