package netwatcher.cli.discovery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import netwatcher.controller.ControllerConfig;

/**
 * Finds the controller of a data directory from its {@link ControllerRecord} and says whether it runs:
 * its process is alive (the same process: one started before the record was written, so a reused pid
 * does not count) and its port accepts a connection. Every answer comes at once: a missing process is
 * seen without any network wait, and a port is given {@link #CONNECT_TIMEOUT} (loopback answers or
 * refuses in microseconds). What is not running is said with the command that fixes it. Stateless;
 * thread-safe.
 */
public final class ControllerDiscovery {
    /** The data directory {@code nw up} uses when none is given. */
    public static final String DEFAULT_DATA_DIR = ".nw-data";
    /** How long a recorded port may take to accept a connection. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** How much later than the record's start time a process may seem to have started (clock granularity of /proc). */
    private static final Duration START_SLACK = Duration.ofSeconds(2);

    private ControllerDiscovery() {}

    /** What a data directory says about its controller. */
    public sealed interface Found permits Running, NotRunning, NoRecord {
        /** The data directory looked at. */
        Path dataDir();
    }

    /** The recorded controller runs and its port answers. */
    public record Running(Path dataDir, ControllerRecord record) implements Found {
        /**
         * The admin token from the record's token file.
         *
         * @throws IllegalStateException naming the file and the fix when it cannot be read
         */
        public String token() {
            Path file = Path.of(record.tokenFile());
            try {
                return Files.readString(file).strip();
            } catch (IOException e) {
                throw new IllegalStateException("the controller at " + record.url() + " runs, but its admin token " + file
                        + " cannot be read (" + e.getMessage() + "): run as the user that started `nw up`, or log in with"
                        + " `nw login --endpoint " + record.url() + " --token T`", e);
            }
        }
    }

    /**
     * A controller ran with this data directory but does not now.
     *
     * @param reason what shows it is not running, with the fix
     */
    public record NotRunning(Path dataDir, ControllerRecord record, String reason) implements Found {}

    /** No controller record in this data directory: no {@code nw up} ran with it, or one from before records existed. */
    public record NoRecord(Path dataDir) implements Found {}

    /**
     * The data directory to use when none is given: {@code .nw-data} in the working directory when it
     * exists, else the one in the netwatcher home (the repository, {@code -Dnw.home}) when that exists,
     * else {@code .nw-data} in the working directory.
     */
    public static Path defaultDataDir() {
        Path here = Path.of(DEFAULT_DATA_DIR);
        if (Files.isDirectory(here)) return here;
        String home = System.getProperty("nw.home");
        if (home != null && Files.isDirectory(Path.of(home, DEFAULT_DATA_DIR))) return Path.of(home, DEFAULT_DATA_DIR);
        return here;
    }

    /** {@code dataDir} when given, else {@link #defaultDataDir()}. */
    public static Path dataDirOrDefault(Path dataDir) {
        return dataDir != null ? dataDir : defaultDataDir();
    }

    /**
     * Looks at the record of {@code dataDir}: {@link Running}, {@link NotRunning} (stopped cleanly, its
     * process gone, or its port silent) or {@link NoRecord}.
     *
     * @throws IllegalStateException when the record exists but is unreadable
     */
    public static Found find(Path dataDir) {
        Optional<ControllerRecord> read = ControllerRecord.read(dataDir);
        if (read.isEmpty()) return new NoRecord(dataDir);
        ControllerRecord record = read.get();
        String fix = "start it with `" + upCommand(dataDir, record) + "`";
        if (record.stopped()) {
            return new NotRunning(dataDir, record, "the controller of " + dataDir + " is not running: it stopped at "
                    + record.stoppedAt() + " (it listened on " + record.url() + "); " + fix);
        }
        if (!sameProcessAlive(record)) {
            return new NotRunning(dataDir, record, "the controller of " + dataDir + " is not running: its process "
                    + record.pid() + " is gone (killed or crashed; " + ControllerRecord.file(dataDir) + " is stale); " + fix);
        }
        if (!accepts(record.host(), record.port())) {
            return new NotRunning(dataDir, record, "the controller process " + record.pid() + " of " + dataDir
                    + " runs, but nothing answers at " + record.host() + ":" + record.port()
                    + "; it may be stuck: see its output, or stop it and " + fix);
        }
        return new Running(dataDir, record);
    }

    /** The command that starts the controller of {@code dataDir} as it ran: {@code ./nw up --data-dir D [--port P]}. */
    static String upCommand(Path dataDir, ControllerRecord record) {
        StringBuilder b = new StringBuilder("./nw up");
        if (!dataDir.normalize().equals(Path.of(DEFAULT_DATA_DIR))) b.append(" --data-dir ").append(dataDir);
        if (record != null && record.port() != ControllerConfig.DEFAULT_PORT) b.append(" --port ").append(record.port());
        return b.toString();
    }

    /** Whether the record's pid is alive and is the process that wrote it (started no later than the record says). */
    static boolean sameProcessAlive(ControllerRecord record) {
        Optional<ProcessHandle> process = ProcessHandle.of(record.pid());
        if (process.isEmpty() || !process.get().isAlive()) return false;
        Optional<Instant> started = process.get().info().startInstant();
        return started.isEmpty() || !started.get().isAfter(record.startedAt().plus(START_SLACK));
    }

    /** Whether {@code host:port} accepts a TCP connection within {@link #CONNECT_TIMEOUT}. */
    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
