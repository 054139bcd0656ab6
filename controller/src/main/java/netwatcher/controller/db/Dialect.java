package netwatcher.controller.db;

/**
 * The SQL engine behind a {@link Database}. Features should write SQL that runs on both; the
 * dialect is exposed for the rare statement that cannot (see {@code docs/persistence.md}).
 */
public enum Dialect {
    /** Embedded H2 2.x in PostgreSQL compatibility mode. */
    H2,
    /** PostgreSQL 13 or newer (CI tests against the Debian package, currently 15). */
    POSTGRESQL;

    static Dialect fromJdbcUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException(
                "DatabaseConfig.jdbcUrl must start with jdbc:h2: or jdbc:postgresql:, was " + jdbcUrl);
    }
}
