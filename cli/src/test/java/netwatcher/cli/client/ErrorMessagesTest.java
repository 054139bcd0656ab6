package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each common mistake gets a message that names its fix, with the documented exit code and no raw
 * Java exception text: a missing CA, a wrong port, plain http to the TLS port, an untrusted
 * certificate, a wrong token, a principal without a role, a missing download directory, and a
 * capture name held by two watchers. Against a real controller over HTTPS.
 */
@Tag("e2e")
@Timeout(120)
class ErrorMessagesTest {
    static TestController c;
    static ScriptedAgent west;
    static ScriptedAgent east;
    static Path config;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        west = new ScriptedAgent(c, "lab", "vm1", "westeurope", Pcaps.udp(4, 100));
        east = new ScriptedAgent(c, "lab", "vm2", "eastus", Pcaps.udp(4, 100));
        config = tmp.resolve("config.json");
        CliLogin.login(config, c);
    }

    @AfterAll
    static void stop() throws Exception {
        west.close();
        east.close();
        c.close();
    }

    static Cli.Run nw(String... args) {
        return Cli.withConfig(config, args);
    }

    /** No Java exception class names or stack frames reach the user. */
    static void assertNoJavaText(Cli.Run r) {
        assertFalse(r.err().matches("(?s).*(Exception|java\\.|javax\\.|\\tat ).*"), r.toString());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void login_whenCaFileMissing_namesWhereTheCaIs() {
        var r = Cli.run("login", "--config", tmp.resolve("x.json").toString(), "--endpoint", c.controller.baseUrl(),
                "--token", c.token, "--ca-file", tmp.resolve("missing/ca.pem").toString());
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("--ca-file FILE") && r.err().contains("tls/ca.pem"), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void storedLogin_whenCaFileGone_namesWhereTheCaIs() throws Exception {
        Path ca = tmp.resolve("gone-ca.pem");
        Files.copy(c.controller.caFile(), ca);
        Path cfg = tmp.resolve("gone.json");
        assertEquals(0, Cli.run("login", "--config", cfg.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                "--ca-file", ca.toString()).exit());
        Files.delete(ca);
        var r = Cli.run("vm", "list", "--config", cfg.toString());
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("ERROR: CaFileNotFound: CA file " + ca + " does not exist"), r.toString());
        assertTrue(r.err().contains("nw login --endpoint URL --ca-file FILE"), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void login_whenNothingListensOnThePort_saysSoAndHowToStartOne() throws Exception {
        int port = freePort();
        var r = Cli.run("login", "--config", tmp.resolve("y.json").toString(), "--endpoint", "https://127.0.0.1:" + port,
                "--token", c.token, "--ca-file", c.controller.caFile().toString());
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
        assertTrue(r.err().contains("nothing listens at 127.0.0.1:" + port + " (connection refused)"), r.toString());
        assertTrue(r.err().contains("./nw up"), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void login_whenPlainHttpToTheTlsPort_saysUseHttps() {
        String https = c.controller.baseUrl();
        String http = https.replaceFirst("^https:", "http:");
        var r = Cli.run("login", "--config", tmp.resolve("z.json").toString(), "--endpoint", http, "--token", c.token);
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
        assertTrue(r.err().contains("use " + https), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void login_whenCertificateNotTrusted_saysGiveTheCa() {
        var r = Cli.run("login", "--config", tmp.resolve("t.json").toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token);
        assertEquals(ExitCodes.CONNECTION, r.exit(), r.toString());
        assertTrue(r.err().contains("is not trusted") && r.err().contains("--ca-file"), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void call_whenTokenWrong_saysLogInAgain() {
        var r = Cli.run("login", "--config", tmp.resolve("w.json").toString(), "--endpoint", c.controller.baseUrl(),
                "--token", "not-a-token", "--ca-file", c.controller.caFile().toString());
        assertEquals(ExitCodes.AUTH, r.exit(), r.toString());
        assertTrue(r.err().contains("the token is wrong or expired: log in again with `nw login"), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void login_whenPrincipalHasNoRole_warnsAndSaysHowToGrantOne() throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"norole\"}").json();
        String clientId = sp.path("clientId").asText();
        var r = Cli.run("login", "--config", tmp.resolve("sp.json").toString(), "--endpoint", c.controller.baseUrl(),
                "--service-principal", "--client-id", clientId, "--client-secret", sp.path("clientSecret").asText(),
                "--ca-file", c.controller.caFile().toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("WARNING: service principal " + clientId + " has no role assignments"), r.toString());
        assertTrue(r.err().contains("nw admin role assign --principal " + clientId), r.toString());
    }

    @Test
    void download_whenDirectoryMissing_saysSoBeforeAnyCall() {
        Path missing = tmp.resolve("missing-dir/x.cap");
        var r = nw("watcher", "packet-capture", "download", "-n", "whatever", "-f", missing.toString());
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("directory " + missing.getParent() + " does not exist: create it"), r.toString());
        assertFalse(r.err().contains("interrupt"), r.toString());
        assertNoJavaText(r);
    }

    @Test
    void captureName_whenInTwoWatchers_isAnErrorListingBoth() {
        for (String vm : new String[] {"vm1", "vm2"}) {
            var created = nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", vm, "-n", "twin",
                    "--storage-account", "netwatcherlocal", "--time-limit", "600");
            assertEquals(0, created.exit(), created.toString());
        }
        for (String verb : new String[] {"show", "stop", "delete"}) {
            var r = nw("watcher", "packet-capture", verb, "-n", "twin");
            assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
            assertTrue(r.err().contains("2 network watchers hold a packet capture named 'twin'"), r.toString());
            assertTrue(r.err().contains("(-l westeurope)") && r.err().contains("(-l eastus)"), r.toString());
        }
        var one = nw("watcher", "packet-capture", "show", "-n", "twin", "-l", "eastus", "--query", "properties.target", "-o", "tsv");
        assertEquals(0, one.exit(), one.toString());
        assertTrue(one.out().strip().endsWith("/virtualMachines/vm2"), one.toString());
        for (String location : new String[] {"westeurope", "eastus"}) {
            assertEquals(0, nw("watcher", "packet-capture", "delete", "-n", "twin", "-l", location).exit());
        }
    }

    @Test
    void vmName_whenInTwoResourceGroups_isAnErrorListingBoth() throws Exception {
        var a = new TestAgent(c, "rg1", "dup", "westeurope");
        var b = new TestAgent(c, "rg2", "dup", "westeurope");
        var r = nw("vm", "show", "-n", "dup");
        assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
        assertTrue(r.err().contains("2 virtual machines are named 'dup'"), r.toString());
        assertTrue(r.err().contains(a.vmId) && r.err().contains(b.vmId), r.toString());
        assertEquals(0, nw("vm", "show", "-n", "dup", "-g", "rg2").exit());
    }

    @Test
    void watch_takesDashN_likeItsSiblings() {
        var created = nw("watcher", "packet-capture", "create", "-g", "lab", "--vm", "vm1", "-n", "watched",
                "--storage-account", "netwatcherlocal", "--time-limit", "600");
        assertEquals(0, created.exit(), created.toString());
        assertEquals(0, nw("watcher", "packet-capture", "stop", "-n", "watched").exit());
        var r = nw("watcher", "packet-capture", "watch", "-n", "watched", "--interval", "0");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("\"packetCaptureStatus\" : \"Stopped\"") || r.out().contains("\"packetCaptureStatus\":\"Stopped\""), r.toString());
        var both = nw("watcher", "packet-capture", "watch", "watched", "-n", "watched");
        assertEquals(ExitCodes.USAGE, both.exit(), both.toString());
    }
}
