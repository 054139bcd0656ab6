package netwatcher.controller.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import netwatcher.testing.postgres.PostgresServer;

/**
 * One empty database for one test invocation: an H2 file database in its own temporary directory,
 * or a new database on the JVM's shared {@link PostgresServer}. Every {@link Database} opened
 * through it is closed, and the H2 directory deleted, when the test ends. Thread-safe.
 */
public final class TestDatabase implements AutoCloseable {
    private final Dialect dialect;
    private final DatabaseConfig config;
    private final Path h2Directory;
    private final List<Database> opened = new ArrayList<>();

    private TestDatabase(Dialect dialect, DatabaseConfig config, Path h2Directory) {
        this.dialect = dialect;
        this.config = config;
        this.h2Directory = h2Directory;
    }

    /** A fresh, empty database on {@code dialect}'s engine. */
    public static TestDatabase create(Dialect dialect) {
        return switch (dialect) {
            case H2 -> {
                try {
                    Path dir = Files.createTempDirectory("nwt-h2-");
                    yield new TestDatabase(dialect, DatabaseConfig.embedded(dir), dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case POSTGRESQL -> {
                PostgresServer server = PostgresServer.shared();
                yield new TestDatabase(dialect, DatabaseConfig.postgres(server.createDatabase(), server.user(),
                        server.password()), null);
            }
        };
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The configuration pointing at this test's database. */
    public DatabaseConfig config() {
        return config;
    }

    /** H2's data directory (the {@code dataDir} given to {@link DatabaseConfig#embedded}); null on PostgreSQL. */
    public Path h2DataDirectory() {
        return h2Directory;
    }

    /** Opens the database with the classpath migrations; closed when the test ends. */
    public synchronized Database open() {
        return track(Database.open(config));
    }

    /** Opens the database with the migrations visible to {@code loader}; closed when the test ends. */
    public synchronized Database open(ClassLoader loader) {
        return track(Database.open(config, loader));
    }

    private Database track(Database database) {
        opened.add(database);
        return database;
    }

    @Override
    public synchronized void close() {
        opened.forEach(Database::close);
        opened.clear();
        if (h2Directory != null && Files.exists(h2Directory)) {
            try (Stream<Path> paths = Files.walk(h2Directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + h2Directory, e);
            }
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + config + "]";
    }
}
