package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** login/logout, vm and watcher lists, output formats and the documented exit codes, against a real controller. */
@Tag("e2e")
@Timeout(120)
class LoginAndOutputTest {
    static TestController c;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        new TestAgent(c, "lab", "vm1", "westeurope");
        new TestAgent(c, "lab", "vm2", "westeurope");
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    Path login() {
        Path config = tmp.resolve("nw/config.json");
        var r = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl() + "/", "--token", c.token,
                "--ca-file", c.controller.caFile().toString());
        assertEquals(0, r.exit(), r.toString());
        return config;
    }

    @Test
    void login_withToken_storesConfigMode0600WithSubscription() throws Exception {
        Path config = login();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())));
        JsonNode stored = JSON.readTree(config.toFile());
        assertEquals(c.controller.baseUrl(), stored.path("endpoint").asText());
        assertEquals(c.sub, stored.path("subscription").asText());
        assertEquals(c.token, stored.path("token").asText());

        var logout = Cli.run("logout", "--config", config.toString());
        assertEquals(0, logout.exit(), logout.toString());
        assertFalse(Files.exists(config));
    }

    @Test
    void login_withServicePrincipal_fetchesTokenFromAdfsEndpoint() throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"cli\"}").json();
        String clientId = sp.path("clientId").asText();
        var role = c.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"Reader\",\"scope\":\"/subscriptions/" + c.sub + "\"}");
        assertEquals(201, role.status(), role.body());
        Path config = tmp.resolve("sp.json");
        var r = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--service-principal",
                "--client-id", clientId, "--client-secret", sp.path("clientSecret").asText(), "--ca-file", c.controller.caFile().toString());
        assertEquals(0, r.exit(), r.toString());
        assertFalse(JSON.readTree(config.toFile()).has("token"));
        var vms = Cli.run("vm", "list", "--config", config.toString(), "--query", "[].name");
        assertEquals(0, vms.exit(), vms.toString());
        assertEquals(java.util.Set.of("vm1", "vm2"), java.util.Set.of(JSON.readValue(vms.out(), String[].class)), vms.out());

        var bad = Cli.run("login", "--config", tmp.resolve("bad.json").toString(), "--endpoint", c.controller.baseUrl(), "--service-principal",
                "--client-id", clientId, "--client-secret", "wrong", "--ca-file", c.controller.caFile().toString());
        assertEquals(ExitCodes.AUTH, bad.exit(), bad.toString());
        assertFalse(Files.exists(tmp.resolve("bad.json")));
    }

    @Test
    void login_withBadToken_exitsAuth() {
        var r = Cli.run("login", "--config", tmp.resolve("c.json").toString(), "--endpoint", c.controller.baseUrl(), "--token", "nope",
                "--ca-file", c.controller.caFile().toString());
        assertEquals(ExitCodes.AUTH, r.exit(), r.toString());
        assertTrue(r.err().startsWith("ERROR: "), r.err());
    }

    @Test
    void anyCommand_whenEndpointUnreachable_exitsConnection() {
        var r = Cli.run("login", "--config", tmp.resolve("c.json").toString(), "--endpoint", "https://127.0.0.1:1", "--token", "t");
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
        assertTrue(r.err().contains("ConnectionFailed"), r.err());
    }

    @Test
    void anyCommand_whenCaNotTrusted_exitsConnection() throws Exception {
        Path config = tmp.resolve("noca.json");
        Files.writeString(config, "{\"endpoint\":\"" + c.controller.baseUrl() + "\",\"token\":\"" + c.token + "\"}");
        var r = Cli.run("vm", "list", "--config", config.toString());
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
    }

    @Test
    void usageErrors_exitUsage() {
        Path config = login();
        assertEquals(ExitCodes.USAGE, Cli.run("vm", "show", "--config", config.toString()).exit());
        assertEquals(ExitCodes.USAGE, Cli.run("watcher", "packet-capture", "create", "--vm", "vm1").exit());
        var noStorage = Cli.run("watcher", "packet-capture", "create", "--vm", "vm1", "-n", "x", "--config", config.toString());
        assertEquals(ExitCodes.USAGE, noStorage.exit(), noStorage.toString());
        assertEquals(ExitCodes.USAGE, Cli.run("vm", "list", "-o", "xml", "--config", config.toString()).exit());
        var badFilters = Cli.run("watcher", "packet-capture", "create", "--vm", "vm1", "-n", "x", "--file-path", "/var/captures/x.cap",
                "--filters", "{oops", "--config", config.toString());
        assertEquals(ExitCodes.USAGE, badFilters.exit(), badFilters.toString());
    }

    @Test
    void vmShow_whenMissing_exitsNotFoundWithArmCode() {
        Path config = login();
        var r = Cli.run("vm", "show", "-g", "lab", "-n", "nosuchvm", "--config", config.toString());
        assertEquals(ExitCodes.NOT_FOUND, r.exit(), r.toString());
        assertTrue(r.err().startsWith("ERROR: ResourceNotFound: ") || r.err().startsWith("ERROR: NotFound: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void vmListAndShow_inEachFormat() throws Exception {
        Path config = login();
        JsonNode list = JSON.readTree(Cli.run("vm", "list", "-g", "lab", "--config", config.toString()).out());
        assertEquals(2, list.size(), list.toString());
        String id = list.get(0).path("id").asText();
        assertTrue(id.contains("/providers/Microsoft.Compute/virtualMachines/"), id);

        JsonNode byId = JSON.readTree(Cli.run("vm", "show", "--ids", id, "--config", config.toString()).out());
        assertEquals(id, byId.path("id").asText());
        var byName = Cli.run("vm", "show", "-g", "lab", "-n", "vm2", "--query", "location", "--config", config.toString());
        assertEquals("\"westeurope\"\n", byName.out());
        var tsv = Cli.run("vm", "list", "--query", "[-1].name", "-o", "tsv", "--config", config.toString());
        assertEquals("vm2\n", tsv.out(), tsv.toString());
        var missing = Cli.run("vm", "list", "--query", "[5].name", "--config", config.toString());
        assertEquals("null\n", missing.out());

        var table = Cli.run("vm", "list", "-o", "table", "--config", config.toString());
        assertEquals(0, table.exit(), table.toString());
        var lines = table.out().lines().toList();
        assertTrue(lines.get(0).startsWith("Name"), table.out());
        assertTrue(lines.get(1).matches("-+( +-+)*"), table.out());
        assertEquals(4, lines.size(), table.out());

        var yaml = Cli.run("vm", "list", "-o", "yaml", "--config", config.toString());
        assertTrue(yaml.out().startsWith("- "), yaml.out());
        assertTrue(yaml.out().contains("\n  location: westeurope\n"), yaml.out());

        var watchers = Cli.run("watcher", "list", "--query", "[0].location", "-o", "tsv", "--config", config.toString());
        assertEquals("westeurope\n", watchers.out(), watchers.toString());
    }

    @Test
    void help_listsExitCodesAndExamples() {
        var top = Cli.run("--help");
        assertTrue(top.out().contains("Exit codes: 0 ok"), top.out());
        assertTrue(top.out().contains("watcher"), top.out());
        var create = Cli.run("watcher", "packet-capture", "create", "--help");
        assertTrue(create.out().contains("Examples:"), create.out());
        assertTrue(create.out().contains("--capture-limit"), create.out());
    }

    @Test
    void help_everyArmCommandHasExamplesThatFitTheScreen() {
        java.util.List<picocli.CommandLine> leaves = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(netwatcher.cli.Main.commandLine()));
        while (!todo.isEmpty()) {
            picocli.CommandLine cl = todo.pop();
            if (cl.getCommand() instanceof ArmCommand) leaves.add(cl);
            todo.addAll(cl.getSubcommands().values());
        }
        assertEquals(21, leaves.size(), "login, logout, vm list/show, vmss list/show/list-instances, watcher list, 10 packet-capture verbs"
                + " (create, list, show, show-status, stop, snapshot, delete, download, watch, stream), 3 checks");
        for (picocli.CommandLine cl : leaves) {
            String usage = cl.getUsageMessage();
            String name = cl.getCommandSpec().qualifiedName();
            assertTrue(usage.contains("Examples:"), name);
            String examples = usage.substring(usage.indexOf("Examples:") + "Examples:".length());
            for (String line : examples.lines().filter(l -> !l.isBlank()).toList()) {
                // picocli continues a wrapped footer line at column 0; every example line is indented
                assertTrue(line.startsWith("  "),
                        name + ": a wrapped example line: '" + line + "'");
            }
        }
    }
}
