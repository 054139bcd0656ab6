package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code -o table} shows az's columns (resource group, location, status, short target) and the agents' health. */
@Tag("e2e")
@Timeout(120)
class TablesTest {
    static TestController c;
    static ScriptedAgent agent;
    static Path config;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        agent = new ScriptedAgent(c, "lab", "vm1", "westeurope", Pcaps.udp(4, 100));
        config = tmp.resolve("config.json");
        CliLogin.login(config, c);
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        c.close();
    }

    static Cli.Run nw(String... args) {
        Cli.Run r = Cli.withConfig(config, args);
        assertEquals(0, r.exit(), r.toString());
        return r;
    }

    /** The cells of a table's data rows (two or more spaces separate cells; an empty last cell is dropped). */
    static List<List<String>> rows(String table) {
        return table.lines().skip(2).map(l -> List.of(l.strip().split(" {2,}"))).toList();
    }

    @Test
    void vmList_table_showsGroupLocationAndAgentHealth() {
        var r = nw("vm", "list", "-o", "table");
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("Name", "ResourceGroup", "Location", "Agent", "LastSeen"), List.of(lines.getFirst().split(" +")), r.out());
        List<String> vm1 = rows(r.out()).getFirst();
        assertEquals(List.of("vm1", "lab", "westeurope", "Connected"), vm1.subList(0, 4), r.out());
        assertTrue(vm1.get(4).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), r.out());
    }

    @Test
    void vmShow_json_carriesTheExtensionsInstanceView() throws Exception {
        JsonNode vm = JSON.readTree(nw("vm", "show", "-g", "lab", "-n", "vm1").out());
        JsonNode status = vm.path("resources").get(0).path("properties").path("instanceView").path("statuses").get(0);
        assertEquals("Connected", status.path("displayStatus").asText(), vm.toString());
        assertTrue(status.hasNonNull("time"), vm.toString());
        var table = nw("vm", "show", "-g", "lab", "-n", "vm1", "-o", "table");
        assertEquals(List.of("vm1", "lab", "westeurope", "Connected"), rows(table.out()).getFirst().subList(0, 4), table.out());
    }

    @Test
    void captureList_table_showsGroupLocationShortTargetAndStatus() {
        nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", "vm1", "-n", "tabled",
                "--storage-account", "netwatcherlocal", "--time-limit", "600");
        try {
            var r = nw("watcher", "packet-capture", "list", "-o", "table");
            assertEquals(List.of("Name", "ResourceGroup", "Location", "Target", "Status", "ProvisioningState"),
                    List.of(r.out().lines().findFirst().orElseThrow().split(" +")), r.out());
            List<String> row = rows(r.out()).stream().filter(l -> l.getFirst().equals("tabled")).findFirst().orElseThrow();
            assertEquals("NetworkWatcherRG", row.get(1), r.out()); // a capture lives in its watcher's group, as in Azure
            assertEquals("westeurope", row.get(2), r.out());
            assertEquals("vm1", row.get(3), r.out());
            assertTrue(List.of("NotStarted", "Running").contains(row.get(4)), r.out());
            assertEquals("Succeeded", row.get(5), r.out());
        } finally {
            nw("watcher", "packet-capture", "delete", "-n", "tabled");
        }
    }
}
