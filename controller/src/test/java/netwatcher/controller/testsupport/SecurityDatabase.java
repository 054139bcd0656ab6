package netwatcher.controller.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * An in-memory H2 database in PostgreSQL mode (the settings the embedded database uses) with the
 * security migration applied, one per test.
 */
public final class SecurityDatabase {
    private SecurityDatabase() {}

    public static DataSource create() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:security-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        applyMigration(dataSource);
        return dataSource;
    }

    /** Runs {@code db/migration/security/V1__security.sql} statement by statement. */
    public static void applyMigration(DataSource dataSource) {
        String sql;
        try (InputStream in = SecurityDatabase.class.getResourceAsStream("/db/migration/security/V1__security.sql")) {
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String withoutComments = sql.lines().filter(line -> !line.strip().startsWith("--"))
                .collect(Collectors.joining("\n"));
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String part : withoutComments.split(";")) {
                if (!part.isBlank()) {
                    statement.execute(part);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("migration failed", e);
        }
    }
}
