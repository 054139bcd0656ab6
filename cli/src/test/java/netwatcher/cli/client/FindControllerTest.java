package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import netwatcher.cli.UpCommand;
import netwatcher.cli.discovery.ControllerRecord;
import netwatcher.cli.lab.LabCommand;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One place to find the controller: a real controller on a non-default data directory and an
 * ephemeral (non-default) port, recorded as {@code nw up} records it, is found by {@code nw}, the lab
 * and the login precedence from the data directory alone; once stopped, each says so at once with the
 * command that starts it.
 */
@Timeout(120)
class FindControllerTest {
    @TempDir
    Path home;
    Path dir;
    Controller controller;
    ControllerRecord record;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createDirectories(home.resolve("elsewhere"));
        controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC());
        assertNotEquals(8443, controller.port());
        record = UpCommand.record(controller, Clock.systemUTC());
        record.write(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (controller != null) controller.close();
    }

    void stopController() throws Exception {
        controller.close();
        controller = null;
        UpCommand.markStopped(dir, record, Clock.systemUTC());
    }

    @Test
    void record_namesUrlCaAndTokenFile_butNeverTheToken() throws Exception {
        String json = Files.readString(ControllerRecord.file(dir));
        assertFalse(json.contains(controller.adminToken()), json);
        ControllerRecord r = ControllerRecord.read(dir).orElseThrow();
        assertEquals(controller.baseUrl(), r.url());
        assertEquals(controller.caFile().toAbsolutePath().toString(), r.caFile());
        assertEquals(dir.resolve("admin.token").toAbsolutePath().toString(), r.tokenFile());
        assertEquals(ProcessHandle.current().pid(), r.pid());
    }

    @Test
    void armCommand_withDataDir_findsTheControllerOnItsPort() {
        var r = Cli.run("watcher", "list", "--data-dir", dir.toString(), "-o", "tsv");
        assertEquals(0, r.exit(), r.toString());
    }

    @Test
    void armCommand_whenControllerStopped_failsAtOnceNamingTheFix() throws Exception {
        stopController();
        var r = Cli.run("vm", "list", "--data-dir", dir.toString());
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
        assertTrue(r.err().startsWith("ERROR: ControllerNotRunning: "), r.err());
        assertTrue(r.err().contains("stopped at"), r.err());
        assertTrue(r.err().contains("./nw up --data-dir " + dir + " --port " + record.port()), r.err());
    }

    @Test
    void armCommand_withDataDirWithoutRecord_saysNoControllerRecordedThere() throws Exception {
        Path empty = Files.createDirectories(home.resolve("empty"));
        var r = Cli.run("vm", "list", "--data-dir", empty.toString());
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
        assertTrue(r.err().contains("./nw up --data-dir " + empty), r.err());
    }

    @Test
    void armCommand_withDataDirAndConfig_isAUsageError() {
        var r = Cli.run("vm", "list", "--data-dir", dir.toString(), "--config", home.resolve("c.json").toString());
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    }

    @Test
    void labUp_findsTheRecordedPort_andSaysAtOnceWhenNothingRuns() throws Exception {
        assertEquals(controller.port(), LabCommand.controller(dir, null).getPort());
        assertEquals(9999, LabCommand.controller(dir, 9999).getPort(), "an explicit --port wins");
        stopController();
        var stopped = assertThrows(IllegalStateException.class, () -> LabCommand.controller(dir, null));
        assertTrue(stopped.getMessage().contains("not running") && stopped.getMessage().contains("./nw up --data-dir " + dir),
                stopped.getMessage());
        Path empty = Files.createDirectories(home.resolve("never"));
        var never = assertThrows(IllegalStateException.class, () -> LabCommand.controller(empty, null));
        assertTrue(never.getMessage().contains("no controller has run with " + empty), never.getMessage());
    }

    @Test
    void precedence_explicitFlags_thenLogin_thenDefaultDataDir() throws Exception {
        // the controller's directory becomes the default one: .nw-data in the netwatcher home
        controller.close();
        controller = null;
        Path defaultDir = home.resolve(".nw-data");
        Files.move(dir, defaultDir);
        controller = Controller.start(ControllerConfig.load(defaultDir, 0), Clock.systemUTC());
        UpCommand.record(controller, Clock.systemUTC()).write(defaultDir);
        Path login = home.resolve("login.json");
        new ClientConfig("https://login.example:1", "t", null, null, null, null, null).save(login);
        Map<String, String> withLogin = Map.of("NW_CONFIG", login.toString());
        Map<String, String> noLogin = Map.of("NW_CONFIG", home.resolve("none.json").toString());
        String before = System.getProperty("nw.home");
        System.setProperty("nw.home", home.toString());
        try {
            assertEquals(controller.baseUrl(), LoginResolver.resolve(null, null, noLogin).endpoint(), "the default data directory's record");
            assertEquals(controller.adminToken(), LoginResolver.resolve(null, null, noLogin).token());
            assertEquals("https://login.example:1", LoginResolver.resolve(null, null, withLogin).endpoint(), "a login beats the record");
            assertEquals(controller.baseUrl(), LoginResolver.resolve(defaultDir, null, withLogin).endpoint(), "--data-dir beats the login");
            assertEquals("https://login.example:1", LoginResolver.resolve(null, login, noLogin).endpoint(), "--config names the login");
        } finally {
            if (before == null) System.clearProperty("nw.home");
            else System.setProperty("nw.home", before);
        }
    }
}
