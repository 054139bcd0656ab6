package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import netwatcher.controller.TestController;
import netwatcher.model.check.CheckReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * test-connectivity, show-next-hop and test-ip-flow against a real controller over HTTPS, with
 * protocol-level agents that play their parts in the checks (interim progress included).
 */
@Tag("e2e")
@Timeout(120)
class ConnectivityCommandsTest {
    static TestController c;
    static ScriptedChecker app;
    static ScriptedChecker fw1;
    static ScriptedChecker db;
    static Path config;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        app = new ScriptedChecker(c, "lab", "app", "westeurope", "198.18.1.10", Duration.ofMillis(150));
        fw1 = new ScriptedChecker(c, "lab", "fw1", "westeurope", "198.18.1.1", Duration.ofMillis(150));
        db = new ScriptedChecker(c, "lab", "db", "westeurope", "198.18.3.10", Duration.ofMillis(150));
        app.path = List.of("198.18.1.1", "198.18.3.10");
        config = tmp.resolve("config.json");
        var login = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                "--ca-file", c.controller.caFile().toString());
        assertEquals(0, login.exit(), login.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        for (ScriptedChecker a : List.of(app, fw1, db)) a.close();
        c.close();
    }

    static Cli.Run nw(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        return Cli.run(all);
    }

    static JsonNode json(Cli.Run r) throws Exception {
        assertEquals(0, r.exit(), r.toString());
        return JSON.readTree(r.out());
    }

    @Test
    void testConnectivity_vmToVm_printsConnectivityInformationAndPlainProgress() throws Exception {
        var run = nw("watcher", "test-connectivity", "-g", "lab", "--source-resource", "app", "--dest-resource", "db", "--dest-port", "5432");
        JsonNode info = json(run);
        assertEquals("Reachable", info.path("connectionStatus").asText(), run.toString());
        assertEquals(100, info.path("probesSent").asInt());
        assertEquals(0, info.path("probesFailed").asInt());
        assertEquals("Source", info.path("hops").get(0).path("type").asText());
        assertEquals("198.18.3.10", info.path("hops").get(info.path("hops").size() - 1).path("address").asText(), run.toString());

        // not a terminal: plain lines, no escape codes, ending with the result
        assertFalse(run.err().contains("\033"), run.err());
        List<String> lines = run.err().lines().toList();
        assertTrue(lines.size() >= 2, run.toString());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("check db ")), run.err());
        assertTrue(lines.stream().anyMatch(l -> l.matches("check db (observing|probing|finishing) \\d+%.*")), run.err());
        assertEquals("check db done Reachable 100% probes=100 failed=0 hops=198.18.1.1,198.18.3.10", lines.getLast(), run.err());
    }

    @Test
    void testConnectivity_toAddress_formatsAndQuery() throws Exception {
        var yaml = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10", "--dest-port", "22",
                "-o", "yaml", "--no-progress");
        assertEquals(0, yaml.exit(), yaml.toString());
        assertTrue(yaml.out().contains("connectionStatus: Reachable"), yaml.out());
        assertEquals("", yaml.err(), "--no-progress prints nothing on stderr");

        var table = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10", "-o", "table",
                "--no-progress");
        assertEquals(0, table.exit(), table.toString());
        // one row per hop (#, type, host, address, RTT, issues), then status and probe counts
        List<String> rows = table.out().lines().toList();
        assertTrue(rows.get(0).matches("#\\s+Type\\s+Host\\s+Address\\s+RTT\\s+Issues"), table.out());
        assertTrue(rows.get(1).startsWith("-"), table.out());
        assertTrue(rows.get(2).matches("1\\s+Source\\s+app\\s+198\\.18\\.1\\.10"), table.out());
        assertTrue(rows.get(3).matches("2\\s+VirtualAppliance\\s+fw1\\s+198\\.18\\.1\\.1\\s+0 ms"), table.out());
        assertTrue(rows.get(4).matches("3\\s+VnetLocal\\s+db\\s+198\\.18\\.3\\.10\\s+0 ms"), table.out());
        assertTrue(table.out().contains("\nStatus: Reachable\nProbes: 100 sent, 0 failed; latency min/avg/max 1/2/4 ms\n"), table.out());

        var tsv = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10",
                "--protocol", "icmp", "--query", "connectionStatus", "-o", "tsv", "--no-progress");
        assertEquals(0, tsv.exit(), tsv.toString());
        assertEquals("Reachable\n", tsv.out());
    }

    @Test
    void testConnectivity_httpOptions_reachTheCheckAsHttpConfiguration() throws Exception {
        var run = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "http://198.18.3.10/health",
                "--protocol", "Http", "--method", "Get", "--headers", "Accept=text/html", "X-Probe=nw", "--valid-status-codes", "200", "301",
                "--no-progress");
        JsonNode info = json(run);
        assertEquals("Reachable", info.path("connectionStatus").asText(), run.toString());
    }

    @Test
    void testConnectivity_badInput_exitCodes() {
        var unknownVm = nw("watcher", "test-connectivity", "-g", "lab", "--source-resource", "nosuch", "--dest-address", "198.18.3.10");
        assertEquals(ExitCodes.NOT_FOUND, unknownVm.exit(), unknownVm.toString());
        assertTrue(unknownVm.err().startsWith("ERROR: "), unknownVm.err());

        var unknownByName = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-resource", "nosuch");
        assertEquals(ExitCodes.NOT_FOUND, unknownByName.exit(), unknownByName.toString());
        assertTrue(unknownByName.err().contains("no virtual machine named 'nosuch'"), unknownByName.err());

        var badProtocol = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10", "--protocol", "Sctp");
        assertEquals(ExitCodes.USAGE, badProtocol.exit(), badProtocol.toString());
        assertTrue(badProtocol.err().contains("--protocol must be one of Tcp, Http, Https, Icmp"), badProtocol.err());

        var twoDestinations = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10",
                "--dest-resource", "db");
        assertEquals(ExitCodes.USAGE, twoDestinations.exit(), twoDestinations.toString());

        var httpOnTcp = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10",
                "--protocol", "Tcp", "--valid-status-codes", "200");
        assertEquals(ExitCodes.USAGE, httpOnTcp.exit(), httpOnTcp.toString());

        // refused by the endpoint (400): a port with Icmp
        var refused = nw("watcher", "test-connectivity", "--source-resource", "app", "--dest-address", "198.18.3.10",
                "--protocol", "Icmp", "--dest-port", "80");
        assertEquals(ExitCodes.REFUSED, refused.exit(), refused.toString());
        assertTrue(refused.err().startsWith("ERROR: InvalidParameter: "), refused.err());

        var missing = nw("watcher", "test-connectivity", "--dest-address", "198.18.3.10");
        assertEquals(ExitCodes.USAGE, missing.exit(), missing.toString());
    }

    @Test
    void showNextHop_printsTheAgentsRoute() throws Exception {
        var run = nw("watcher", "show-next-hop", "-g", "lab", "--vm", "app", "--source-ip", "198.18.1.10", "--dest-ip", "198.19.0.1");
        JsonNode nh = json(run);
        assertEquals("VirtualAppliance", nh.path("nextHopType").asText(), run.toString());
        assertEquals("198.18.1.1", nh.path("nextHopIpAddress").asText());
        assertEquals("System Route", nh.path("routeTableId").asText());

        var table = nw("watcher", "show-next-hop", "--vm", "app", "--source-ip", "198.18.1.10", "--dest-ip", "198.19.0.1",
                "--nic", "app-eth0", "-o", "table");
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().lines().findFirst().orElse("").contains("NextHopType"), table.out());

        var badIp = nw("watcher", "show-next-hop", "--vm", "app", "--source-ip", "app", "--dest-ip", "198.19.0.1");
        assertEquals(ExitCodes.USAGE, badIp.exit(), badIp.toString());
        var unknown = nw("watcher", "show-next-hop", "--vm", "nosuch", "--source-ip", "198.18.1.10", "--dest-ip", "198.19.0.1");
        assertEquals(ExitCodes.NOT_FOUND, unknown.exit(), unknown.toString());
    }

    @Test
    void showNextHop_whenTheAgentNeverAnswers_exits6WithAgentStopped() throws Exception {
        // registered, but nothing plays its orders: the controller gives up after its agent wait (20 s)
        new netwatcher.controller.TestAgent(c, "lab", "off", "westeurope", List.of("198.18.4.10/24"));
        var run = nw("watcher", "show-next-hop", "-g", "lab", "--vm", "off", "--source-ip", "198.18.4.10", "--dest-ip", "198.19.0.1");
        assertEquals(ExitCodes.OPERATION_FAILED, run.exit(), run.toString());
        assertTrue(run.err().startsWith("ERROR: AgentStopped: "), run.err());
    }

    @Test
    void testConnectivity_whenTheSourceAgentIsNotConnected_exits6AtOnceNamingTheVm() throws Exception {
        // registered, never connected: the check cannot run, and says so at once rather than probing nothing
        new netwatcher.controller.TestAgent(c, "lab", "gone", "westeurope", List.of("198.18.5.10/24"));
        var run = nw("watcher", "test-connectivity", "-g", "lab", "--source-resource", "gone", "--dest-address", "198.18.3.10",
                "--dest-port", "1433", "--no-progress");
        assertEquals(ExitCodes.OPERATION_FAILED, run.exit(), run.toString());
        assertTrue(run.err().startsWith("ERROR: AgentStopped: "), run.err());
        assertTrue(run.err().contains("virtual machine gone"), run.err());
    }

    @Test
    void testIpFlow_printsVerdictAndRule() throws Exception {
        db.verdict = new CheckReport.Verdict("Deny", "UserRule_Db", Map.of());
        var run = nw("watcher", "test-ip-flow", "-g", "lab", "--vm", "db", "--direction", "Inbound", "--protocol", "TCP",
                "--local", "198.18.3.10:5432", "--remote", "198.18.1.10:60000");
        JsonNode v = json(run);
        assertEquals("Deny", v.path("access").asText(), run.toString());
        assertEquals("UserRule_Db", v.path("ruleName").asText());

        var query = nw("watcher", "test-ip-flow", "--vm", "db", "--direction", "outbound", "--protocol", "udp",
                "--local", "198.18.3.10:5353", "--remote", "198.18.1.10:*", "--query", "access", "-o", "tsv");
        assertEquals(0, query.exit(), query.toString());
        assertEquals("Deny\n", query.out());

        var badDirection = nw("watcher", "test-ip-flow", "--vm", "db", "--direction", "Sideways", "--protocol", "TCP",
                "--local", "198.18.3.10:80", "--remote", "198.18.1.10:1");
        assertEquals(ExitCodes.USAGE, badDirection.exit(), badDirection.toString());
        var badLocal = nw("watcher", "test-ip-flow", "--vm", "db", "--direction", "Inbound", "--protocol", "TCP",
                "--local", "198.18.3.10", "--remote", "198.18.1.10:1");
        assertEquals(ExitCodes.USAGE, badLocal.exit(), badLocal.toString());
        assertTrue(badLocal.err().contains("--local must be IP:PORT"), badLocal.err());
    }

    @Test
    void help_hasExamples() {
        for (String cmd : List.of("test-connectivity", "show-next-hop", "test-ip-flow")) {
            var help = Cli.run("watcher", cmd, "--help");
            assertEquals(0, help.exit(), help.toString());
            assertTrue(help.out().contains("Examples:") && help.out().contains("  nw watcher " + cmd), help.out());
        }
    }
}
