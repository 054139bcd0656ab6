package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseConfigTest {

    @Test
    void embedded_pointsAtStateDirectoryInPostgresModeWithoutWriteDelay() {
        DatabaseConfig config = DatabaseConfig.embedded(Path.of("/var/lib/netwatcher"));

        assertTrue(config.jdbcUrl().startsWith("jdbc:h2:file:/var/lib/netwatcher/state/netwatcher;"), config.jdbcUrl());
        assertTrue(config.jdbcUrl().contains(";MODE=PostgreSQL;"), config.jdbcUrl());
        assertTrue(config.jdbcUrl().contains(";WRITE_DELAY=0"), config.jdbcUrl());
        assertEquals(Dialect.H2, config.dialect());
    }

    @Test
    void postgres_keepsUrlAndCredentials() {
        DatabaseConfig config = DatabaseConfig.postgres("jdbc:postgresql://db:5432/nw", "nw", "secret");

        assertEquals(Dialect.POSTGRESQL, config.dialect());
        assertEquals(DatabaseConfig.DEFAULT_MAX_POOL_SIZE, config.maxPoolSize());
    }

    @Test
    void toString_neverShowsThePassword() {
        assertFalse(DatabaseConfig.postgres("jdbc:postgresql://db/nw", "nw", "secret").toString().contains("secret"));
    }

    @Test
    void construct_whenInvalid_failsNamingTheSetting() {
        assertMessage("DatabaseConfig.jdbcUrl", () -> new DatabaseConfig(" ", "sa", "", 5));
        assertMessage("DatabaseConfig.jdbcUrl", () -> new DatabaseConfig("jdbc:mysql://x/y", "sa", "", 5));
        assertMessage("DatabaseConfig.jdbcUrl", () -> new DatabaseConfig("jdbc:h2:mem:x", "sa", "", 5));
        assertMessage("DatabaseConfig.user", () -> new DatabaseConfig("jdbc:postgresql://x/y", "", "", 5));
        assertMessage("DatabaseConfig.maxPoolSize", () -> new DatabaseConfig("jdbc:postgresql://x/y", "u", "", 0));
        assertMessage("DatabaseConfig.maxPoolSize",
                () -> DatabaseConfig.postgres("jdbc:postgresql://x/y", "u", "").withMaxPoolSize(1000));
        assertMessage("DatabaseConfig.jdbcUrl", () -> DatabaseConfig.postgres("jdbc:h2:file:/x", "u", ""));
        assertThrows(NullPointerException.class, () -> new DatabaseConfig("jdbc:postgresql://x/y", "u", null, 5));
    }

    @Test
    void open_whenServerUnreachable_failsFastNamingTheUrl() {
        DatabaseConfig config = DatabaseConfig.postgres("jdbc:postgresql://127.0.0.1:1/nw", "nw", "pw")
                .withMaxPoolSize(1);

        DatabaseException failure = assertThrows(DatabaseException.class, () -> Database.open(config));

        assertTrue(failure.getMessage().contains("127.0.0.1:1"), failure.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable executable) {
        Exception failure = assertThrows(RuntimeException.class, executable);
        assertTrue(failure.getMessage().contains(expected), failure.getMessage());
    }
}
