package netwatcher.testing.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real, throw-away PostgreSQL server for tests, run from the Debian {@code postgresql} package's
 * binaries ({@code /usr/lib/postgresql/<version>/bin}, or the directory in {@code NW_PG_BIN}).
 *
 * <p>The cluster lives in a fresh temporary directory, listens on a free port on 127.0.0.1 only
 * with its unix socket inside that directory, and trusts loopback connections as user
 * {@code postgres}. PostgreSQL refuses to run as root, so when the tests run as root (CI does) the
 * directory is handed to the {@code postgres} OS user and {@code initdb}/{@code pg_ctl} run through
 * {@code runuser}. Durability is switched off ({@code fsync=off}): the server exists to check SQL
 * behaviour, not PostgreSQL's crash safety.
 *
 * <p>Starting takes a few seconds, so tests share one server per JVM through {@link #shared()} and
 * take a fresh database each with {@link #createDatabase()}. {@link #close()} stops the server
 * ({@code pg_ctl stop -m immediate}) and deletes the directory; a JVM shutdown hook does the same
 * for servers still running at exit. If the binaries are missing this fails with a message saying
 * what to install: it never skips.
 *
 * <p>Thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
    /** The superuser the cluster is initialised with; trusted on loopback, no password. */
    public static final String USER = "postgres";
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();
    private static PostgresServer shared;

    private final Path binDir;
    private final Path baseDir;
    private final Path dataDir;
    private final Path socketDir;
    private final Path logFile;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private boolean stopped;

    private PostgresServer(Path binDir, Path baseDir, int port, boolean asPostgresUser) {
        this.binDir = binDir;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.socketDir = baseDir.resolve("socket");
        this.logFile = baseDir.resolve("postgres.log");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::stopAndDelete, "postgres-server-cleanup");
    }

    /** The server shared by every test in this JVM, started on first use, stopped at JVM exit. */
    public static synchronized PostgresServer shared() {
        if (shared == null || shared.isStopped()) {
            shared = start();
        }
        return shared;
    }

    /** Starts a new server of its own; the caller closes it. */
    public static PostgresServer start() {
        Path binDir = findBinaries();
        boolean root = isRoot();
        IOException lastFailure = null;
        for (int attempt = 1; attempt <= 3; attempt++) { // a free port can be taken between probe and bind
            Path baseDir;
            try {
                baseDir = Files.createTempDirectory("nwt-postgres-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for PostgreSQL", e);
            }
            PostgresServer server = new PostgresServer(binDir, baseDir, freePort(), root);
            Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            try {
                server.initAndStart();
                return server;
            } catch (IOException e) {
                lastFailure = e;
                server.close();
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
        }
        throw new IllegalStateException("PostgreSQL did not start after 3 attempts: " + lastFailure.getMessage(),
                lastFailure);
    }

    private void initAndStart() throws IOException {
        Files.createDirectories(socketDir);
        if (asPostgresUser) {
            chownRecursively(baseDir, USER);
        }
        run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER, "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"), "initdb");
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", logFile.toString(),
                "-w", "-t", "60", "-o", String.join(" ",
                        "-c listen_addresses=127.0.0.1",
                        "-p " + port,
                        "-c unix_socket_directories=" + socketDir,
                        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                        "-c max_connections=300"),
                "start"), "pg_ctl start");
    }

    /** Creates an empty database with a unique name and returns its JDBC URL. */
    public String createDatabase() {
        return createDatabase("nwt_" + ProcessHandle.current().pid() + "_" + DATABASE_COUNTER.incrementAndGet());
    }

    /** Creates an empty database named {@code name} (letters, digits, '_') and returns its JDBC URL. */
    public synchronized String createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be a lower-case identifier, was " + name);
        }
        checkRunning();
        try {
            run(List.of(binDir.resolve("createdb").toString(), "-h", socketDir.toString(), "-p",
                    Integer.toString(port), "-U", USER, name), "createdb " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jdbcUrl(name);
    }

    /** JDBC URL of the {@code postgres} maintenance database. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** JDBC URL of database {@code name} on this server. */
    public String jdbcUrl(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    /** The temporary directory holding the cluster, socket and log; deleted by {@link #close()}. */
    public Path directory() {
        return baseDir;
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    /** Empty: loopback connections are trusted. */
    public String password() {
        return "";
    }

    /** The server's log, for failure messages. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public synchronized boolean isStopped() {
        return stopped;
    }

    /** Stops the server at once and deletes its directory. Idempotent. */
    @Override
    public void close() {
        stopAndDelete();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException alreadyRunningOrRemoved) {
            // JVM is exiting (the hook is running or ran) or the hook was never registered
        }
    }

    private synchronized void stopAndDelete() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate",
                        "-w", "stop"), "pg_ctl stop");
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("PostgresServer: stopping " + dataDir + " failed: " + e.getMessage());
        } finally {
            deleteRecursively(baseDir);
        }
    }

    private void checkRunning() {
        if (stopped) {
            throw new IllegalStateException("PostgreSQL server on port " + port + " is stopped");
        }
    }

    private void run(List<String> command, String what) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        Path output = Files.createTempFile("nwt-postgres-cmd-", ".log");
        try {
            Process process = new ProcessBuilder(full)
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + " did not finish within 120 s: " + String.join(" ", full));
            }
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed with exit code " + process.exitValue() + ": "
                        + String.join(" ", full) + "\n" + Files.readString(output, StandardCharsets.UTF_8)
                        + "\nserver log:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static Path findBinaries() {
        String override = System.getenv("NW_PG_BIN");
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override);
            if (!Files.isExecutable(dir.resolve("initdb")) || !Files.isExecutable(dir.resolve("pg_ctl"))) {
                throw new IllegalStateException("NW_PG_BIN=" + override + " has no initdb/pg_ctl");
            }
            return dir;
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                var found = versions
                        .filter(v -> v.getFileName().toString().matches("\\d+"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb"))
                                && Files.isExecutable(v.resolve("bin/pg_ctl")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())));
                if (found.isPresent()) {
                    return found.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + DEBIAN_ROOT, e);
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries not found: no "
                + DEBIAN_ROOT + "/<version>/bin/initdb and pg_ctl. Install them (apt-get install -y postgresql)"
                + " or point NW_PG_BIN at a directory holding initdb, pg_ctl and createdb. PostgreSQL tests"
                + " never skip.");
    }

    private static boolean isRoot() {
        try {
            Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            id.waitFor(10, TimeUnit.SECONDS);
            return "0".equals(uid);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run id -u", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    private static void chownRecursively(Path dir, String owner) throws IOException {
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(owner);
        GroupPrincipal group = lookup.lookupPrincipalByGroupName(owner);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.toList()) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("PostgresServer: could not delete " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[127.0.0.1:" + port + ", " + baseDir + "]";
    }
}
