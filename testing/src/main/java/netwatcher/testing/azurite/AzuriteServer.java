package netwatcher.testing.azurite;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Azurite blob service (Microsoft's Azure Storage emulator) for tests, run as a child
 * process on a free loopback port with a given data directory. It must have been installed with
 * {@code npm install --prefix ~/.cache/netwatcher/azurite azurite} ({@code .ci/run} does it); when
 * it is absent {@link #start} throws, so the test fails instead of being skipped.
 *
 * <p>{@link #stop()} and {@link #start()} again keep the port and the data directory, which is how
 * tests simulate a storage outage. The account is the well-known development account
 * {@value #ACCOUNT}.
 *
 * <p>Thread-safety: methods are synchronized; one instance per test.
 */
public final class AzuriteServer implements AutoCloseable {
    /** The emulator's development account name. */
    public static final String ACCOUNT = "devstoreaccount1";
    /** The emulator's published development account key (not a secret). */
    public static final String ACCOUNT_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    /** Where {@code .ci/run} installs Azurite. */
    public static final Path DEFAULT_INSTALL = Path.of(System.getenv("XDG_CACHE_HOME") != null
            ? System.getenv("XDG_CACHE_HOME") : System.getProperty("user.home") + "/.cache", "netwatcher", "azurite");

    private final Path executable;
    private final Path location;
    private final int port;
    private Process process;

    private AzuriteServer(Path executable, Path location, int port) {
        this.executable = executable;
        this.location = location;
        this.port = port;
    }

    /**
     * Starts Azurite's blob service on a free loopback port with its data in {@code location}.
     *
     * @throws IllegalStateException when Azurite is not installed (with the command that installs it)
     *                               or does not come up
     */
    public static AzuriteServer start(Path location) throws IOException {
        Path install = Path.of(System.getProperty("netwatcher.azurite.home", DEFAULT_INSTALL.toString()));
        Path executable = install.resolve("node_modules/.bin/azurite-blob");
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("Azurite is not installed at " + executable + ": run `npm install --prefix "
                    + install + " azurite` (.ci/run does this)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(location);
        AzuriteServer server = new AzuriteServer(executable, location, port);
        server.start();
        return server;
    }

    /** (Re)starts the process on the same port and data directory; waits until it accepts connections. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) return;
        ProcessBuilder pb = new ProcessBuilder(List.of(executable.toString(), "--blobHost", "127.0.0.1",
                "--blobPort", Integer.toString(port), "--location", location.toString(), "--skipApiVersionCheck",
                "--loose", "--silent", "--disableTelemetry"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(location.resolve("azurite-process.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Azurite exited with " + process.exitValue() + "; see "
                        + location.resolve("azurite-process.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        stop();
        throw new IllegalStateException("Azurite did not listen on 127.0.0.1:" + port + " within 30 s");
    }

    /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it; the data directory stays. */
    public synchronized void stop() {
        if (process == null) return;
        ProcessHandle handle = process.toHandle();
        List<ProcessHandle> children = handle.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        process = null;
    }

    /** {@link #stop()} then {@link #start()}. */
    public synchronized void restart() throws IOException {
        stop();
        start();
    }

    public int port() { return port; }

    public Path location() { return location; }

    /** {@code http://127.0.0.1:<port>/devstoreaccount1}. */
    public String blobEndpoint() { return "http://127.0.0.1:" + port + "/" + ACCOUNT; }

    public String accountName() { return ACCOUNT; }

    public String accountKey() { return ACCOUNT_KEY; }

    /** A connection string the Azure SDK accepts for this emulator. */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
                + ";BlobEndpoint=" + blobEndpoint() + ";";
    }

    @Override
    public void close() { stop(); }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Azurite", e);
        }
    }
}
