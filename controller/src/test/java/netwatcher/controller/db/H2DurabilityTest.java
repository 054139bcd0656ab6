package netwatcher.controller.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database keeps what it acknowledged: a child JVM commits, the test kills it with
 * SIGKILL the moment the commit has returned (no shutdown hooks, no H2 close), and a fresh open
 * must find the rows.
 */
@Tag("external")
class H2DurabilityTest {

    @TempDir
    Path dataDir;

    @Test
    void commit_whenJvmKilledRightAfter_rowsSurviveReopen() throws Exception {
        List<UUID> committed = commitInChildAndKill(List.of());

        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            List<String> names = new ArrayList<>();
            for (UUID id : committed) {
                names.add(db.queryOne("SELECT name FROM dbtest_item WHERE id = ?", row -> row.getString("name"), id)
                        .orElse("<lost " + id + ">"));
            }
            assertEquals(List.of("auto", "tx"), names);
        }
    }

    /**
     * Control: the same kill with H2's write delay at 60 s (any non-zero value behaves alike) loses
     * the acknowledged commit, so the test above can fail and WRITE_DELAY=0 is what makes it pass.
     */
    @Test
    void commit_whenWriteDelayIsNotZero_isLostOnKill() throws Exception {
        List<UUID> committed = commitInChildAndKill(List.of("60000"));

        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            for (UUID id : committed) {
                assertTrue(db.queryOne("SELECT id FROM dbtest_item WHERE id = ?", row -> row.getUuid("id"), id)
                        .isEmpty(), "with a write delay the commit of " + id + " should not have reached the file");
            }
        }
    }

    @Test
    void commit_whenKilledRepeatedly_neverLosesAnAcknowledgedRow() throws Exception {
        List<UUID> all = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            all.addAll(commitInChildAndKill(List.of()));
        }

        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            for (UUID id : all) {
                assertTrue(db.queryOne("SELECT id FROM dbtest_item WHERE id = ?", row -> row.getUuid("id"), id)
                        .isPresent(), "row " + id + " was acknowledged but is gone");
            }
        }
    }

    @Test
    void embedded_writeDelaySettingIsZeroInTheDatabase() {
        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            assertEquals("0", db.queryOne("SELECT setting_value FROM information_schema.settings"
                    + " WHERE setting_name = 'WRITE_DELAY'", row -> row.getString("setting_value")).orElseThrow());
        }
    }

    @Test
    void embedded_createsTheDatabaseUnderState() {
        try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
            assertEquals(Dialect.H2, db.dialect());
        }

        assertTrue(Files.isRegularFile(dataDir.resolve("state/netwatcher.mv.db")));
    }

    /** Runs {@link DurabilityChild}, waits for its COMMITTED line, SIGKILLs it, returns the committed ids. */
    private List<UUID> commitInChildAndKill(List<String> extraArgs) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                DurabilityChild.class.getName(), dataDir.toString()));
        command.addAll(extraArgs);
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String committed = null;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("COMMITTED ")) {
                    committed = line;
                    break;
                }
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no H2 close
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            assertEquals(137, child.exitValue(), "child must be killed by SIGKILL, not exit on its own");
            assertNotNull(committed, "child never reported a commit");
            String[] parts = committed.split(" ");
            return List.of(UUID.fromString(parts[1]), UUID.fromString(parts[2]));
        } finally {
            child.destroyForcibly();
        }
    }
}
