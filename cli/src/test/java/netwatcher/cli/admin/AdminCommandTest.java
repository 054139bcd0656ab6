package netwatcher.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import netwatcher.arm.Json;
import netwatcher.cli.Main;
import netwatcher.cli.discovery.ControllerRecord;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.model.agent.EnrollRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code nw admin} run in-process through picocli, against a real controller on an ephemeral port
 * and, once it is stopped, against its data directory.
 */
@Tag("external")
class AdminCommandTest {
    Path dir;
    Controller controller;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("nwtest");
        controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        if (controller != null) controller.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    Run nw(String controllerUrl, String... args) {
        List<String> all = new ArrayList<>(List.of("admin"));
        all.addAll(List.of(args));
        all.addAll(List.of("--controller", controllerUrl, "--data-dir", dir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    Run ok(String controllerUrl, String... args) {
        Run r = nw(controllerUrl, args);
        assertEquals(0, r.code(), String.join(" ", args) + "\nout: " + r.out() + "\nerr: " + r.err());
        return r;
    }

    static String field(String out, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\s+(\\S+)$").matcher(out);
        assertTrue(m.find(), name + " in:\n" + out);
        return m.group(1);
    }

    static String closedPortUrl() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "https://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void againstRunningController_everyCommandWorksAndSecretsArePrintedOnce() throws Exception {
        String url = controller.baseUrl();
        String sub = controller.defaultSubscription().id();

        Run sp = ok(url, "service-principal", "create", "--name", "ci");
        String clientId = field(sp.out(), "clientId");
        String secret = field(sp.out(), "clientSecret");
        assertTrue(sp.out().contains("shown only once"));
        Run spList = ok(url, "service-principal", "list");
        assertTrue(spList.out().contains(clientId) && spList.out().contains("ci"), spList.out());
        assertFalse(spList.out().contains(secret), "list never shows secrets");
        Run reset = ok(url, "service-principal", "reset-secret", clientId);
        assertNotEquals(secret, field(reset.out(), "clientSecret"));

        Run role = ok(url, "role", "assign", "--principal", clientId, "--role", "Reader", "--scope", "/subscriptions/" + sub);
        String roleId = field(role.out(), "id");
        assertTrue(ok(url, "role", "list").out().contains(roleId));
        Run badRole = nw(url, "role", "assign", "--principal", clientId, "--role", "God", "--scope", "/subscriptions/" + sub);
        assertEquals(1, badRole.code());
        assertTrue(badRole.err().contains("InvalidParameter"), badRole.err());
        ok(url, "role", "remove", roleId);
        assertFalse(ok(url, "role", "list").out().contains(roleId));

        Run token = ok(url, "enrollment-token", "create", "--subscription", sub, "--resource-group", "lab", "--max-uses", "2",
                "--expires-in", "2h");
        String tokenId = field(token.out(), "id");
        String tokenValue = field(token.out(), "token");
        assertTrue(tokenValue.startsWith("nwe."), tokenValue);
        Run tokens = ok(url, "enrollment-token", "list");
        assertTrue(tokens.out().contains(tokenId) && !tokens.out().contains(tokenValue), tokens.out());

        // an agent enrolls with that token, then shows up and can be revoked
        var http = RemoteAdmin.client(dir.resolve("tls").resolve("ca.pem"));
        var enroll = http.send(HttpRequest.newBuilder(URI.create(url + "/agent/v1/enroll"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeString(new EnrollRequest(tokenValue, sub, "lab", "vm1", "westeurope", "vm1"))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, enroll.statusCode(), enroll.body());
        String agentId = Json.tree(enroll.body().getBytes()).path("agentId").asText();
        assertFalse(agentId.isEmpty(), enroll.body());
        assertTrue(ok(url, "agent", "list").out().contains(agentId));
        ok(url, "agent", "revoke", agentId);
        assertTrue(ok(url, "agent", "list").out().matches("(?s).*" + agentId + ".*true.*"));
        assertEquals(1, nw(url, "agent", "revoke", "no-such-agent").code());

        ok(url, "enrollment-token", "revoke", tokenId);
        assertTrue(ok(url, "enrollment-token", "list").out().matches("(?s).*" + tokenId + ".*true.*"));

        Run created = ok(url, "subscription", "create", "--id", "11111111-2222-3333-4444-555555555555", "--name", "team-a");
        assertEquals("team-a", field(created.out(), "displayName"));
        assertTrue(ok(url, "subscription", "list").out().contains("11111111-2222-3333-4444-555555555555"));
        assertEquals(1, nw(url, "subscription", "create", "--id", "11111111-2222-3333-4444-555555555555").code());

        ok(url, "service-principal", "revoke", clientId);
        assertFalse(ok(url, "service-principal", "list").out().contains(clientId));
    }

    @Test
    void withoutController_commandsWorkOnTheDataDirectory() throws Exception {
        String sub = controller.defaultSubscription().id();
        String madeOnline = field(ok(controller.baseUrl(), "service-principal", "create", "--name", "online").out(), "clientId");
        controller.close();
        controller = null;
        String url = closedPortUrl();

        assertTrue(ok(url, "service-principal", "list").out().contains(madeOnline));
        Run sp = ok(url, "service-principal", "create", "--name", "offline");
        String clientId = field(sp.out(), "clientId");
        ok(url, "role", "assign", "--principal", clientId, "--role", "contributor", "--scope", "/subscriptions/" + sub + "/resourceGroups/lab");
        assertTrue(ok(url, "role", "list").out().contains("Contributor"));
        assertTrue(field(ok(url, "enrollment-token", "create", "--expires-in", "7d").out(), "token").startsWith("nwe."));
        ok(url, "subscription", "create", "--name", "offline-sub");
        assertTrue(ok(url, "subscription", "list").out().contains("offline-sub"));
        assertTrue(ok(url, "agent", "list").out().startsWith("AGENTID"));
        Run bad = nw(url, "enrollment-token", "create", "--expires-in", "soon");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("not a duration"), bad.err());

        // the next controller sees what the offline commands wrote
        controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC());
        Run online = ok(controller.baseUrl(), "service-principal", "list");
        assertTrue(online.out().contains(clientId), online.out());
    }

    int arm(String url, String token) throws Exception {
        var http = RemoteAdmin.client(dir.resolve("tls").resolve("ca.pem"));
        return http.send(HttpRequest.newBuilder(URI.create(url + "/subscriptions?api-version=2022-12-01"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void adminTokenRotate_printsTheNewTokenOnce_rewritesTheFile_andTheNextCommandsUseIt() throws Exception {
        String url = controller.baseUrl();
        Path file = dir.resolve("admin.token");
        String old = Files.readString(file).strip();

        Run json = ok(url, "admin-token", "rotate", "-o", "json");

        var rotated = Json.tree(json.out().getBytes());
        String token = rotated.path("token").asText();
        assertEquals(43, token.length(), json.out());
        assertEquals(file.toAbsolutePath().toString(), rotated.path("tokenFile").asText());
        assertTrue(rotated.path("localTokenFile").isMissingNode(), "the controller wrote the very file nw read: " + json.out());
        assertEquals(token, Files.readString(file).strip());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(401, arm(url, old));
        assertEquals(200, arm(url, token));
        ok(url, "service-principal", "list"); // nw admin reads the new file

        Run text = ok(url, "admin-token", "rotate", "--grace", "10m");
        String next = field(text.out(), "token");
        assertEquals(next, Files.readString(file).strip());
        assertTrue(text.out().contains("keeps working until"), text.out());
        assertEquals(200, arm(url, token), "in its 10 minutes of grace");
        assertEquals(200, arm(url, next));
        Run tooLong = nw(url, "admin-token", "rotate", "--grace", "2d");
        assertEquals(1, tooLong.code(), tooLong.out());
        assertTrue(tooLong.err().contains("at most 24h"), tooLong.err());
        assertEquals(next, Files.readString(file).strip(), "nothing rotated");

        // no controller running: the same command rotates in the data directory's database, and the next start takes it
        controller.close();
        controller = null;
        Run offline = ok(closedPortUrl(), "admin-token", "rotate");
        String last = field(offline.out(), "token");
        assertEquals(last, Files.readString(file).strip());
        controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC());
        assertEquals(200, arm(controller.baseUrl(), last));
        assertEquals(401, arm(controller.baseUrl(), next));
    }

    /** {@code nw admin ARGS --data-dir DIR}: no --controller, as a user types it. */
    Run nwByDataDir(String... args) {
        List<String> all = new ArrayList<>(List.of("admin"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data-dir", dir.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void withDataDirOnly_usesTheRecordedController_andTheDatabaseOnceItIsGone() throws Exception {
        controller.close();
        controller = null;
        String sub;
        try (ControllerProcess other = new ControllerProcess(dir)) {
            // what `nw up` records; the other process holds the embedded database, so only its API can answer
            new ControllerRecord(other.baseUrl, dir.resolve("tls/ca.pem").toString(), dir.resolve("admin.token").toString(),
                    other.process.pid(), java.time.Instant.now(), "0.1.0", null).write(dir);
            Run r = nwByDataDir("subscription", "list");
            assertEquals(0, r.code(), r.err());
            sub = r.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        }
        // the process is gone, its record stale: the data directory itself answers
        Run offline = nwByDataDir("subscription", "list");
        assertEquals(0, offline.code(), offline.err());
        assertTrue(offline.out().contains(sub), offline.out());
    }

    @Test
    void whenAnotherProcessHoldsTheDatabaseButIsNotReachable_saysSoClearly() throws Exception {
        controller.close();
        controller = null;
        try (ControllerProcess other = new ControllerProcess(dir)) {
            assertEquals(0, nw(other.baseUrl, "subscription", "list").code(), "reachable: through the API");
            Run r = nw(closedPortUrl(), "service-principal", "list");
            assertEquals(1, r.code(), r.out());
            assertTrue(r.err().contains("in use by another process"), r.err());
            assertTrue(r.err().contains("--controller"), r.err());
        }
    }

    @Test
    void help_listsEveryGroupAndCommand() {
        StringWriter out = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        assertEquals(0, cmd.execute("admin", "--help"));
        for (String group : List.of("enrollment-token", "service-principal", "role", "subscription", "agent", "admin-token")) {
            assertTrue(out.toString().contains(group), out.toString());
        }
        StringWriter roleOut = new StringWriter();
        CommandLine cmd2 = Main.commandLine();
        cmd2.setOut(new PrintWriter(roleOut, true));
        assertEquals(0, cmd2.execute("admin", "role"));
        assertTrue(roleOut.toString().contains("assign") && roleOut.toString().contains("remove"), roleOut.toString());
    }

    @Test
    void whenDirectoryHoldsNoController_saysSo() throws Exception {
        Path empty = Files.createTempDirectory("nwtest");
        try {
            StringWriter err = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setErr(new PrintWriter(err, true));
            cmd.setOut(new PrintWriter(new StringWriter(), true));
            int code = cmd.execute("admin", "subscription", "list", "--controller", closedPortUrl(), "--data-dir", empty.toString());
            assertEquals(1, code);
            assertTrue(err.toString().contains("holds no controller state"), err.toString());
            assertFalse(Files.exists(empty.resolve("state")), "nothing is created in a directory that is not a controller's");
        } finally {
            Files.deleteIfExists(empty);
        }
    }
}
