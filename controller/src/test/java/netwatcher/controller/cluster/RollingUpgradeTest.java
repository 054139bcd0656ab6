package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import netwatcher.controller.ControllerChild;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import netwatcher.pki.CertificateAuthority;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade for real: controller processes of version N (today's migrations) and N+1 (today's plus the
 * next release's: an expand migration adding a table, a column and an index, and a contract migration removing
 * an index N's queries use) on one PostgreSQL database, side by side, serving reads and writes of the same
 * resources. N+1's contract waits while N runs (N even restarts on the expanded database), and is applied by
 * N+1 once N's last heartbeat is older than the liveness window (30 s); N is refused after that.
 */
@Tag("external")
class RollingUpgradeTest {
    private static final String V = "?api-version=2025-05-01";
    /** The next release's migrations, on N+1's class path only. */
    private static final String EXPAND = """
            -- the next release: watcher notes (a new table), a per-watcher note column and its index
            CREATE TABLE nw_watcher_note (watcher_key VARCHAR(64) NOT NULL PRIMARY KEY, note VARCHAR(200) NOT NULL);
            ALTER TABLE nw_watcher ADD COLUMN next_note VARCHAR(200);
            CREATE INDEX nw_watcher_next_note ON nw_watcher (next_note);
            """;
    private static final String CONTRACT = """
            -- contract: the next release lists watchers without the group index, which N's list query uses
            DROP INDEX nw_watcher_group;
            """;

    record Child(Process process, String baseUrl, String sub) {}

    @Test
    void versionsNAndNPlus1_runSideBySide_andTheContractWaitsForNToGo() throws Exception {
        Path root = Files.createTempDirectory("nwupgrade");
        List<Process> processes = new ArrayList<>();
        try (TestDatabase pg = TestDatabase.create(Dialect.POSTGRESQL)) {
            Path ca = root.resolve("ca");
            CertificateAuthority.loadOrCreate(ca, "upgrade test CA", Clock.systemUTC());
            Path dirN = root.resolve("n"), dirN1 = root.resolve("n1");
            ClusterDirectory.prepare(dirN, ca, pg, Map.of());
            ClusterDirectory.prepare(dirN1, ca, pg, Map.of());
            Path next = root.resolve("next-release");
            Files.createDirectories(next.resolve("db/migration/watchers"));
            Files.writeString(next.resolve("db/migration/watchers/V2__watcher_notes.sql"), EXPAND);
            Files.writeString(next.resolve("db/migration/watchers/V3__drop_watcher_group_index.sql"), CONTRACT);

            Child n = start(dirN, null, root.resolve("n.log"), processes);
            Child n1 = start(dirN1, next, root.resolve("n1.log"), processes);
            assertEquals(n.sub(), n1.sub());
            Path holder = Files.exists(dirN.resolve("admin.token")) ? dirN : dirN1;
            TestController onN = new TestController(holder, n.baseUrl(), n.sub());
            TestController onN1 = new TestController(holder, n1.baseUrl(), n1.sub());
            try (Database db = pg.open()) {
                assertEquals(List.of("watchers/2/EXPAND"), history(db, "watchers", 2), "N+1 expanded the database");
                assertEquals(List.of(), history(db, "watchers", 3), "the contract waits: N is alive");
            }

            // both serve reads and writes of the same resources
            String w = "/subscriptions/" + n.sub() + "/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers/w1" + V;
            assertEquals(201, onN.send("PUT", w, "{\"location\":\"eastus\",\"tags\":{\"by\":\"N\"}}").status());
            assertEquals("N", onN1.send("GET", w, null).json().path("tags").path("by").asText());
            assertEquals(200, onN1.send("PUT", w, "{\"location\":\"eastus\",\"tags\":{\"by\":\"N+1\"}}").status());
            assertEquals("N+1", onN.send("GET", w, null).json().path("tags").path("by").asText());
            TestAgent agent = new TestAgent(onN, "lab", "vmup", "westeurope");
            String nw = "/subscriptions/" + n.sub() + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
            var created = onN1.send("PUT", nw + "/packetCaptures/up1" + V, captureBody(agent.vmId));
            assertEquals(201, created.status(), created.body());
            assertEquals(200, onN.send("GET", nw + "/packetCaptures/up1" + V, null).status());
            var list = onN.send("GET", "/subscriptions/" + n.sub() + "/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers" + V, null);
            assertEquals(1, list.json().path("value").size(), list.body());

            // N restarts mid-upgrade (a node rebooted): it runs on the expanded database
            n.process().destroy();
            assertTrue(n.process().waitFor(30, TimeUnit.SECONDS));
            n = start(dirN, null, root.resolve("n-again.log"), processes);
            onN = new TestController(holder, n.baseUrl(), n.sub());
            assertEquals(200, onN.send("GET", nw + "/packetCaptures/up1" + V, null).status());
            try (Database db = pg.open()) {
                assertEquals(List.of(), history(db, "watchers", 3), "the contract still waits");
            }

            // N is gone (stopped cleanly): once its last heartbeat is 30 s old, N+1's heartbeat applies the contract
            n.process().destroy();
            assertTrue(n.process().waitFor(30, TimeUnit.SECONDS));
            try (Database db = pg.open()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (history(db, "watchers", 3).isEmpty() && System.nanoTime() < deadline) Thread.sleep(200);
                assertEquals(List.of("watchers/3/CONTRACT"), history(db, "watchers", 3));
            }
            assertEquals("N+1", onN1.send("GET", w, null).json().path("tags").path("by").asText(), "N+1 serves after its contract");
            assertEquals(1, onN1.send("GET", "/subscriptions/" + n.sub() + "/resourceGroups/rg1/providers/Microsoft.Network/networkWatchers" + V, null)
                    .json().path("value").size());

            // and N may not come back
            Process refused = launch(dirN, null, root.resolve("n-refused.log"), processes);
            assertTrue(refused.waitFor(60, TimeUnit.SECONDS), "N exits");
            assertNotEquals(0, refused.exitValue());
            String log = Files.readString(root.resolve("n-refused.log"));
            assertTrue(log.contains("watchers V3") && log.contains("contract migration"), log);
        } finally {
            for (Process p : processes) p.destroyForcibly().waitFor();
            try (var walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> history(Database db, String feature, int version) {
        return db.appliedMigrations().stream().filter(m -> m.feature().equals(feature) && m.version() == version)
                .map(m -> m.feature() + "/" + m.version() + "/" + (m.phase() == null ? "null" : m.phase().name())).toList();
    }

    private static String captureBody(String target) {
        return """
                {"properties":{"target":"%s","bytesToCapturePerPacket":96,"timeLimitInSeconds":60,
                 "storageLocation":{"filePath":"/var/captures/pc.cap"}}}""".formatted(target);
    }

    /** A controller process; {@code nextRelease} (a class path root with the next release's migrations) makes it N+1. */
    private static Process launch(Path dir, Path nextRelease, Path log, List<Process> processes) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", classPath(nextRelease), ControllerChild.class.getName(), dir.toString())
                .redirectError(log.toFile()).start();
        processes.add(p);
        return p;
    }

    private static Child start(Path dir, Path nextRelease, Path log, List<Process> processes) {
        ControllerChild.Started s = ControllerChild.start(dir, List.of(), classPath(nextRelease), log);
        processes.add(s.process());
        return new Child(s.process(), s.baseUrl(), s.subscription());
    }

    /** This JVM's class path, behind {@code nextRelease} (the next release's migrations) when given. */
    private static String classPath(Path nextRelease) {
        return (nextRelease == null ? "" : nextRelease + File.pathSeparator) + System.getProperty("java.class.path");
    }
}
