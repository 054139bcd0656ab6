package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netwatcher.cli.Main;
import netwatcher.lab.LabExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code nw vm list -o table} and {@code nw watcher packet-capture list -o table} on the lab, with real
 * agents: each lab VM's row shows its resource group, location and agent health, a stopped agent shows
 * Disconnected with when it was last seen, and a real capture's row its short target and status.
 */
@Tag("netns")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabCliTablesTest {
    static final LabWorld.DeferredLauncher AGENTS = new LabWorld.DeferredLauncher();

    @RegisterExtension
    static final LabExtension LAB = LabExtension.defaultLab().withAgentsStopped(AGENTS);

    static LabWorld world;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        // a lost agent counts as disconnected one second after its connection ends
        world = LabWorld.start(LAB.lab(), AGENTS, Map.of("agent-lost-seconds", "1"));
        config = Files.createTempFile("nwit-cli-", ".json");
        Files.writeString(config, "{\"endpoint\":\"" + world.baseUrl() + "\",\"token\":\"" + world.token + "\",\"caFile\":\""
                + world.controller.caFile() + "\"}");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (world != null) world.close();
        } finally {
            if (config != null) Files.deleteIfExists(config);
        }
    }

    static String nw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        int exit = cl.execute(all);
        assertEquals(0, exit, out + "\n" + err);
        return out.toString();
    }

    static Optional<List<String>> row(String table, String name) {
        return table.lines().skip(2).map(l -> List.of(l.strip().split(" {2,}"))).filter(r -> r.getFirst().equals(name)).findFirst();
    }

    @Test
    @Order(1)
    void vmList_showsEveryLabVmConnectedWithGroupAndLocation() {
        String table = nw("vm", "list", "-o", "table");
        for (String host : List.of("app", "db")) {
            List<String> r = row(table, host).orElseThrow(() -> new AssertionError("no row for " + host + ":\n" + table));
            assertEquals("Connected", r.get(3), table);
            assertTrue(r.size() == 5 && r.get(4).endsWith("Z"), table);
            assertEquals(world.vmId(host).split("/")[4], r.get(1), table);
        }
    }

    @Test
    @Order(2)
    void captureList_showsTheTargetVmAndItsStatus() throws Exception {
        world.createCapture("tabled", "db", """
                {"timeLimitInSeconds":60,"storageLocation":{"filePath":"/var/captures/tabled.cap"}}""");
        try {
            world.awaitRunning("tabled");
            String table = nw("watcher", "packet-capture", "list", "-o", "table");
            List<String> r = row(table, "tabled").orElseThrow(() -> new AssertionError(table));
            assertEquals("db", r.get(3), table);
            assertEquals("Running", r.get(4), table);
        } finally {
            world.deleteCapture("tabled");
        }
    }

    @Test
    @Order(3)
    void vmList_whenAnAgentIsStopped_showsItDisconnectedWithLastSeen() throws Exception {
        LAB.lab().stopAgent("app");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String table = nw("vm", "list", "-o", "table");
            while (!row(table, "app").orElseThrow().get(3).equals("Disconnected") && System.nanoTime() < deadline) {
                Thread.sleep(500);
                table = nw("vm", "list", "-o", "table");
            }
            List<String> app = row(table, "app").orElseThrow();
            assertEquals("Disconnected", app.get(3), table);
            assertTrue(app.get(4).endsWith("Z"), table);
            assertEquals("Connected", row(table, "db").orElseThrow().get(3), table);
        } finally {
            LAB.lab().startAgent("app");
        }
    }
}
