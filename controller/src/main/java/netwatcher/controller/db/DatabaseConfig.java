package netwatcher.controller.db;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the controller keeps its durable state. Two shapes: {@link #embedded(Path)} (the default, an
 * H2 file database in PostgreSQL mode under the data directory) and {@link #postgres(String, String,
 * String)} (several controllers sharing one PostgreSQL database).
 *
 * <p>Validated on construction; each failure names the setting. {@link #toString()} never shows the
 * password. Immutable and thread-safe.
 *
 * @param jdbcUrl     {@code jdbc:h2:...} or {@code jdbc:postgresql://...}
 * @param user        database user (H2 embedded: {@code sa})
 * @param password    password, may be empty (never null)
 * @param maxPoolSize upper bound of pooled connections, 1..{@value #MAX_POOL_SIZE_LIMIT}
 *                    ({@code database.poolSize}, default {@value #DEFAULT_MAX_POOL_SIZE})
 * @param poolWait    how long a statement waits for a pooled connection before it fails as
 *                    {@linkplain DatabaseException#isUnavailable() unavailable} (the edge answers 503);
 *                    {@code database.poolWaitMillis}, default {@link #DEFAULT_POOL_WAIT}, 250 ms .. 60 s
 */
public record DatabaseConfig(String jdbcUrl, String user, String password, int maxPoolSize, java.time.Duration poolWait) {

    /** Default pool size; see the package documentation for the reasoning. */
    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    /** Largest accepted pool size: more connections than this only add contention. */
    public static final int MAX_POOL_SIZE_LIMIT = 200;
    /**
     * Default wait for a pooled connection: long enough for a burst to pass, short enough that a client
     * of an overloaded controller hears 503 (and retries elsewhere) before its own timeout.
     */
    public static final java.time.Duration DEFAULT_POOL_WAIT = java.time.Duration.ofSeconds(5);

    /** With the default pool wait. */
    public DatabaseConfig(String jdbcUrl, String user, String password, int maxPoolSize) {
        this(jdbcUrl, user, password, maxPoolSize, DEFAULT_POOL_WAIT);
    }

    /**
     * H2 settings appended to the embedded URL.
     * <ul>
     * <li>{@code MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH}: the settings H2's
     * documentation gives for PostgreSQL compatibility, so the same SQL runs on both engines;</li>
     * <li>{@code WRITE_DELAY=0}: H2 2.x maps this to the MVStore auto-commit delay. With any other
     * value a committed transaction sits in memory until the background writer stores it (1 s by
     * default in MVStore, 500 ms by the H2 default), so {@code kill -9} loses acknowledged commits;
     * with 0 the committing thread writes the MVStore chunk before {@code commit()} returns
     * ({@code TransactionStore.endTransaction} calls {@code MVStore.commit()} when the delay is 0);</li>
     * <li>{@code DB_CLOSE_ON_EXIT=FALSE}: {@link Database#close()} closes the database, not H2's
     * own shutdown hook racing the controller's orderly shutdown.</li>
     * </ul>
     */
    static final String H2_SETTINGS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";

    public DatabaseConfig {
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            throw new IllegalArgumentException("DatabaseConfig.jdbcUrl is required");
        }
        Dialect.fromJdbcUrl(jdbcUrl); // names the setting when the engine is unsupported
        if (jdbcUrl.startsWith("jdbc:h2:mem:") || jdbcUrl.startsWith("jdbc:h2:tcp:")
                || jdbcUrl.startsWith("jdbc:h2:ssl:")) {
            throw new IllegalArgumentException("DatabaseConfig.jdbcUrl: only embedded H2 file databases are"
                    + " supported (jdbc:h2:file:...), was " + jdbcUrl);
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("DatabaseConfig.user is required");
        }
        Objects.requireNonNull(password, "DatabaseConfig.password must not be null (use \"\" for none)");
        if (maxPoolSize < 1 || maxPoolSize > MAX_POOL_SIZE_LIMIT) {
            throw new IllegalArgumentException("DatabaseConfig.maxPoolSize must be between 1 and "
                    + MAX_POOL_SIZE_LIMIT + ", was " + maxPoolSize);
        }
        if (poolWait == null) poolWait = DEFAULT_POOL_WAIT;
        if (poolWait.toMillis() < 250 || poolWait.toSeconds() > 60) {
            throw new IllegalArgumentException("DatabaseConfig.poolWait (database.poolWaitMillis) must be between 250 ms and 60 s, was "
                    + poolWait.toMillis() + " ms");
        }
    }

    /**
     * The default store: an H2 file database {@code dataDir/state/netwatcher.mv.db} in PostgreSQL
     * mode, durable against a killed process (see {@link #H2_SETTINGS}).
     *
     * @param dataDir the controller's data directory; {@code state/} is created on open
     */
    public static DatabaseConfig embedded(Path dataDir) {
        Objects.requireNonNull(dataDir, "DatabaseConfig dataDir is required");
        Path file = dataDir.toAbsolutePath().normalize().resolve("state").resolve("netwatcher");
        String path = file.toString();
        if (path.contains(";")) {
            throw new IllegalArgumentException("DatabaseConfig dataDir must not contain ';', was " + dataDir);
        }
        return new DatabaseConfig("jdbc:h2:file:" + path + H2_SETTINGS, "sa", "", DEFAULT_MAX_POOL_SIZE);
    }

    /** A PostgreSQL database, e.g. {@code jdbc:postgresql://db.example:5432/netwatcher}. */
    public static DatabaseConfig postgres(String url, String user, String password) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "DatabaseConfig.jdbcUrl must start with jdbc:postgresql:, was " + url);
        }
        return new DatabaseConfig(url, user, password, DEFAULT_MAX_POOL_SIZE);
    }

    /** A copy with another pool size. */
    public DatabaseConfig withMaxPoolSize(int size) {
        return new DatabaseConfig(jdbcUrl, user, password, size, poolWait);
    }

    /** A copy with another wait for a pooled connection. */
    public DatabaseConfig withPoolWait(java.time.Duration wait) {
        return new DatabaseConfig(jdbcUrl, user, password, maxPoolSize, wait);
    }

    /** Whether this is the embedded H2 database, which only one controller can open. */
    public boolean embedded() {
        return dialect() == Dialect.H2;
    }

    /** The engine this configuration points at. */
    public Dialect dialect() {
        return Dialect.fromJdbcUrl(jdbcUrl);
    }

    @Override
    public String toString() {
        return "DatabaseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "***") + ", maxPoolSize=" + maxPoolSize + ", poolWait=" + poolWait.toMillis() + "ms]";
    }
}
