package netwatcher.controller.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.http.ServedTap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The az CLI (Debian's azure-cli, unchanged) registered with the controller as a cloud, logged in as
 * a service principal, manages a packet capture from create to delete, while the controller records
 * the exchange. Fails when {@code az} is not installed: .ci/run installs it.
 */
@Tag("external")
class AzCliTest {
    /** The Azure Stack Hub API profile: the ADFS-style private cloud az knows, with API versions Debian ships. */
    static final String PROFILE = "2020-09-01-hybrid";

    private TestController c;
    private Path config;
    private final Recorder recorder = new Recorder();
    private final Recorder transcript = new Recorder();

    @BeforeEach
    void start() throws Exception {
        c = new TestController(Duration.ofSeconds(30));
        ServedTap.attach(c.controller.http(), recorder);
        ServedTap.attach(c.controller.http(), transcript);
        config = Files.createTempDirectory("nwaz");
    }

    @AfterEach
    void stop() throws Exception {
        if (c != null) c.close();
        if (config != null) {
            try (var walk = Files.walk(config)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void azCli_packetCaptureLifecycle_completesWithShortPolls() throws Exception {
        TestAgent agent = new TestAgent(c, "azrg", "azvm", "westeurope");
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"az\"}").json();
        String clientId = sp.path("clientId").asText();
        String secret = sp.path("clientSecret").asText();
        var role = c.send("POST", "/admin/v1/roleAssignments",
                "{\"principalId\":\"" + clientId + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}");
        assertEquals(201, role.status(), role.body());
        String base = c.controller.baseUrl();

        // Only the resource manager endpoint: az reads the rest from /metadata/endpoints. Profile: Debian's
        // azure-cli 2.45 "latest" profile names azure.mgmt.network v2022_01_01 and compute v2022_11_01, which
        // Debian's python3-azure does not ship (ModuleNotFoundError); the Azure Stack profile's versions it does.
        az("cloud", "register", "-n", "netwatcher", "--endpoint-resource-manager", base + "/", "--profile", PROFILE);
        JsonNode cloud = az("cloud", "show", "-n", "netwatcher");
        assertEquals(base + "/adfs", cloud.path("endpoints").path("activeDirectory").asText(), cloud.toString());
        assertEquals(1, recorder.matching("GET", p -> p.endsWith("/metadata/endpoints")).size(), recorder.dump());
        // With the three login endpoints given, az 2.45 (msrestazure _populate_from_metadata_endpoint) asks nothing.
        recorder.clear();
        az("cloud", "register", "-n", "netwatcher-explicit", "--profile", PROFILE, "--endpoint-resource-manager", base + "/",
                "--endpoint-active-directory", base + "/adfs", "--endpoint-active-directory-resource-id", base + "/",
                "--endpoint-active-directory-graph-resource-id", base + "/");
        assertEquals(0, recorder.matching("GET", p -> p.endsWith("/metadata/endpoints")).size(), recorder.dump());
        az("cloud", "set", "-n", "netwatcher");
        JsonNode login = az("login", "--service-principal", "-u", clientId, "-p", secret, "--tenant", "adfs");
        assertEquals(c.sub, login.get(0).path("id").asText(), login.toString());

        JsonNode watchers = az("network", "watcher", "list");
        assertTrue(watchers.toString().contains("NetworkWatcher_westeurope"), watchers.toString());

        // A controller error reaches the user in ARM shape: az prints code, message and target, exits 1.
        Result refused = run("network", "watcher", "packet-capture", "create", "-g", "azrg", "--vm", "azvm", "-n", "badpc",
                "--file-path", "/tmp/elsewhere.cap");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.stderr().contains("(InvalidParameter)") && refused.stderr().contains("Target: properties.storageLocation.filePath"),
                refused.stderr());

        try (AgentPlayer player = new AgentPlayer(agent)) {
            recorder.clear();
            JsonNode created = az("network", "watcher", "packet-capture", "create", "-g", "azrg", "--vm", "azvm", "-n", "azpc",
                    "--file-path", "/var/captures/azpc.cap", "--time-limit", "60");
            assertEquals("Succeeded", created.path("provisioningState").asText(), created.toString());
            assertEquals("azpc", created.path("name").asText());
            LroAssertions.createPolledBriefly(recorder, "azpc");

            JsonNode shown = az("network", "watcher", "packet-capture", "show", "-l", "westeurope", "-n", "azpc");
            assertEquals("/var/captures/azpc.cap", shown.path("storageLocation").path("filePath").asText(), shown.toString());
            JsonNode listed = az("network", "watcher", "packet-capture", "list", "-l", "westeurope");
            assertEquals(1, listed.size(), listed.toString());

            recorder.clear();
            JsonNode status = az("network", "watcher", "packet-capture", "show-status", "-l", "westeurope", "-n", "azpc");
            assertEquals("Running", status.path("packetCaptureStatus").asText(), status.toString());
            LroAssertions.actionAnswered(recorder, "POST", "/queryStatus", 200);

            recorder.clear();
            az("network", "watcher", "packet-capture", "stop", "-l", "westeurope", "-n", "azpc");
            LroAssertions.actionAnswered(recorder, "POST", "/stop", 200);
            JsonNode after = az("network", "watcher", "packet-capture", "show-status", "-l", "westeurope", "-n", "azpc");
            assertEquals("Stopped", after.path("packetCaptureStatus").asText(), after.toString());

            recorder.clear();
            az("network", "watcher", "packet-capture", "delete", "-l", "westeurope", "-n", "azpc");
            LroAssertions.actionAnswered(recorder, "DELETE", "/packetCaptures/azpc", 204);
            assertEquals(0, az("network", "watcher", "packet-capture", "list", "-l", "westeurope").size());
        }
        System.out.println("az CLI exchange:\n" + transcript.dump());
    }

    /** What one az invocation did. */
    record Result(int exit, String stdout, String stderr) {}

    /** Runs az with JSON output; fails the test on a non-zero exit; returns the parsed output (null when empty). */
    private JsonNode az(String... args) throws IOException, InterruptedException {
        Result r = run(args);
        if (r.exit() != 0) {
            fail("az " + String.join(" ", args) + " exited " + r.exit() + "\nstderr: " + r.stderr() + "\nstdout: " + r.stdout()
                    + "\nserved:\n" + recorder.dump());
        }
        return r.stdout().isBlank() ? null : Json.tree(r.stdout().getBytes(StandardCharsets.UTF_8));
    }

    /** Runs az with JSON output in the test's config directory, trusting the controller's CA. */
    private Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(azBinary());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        ClientEnvironment.confine(env);
        env.put("AZURE_CONFIG_DIR", config.toString());
        env.put("PYTHONPATH", Path.of("src/test/azcli").toAbsolutePath().toString());
        env.put("REQUESTS_CA_BUNDLE", c.controller.caFile().toString());
        env.put("AZURE_CORE_COLLECT_TELEMETRY", "no");
        env.put("AZURE_CORE_SURVEY_MESSAGE", "no");
        env.put("AZURE_CORE_NO_COLOR", "yes");
        env.put("AZURE_CORE_DISABLE_CONFIRM_PROMPT", "yes");
        env.put("AZURE_EXTENSION_USE_DYNAMIC_INSTALL", "no");
        Path out = Files.createTempFile(config, "out", ".json");
        Path err = Files.createTempFile(config, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("az " + String.join(" ", args) + " did not finish\n" + Files.readString(err) + "\n" + recorder.dump());
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String azBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "az");
            if (Files.isExecutable(p)) return p.toString();
        }
        return fail("the az CLI is not installed (Debian package azure-cli; .ci/run installs it)");
    }
}
