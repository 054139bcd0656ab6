package netwatcher.cli.discovery;

import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a data directory's record is judged, without a controller: a listening socket of this JVM
 * stands in for the controller's port, this JVM's pid for its process.
 */
@Tag("external")
class ControllerDiscoveryTest {
    @TempDir
    Path dir;

    static ControllerRecord record(int port, long pid, Instant startedAt) {
        return new ControllerRecord("https://127.0.0.1:" + port, "/d/tls/ca.pem", "/d/admin.token", pid, startedAt, "0.1.0", null);
    }

    static Instant thisJvmStart() {
        return ProcessHandle.current().info().startInstant().orElseThrow();
    }

    @Test
    void write_isMode0600AndReadsBack() throws Exception {
        ControllerRecord r = record(9443, 42, Instant.parse("2026-12-03T08:00:00Z"));
        r.write(dir);
        Path file = dir.resolve("controller.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(r, ControllerRecord.read(dir).orElseThrow());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        assertTrue(Files.readString(file).contains("\"startedAt\" : \"2026-12-03T08:00:00Z\""), Files.readString(file));
    }

    @Test
    void find_withoutRecord_isNoRecord() {
        assertInstanceOf(ControllerDiscovery.NoRecord.class, ControllerDiscovery.find(dir));
    }

    @Test
    void find_whenProcessAliveAndPortAnswers_isRunning() throws Exception {
        try (ServerSocket port = new ServerSocket(0)) {
            record(port.getLocalPort(), ProcessHandle.current().pid(), Instant.now()).write(dir);
            var found = assertInstanceOf(ControllerDiscovery.Running.class, ControllerDiscovery.find(dir));
            assertEquals(port.getLocalPort(), found.record().port());
        }
    }

    @Test
    void find_whenMarkedStopped_saysWhenAndHowToStartIt() throws Exception {
        record(9443, ProcessHandle.current().pid(), Instant.now()).stoppedAt(Instant.parse("2026-12-03T09:00:00Z")).write(dir);
        var found = assertInstanceOf(ControllerDiscovery.NotRunning.class, ControllerDiscovery.find(dir));
        assertTrue(found.reason().contains("stopped at 2026-12-03T09:00:00Z"), found.reason());
        assertTrue(found.reason().contains("`./nw up --data-dir " + dir + " --port 9443`"), found.reason());
    }

    @Test
    void find_whenProcessGone_saysTheRecordIsStale() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        record(9443, gone.pid(), Instant.now()).write(dir);
        var found = assertInstanceOf(ControllerDiscovery.NotRunning.class, ControllerDiscovery.find(dir));
        assertTrue(found.reason().contains("process " + gone.pid() + " is gone"), found.reason());
        assertTrue(found.reason().contains("stale"), found.reason());
    }

    @Test
    void find_whenPidWasReusedByALaterProcess_isNotRunning() throws Exception {
        try (ServerSocket port = new ServerSocket(0)) {
            // this JVM started after the record says its controller did: the pid is someone else's now
            record(port.getLocalPort(), ProcessHandle.current().pid(), thisJvmStart().minusSeconds(3600)).write(dir);
            assertInstanceOf(ControllerDiscovery.NotRunning.class, ControllerDiscovery.find(dir));
        }
    }

    @Test
    void find_whenProcessAliveButPortSilent_saysNothingAnswers() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        record(closed, ProcessHandle.current().pid(), Instant.now()).write(dir);
        var found = assertInstanceOf(ControllerDiscovery.NotRunning.class, ControllerDiscovery.find(dir));
        assertTrue(found.reason().contains("nothing answers at 127.0.0.1:" + closed), found.reason());
    }

    @Test
    void find_whenRecordUnreadable_namesTheFile() throws Exception {
        Files.writeString(dir.resolve("controller.json"), "{not json");
        var e = assertThrows(IllegalStateException.class, () -> ControllerDiscovery.find(dir));
        assertTrue(e.getMessage().contains(dir.resolve("controller.json").toString()), e.getMessage());
    }

    @Test
    void upCommand_leavesOutDefaults() {
        assertEquals("./nw up", ControllerDiscovery.upCommand(Path.of(".nw-data"), record(8443, 1, Instant.now())));
        assertEquals("./nw up --data-dir /d --port 9443", ControllerDiscovery.upCommand(Path.of("/d"), record(9443, 1, Instant.now())));
        assertFalse(ControllerDiscovery.upCommand(Path.of("/d"), null).contains("--port"));
    }
}
