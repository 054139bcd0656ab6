package netwatcher.cli.client;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import netwatcher.cli.discovery.ControllerDiscovery;
import netwatcher.cli.discovery.ControllerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code nw up --data-dir D --port P} in its own process: it records where it listens, the
 * commands find it there, a clean stop (SIGTERM, as Ctrl-C) marks the record stopped, and after a
 * kill -9 the stale record is recognised as not running.
 */
@Timeout(180)
@Tag("external")
class NwUpRecordTest {
    @TempDir
    Path dir;
    @TempDir
    Path logs;

    Process nwUp(int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath, "netwatcher.cli.Main",
                "up", "--data-dir", dir.toString(), "--port", Integer.toString(port), "--no-agent")
                .redirectErrorStream(true).redirectOutput(logs.resolve("nw-up.log").toFile()).start();
    }

    /** Waits until the record of {@link #dir} names a running controller of {@code process}. */
    ControllerRecord awaitRunning(Process process) throws Exception {
        while (process.isAlive()) {
            try {
                if (ControllerDiscovery.find(dir) instanceof ControllerDiscovery.Running r && r.record().pid() == process.pid()) {
                    return r.record();
                }
            } catch (IllegalStateException unreadableYet) {
                // the directory is being created
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nw up exited with " + process.exitValue() + ": "
                + Files.readString(logs.resolve("nw-up.log")));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void nwUp_recordsWhereItIs_marksCleanStop_andAStaleRecordIsNotRunning() throws Exception {
        int port = freePort();
        Process up = nwUp(port);
        try {
            ControllerRecord record = awaitRunning(up);
            assertEquals("https://127.0.0.1:" + port, record.url());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ControllerRecord.file(dir))));
            String token = Files.readString(dir.resolve("admin.token")).strip();
            assertTrue(!Files.readString(ControllerRecord.file(dir)).contains(token), "the token itself is never in the record");
            var list = Cli.run("vm", "list", "--data-dir", dir.toString(), "-o", "tsv");
            assertEquals(0, list.exit(), list.toString());

            up.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook runs
            assertTrue(up.waitFor(60, TimeUnit.SECONDS), "nw up stops on SIGTERM");
            ControllerRecord stopped = ControllerRecord.read(dir).orElseThrow();
            assertNotNull(stopped.stoppedAt(), "a clean stop marks the record");
            var after = Cli.run("vm", "list", "--data-dir", dir.toString());
            assertEquals(ExitCodes.CONNECTION, after.exit(), after.toString());
            assertTrue(after.err().contains("stopped at"), after.err());

            up = nwUp(port); // a stopped record does not keep the next start from running
            awaitRunning(up);
            up.destroyForcibly(); // kill -9: no hook, the record stays "running"
            up.waitFor(30, TimeUnit.SECONDS);
            var stale = assertInstanceOf(ControllerDiscovery.NotRunning.class, ControllerDiscovery.find(dir));
            assertTrue(stale.reason().contains("is gone") && stale.reason().contains("--port " + port), stale.reason());
            for (List<String> command : List.of(List.of("vm", "list"), List.of("watcher", "packet-capture", "show-status", "-n", "x"))) {
                List<String> args = new java.util.ArrayList<>(command);
                args.addAll(List.of("--data-dir", dir.toString()));
                var r = Cli.run(args.toArray(String[]::new));
                assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
                assertTrue(r.err().startsWith("ERROR: ControllerNotRunning: "), r.err());
            }
        } finally {
            up.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
