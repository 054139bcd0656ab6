package netwatcher.controller.compat;

import netwatcher.model.check.CheckRole;
import netwatcher.model.check.ReportState;
import org.junit.jupiter.api.Tag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.arm.Json;
import netwatcher.controller.Controller;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import netwatcher.controller.http.ServedTap;
import netwatcher.controller.http.ServedTap.Served;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.Flow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Azure SDK for JavaScript ({@code @azure/arm-network} with {@code @azure/identity}'s
 * ClientSecretCredential against the controller's ADFS-style issuer), unchanged, runs
 * {@code src/test/js/packet-capture-lifecycle.cjs}, {@code packet-capture-contract.cjs} (the 2023-11-01
 * capture fields) and {@code network-checks.cjs} (ipFlowVerify, nextHop, connectivityCheck) against a real controller, with each SDK version; the test asserts on what
 * the script printed and on the recorded exchange. Fails when node or the packages are missing:
 * .ci/run installs them into {@link #CACHE}: {@code azure-js} holds {@code @azure/arm-network} 36.0.0
 * (api-version 2024-05-01), {@code azure-js-39} holds 39.0.0 (api-version 2026-01-01, whose stop
 * accepts only 200/202 as its final answer).
 */
@Tag("external")
class AzureJsSdkTest {
    /** Where .ci/run installs the npm packages, one directory per SDK version. */
    static final Path CACHE = Path.of(System.getenv("XDG_CACHE_HOME") != null
            ? System.getenv("XDG_CACHE_HOME") : System.getProperty("user.home") + "/.cache", "netwatcher");

    @ParameterizedTest(name = "{0}")
    @CsvSource({"azure-js, 36.0.0", "azure-js-39, 39.0.0"})
    void jsSdk_packetCaptureLifecycle_completesWithShortPolls(String install, String version) throws Exception {
        Path modules = installed(install, version);
        Recorder recorder = new Recorder();
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            ServedTap.attach(c.controller.http(), recorder);
            TestAgent agent = new TestAgent(c, "jsrg", "jsvm", "westeurope");
            var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"js\"}").json();
            String clientId = sp.path("clientId").asText();
            var role = c.send("POST", "/admin/v1/roleAssignments",
                    "{\"principalId\":\"" + clientId + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}");
            assertEquals(201, role.status(), role.body());

            List<JsonNode> steps;
            try (AgentPlayer player = new AgentPlayer(agent)) {
                steps = runScript(c, recorder, Map.of(
                        "NW_BASE_URL", c.controller.baseUrl(),
                        "NW_SUBSCRIPTION", c.sub,
                        "NW_CLIENT_ID", clientId,
                        "NW_CLIENT_SECRET", sp.path("clientSecret").asText(),
                        "NW_VM_ID", agent.vmId,
                        "NW_STORAGE_ID", "/subscriptions/" + c.sub + "/resourceGroups/" + Controller.STORAGE_GROUP
                                + "/providers/Microsoft.Storage/storageAccounts/" + Controller.LOCAL_ACCOUNT), modules);
            }
            String all = steps.toString() + "\n" + recorder.dump();
            assertEquals("westeurope", step(steps, "networkWatchers.get", 0).path("location").asText(), all);
            assertTrue(step(steps, "networkWatchers.listAll", 0).path("names").toString().contains("NetworkWatcher_westeurope"), all);
            JsonNode created = step(steps, "packetCaptures.beginCreateAndWait", 0);
            assertEquals("Succeeded", created.path("provisioningState").asText(), all);
            assertEquals("/var/captures/jspc.cap", created.path("filePath").asText(), all);
            assertEquals("Succeeded", step(steps, "packetCaptures.get", 0).path("provisioningState").asText(), all);
            assertEquals("[\"jspc\"]", step(steps, "packetCaptures.list", 0).path("names").toString(), all);
            assertEquals("Running", step(steps, "packetCaptures.beginGetStatusAndWait", 0).path("packetCaptureStatus").asText(), all);
            JsonNode stopped = step(steps, "packetCaptures.beginGetStatusAndWait", 1);
            assertEquals("Stopped", stopped.path("packetCaptureStatus").asText(), all);
            assertEquals("[]", step(steps, "packetCaptures.list", 1).path("names").toString(), all);
            step(steps, "done", 0);

            // The token came from the controller's issuer through MSAL's ADFS path.
            assertTrue(recorder.all().stream().anyMatch(s -> s.path().equals("/adfs/oauth2/token") && s.status() == 200), all);
            LroAssertions.createPolledBriefly(recorder, "jspc");
            LroAssertions.actionAnswered(only(recorder, "POST", "/queryStatus", 0), "POST", "/queryStatus", 200);
            LroAssertions.actionAnswered(only(recorder, "POST", "/stop", 0), "POST", "/stop", 200);
            LroAssertions.actionAnswered(recorder, "DELETE", "/packetCaptures/jspc", 204);
            System.out.println("JS SDK exchange:\n" + recorder.dump());
        }
    }

    /**
     * The 2023-11-01 capture fields through the SDK (both versions' api-versions define them): continuousCapture false,
     * captureSettings (its default filled in on the way back), localPath, targetType and scope go in and come back; a
     * capture without continuousCapture comes back without it; a ring (continuousCapture true, three files) is created;
     * a set of no files is refused with UnsupportedFeature.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"azure-js, 36.0.0", "azure-js-39, 39.0.0"})
    void jsSdk_continuousCaptureFields_roundTrip(String install, String version) throws Exception {
        Path modules = installed(install, version);
        Recorder recorder = new Recorder();
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            ServedTap.attach(c.controller.http(), recorder);
            TestAgent agent = new TestAgent(c, "jsrg", "jsringvm", "westeurope");
            var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"jscontract\"}").json();
            String clientId = sp.path("clientId").asText();
            assertEquals(201, c.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"" + clientId
                    + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}").status());
            List<JsonNode> steps;
            try (AgentPlayer player = new AgentPlayer(agent)) {
                steps = runScript("packet-capture-contract.cjs", c, recorder, Map.of(
                        "NW_BASE_URL", c.controller.baseUrl(),
                        "NW_SUBSCRIPTION", c.sub,
                        "NW_CLIENT_ID", clientId,
                        "NW_CLIENT_SECRET", sp.path("clientSecret").asText(),
                        "NW_VM_ID", agent.vmId,
                        "NW_VM_NAME", "jsringvm"), modules);
            }
            String all = steps + "\n" + recorder.dump();
            for (String name : List.of("create.oneFile", "get.oneFile")) {
                JsonNode one = step(steps, name, 0);
                assertEquals("Succeeded", one.path("provisioningState").asText(), all);
                assertTrue(one.path("hasContinuousCapture").asBoolean(), all);
                assertFalse(one.path("continuousCapture").asBoolean(true), all);
                assertEquals(1, one.path("captureSettings").path("fileCount").asInt(), all);
                assertEquals(8192, one.path("captureSettings").path("fileSizeInBytes").asLong(), all);
                assertEquals(86400, one.path("captureSettings").path("sessionTimeLimitInSeconds").asLong(), all);
                assertEquals("/var/captures/jsone.cap", one.path("localPath").asText(), all);
                assertTrue(one.path("filePath").isMissingNode() || one.path("filePath").isNull(), all);
                assertEquals("AzureVM", one.path("targetType").asText(), all);
                assertEquals("[\"jsringvm\"]", one.path("scope").path("include").toString(), all);
            }
            JsonNode classic = step(steps, "get.classic", 0);
            assertFalse(classic.path("hasContinuousCapture").asBoolean(), all);
            assertTrue(classic.path("captureSettings").isMissingNode() || classic.path("captureSettings").isNull(), all);
            JsonNode ring = step(steps, "create.ring", 0);
            assertEquals("Succeeded", ring.path("provisioningState").asText(), all);
            assertTrue(ring.path("continuousCapture").asBoolean(false), all);
            assertEquals(3, ring.path("captureSettings").path("fileCount").asInt(), all);
            JsonNode none = step(steps, "create.noFiles", 0);
            assertEquals(400, none.path("statusCode").asInt(), all);
            assertEquals("UnsupportedFeature", none.path("code").asText(), all);
            step(steps, "done", 0);
        }
    }

    /**
     * ipFlowVerify, nextHop and connectivityCheck through the SDK's {@code begin...AndWait}: each POST
     * answers 202 with a Location the SDK polls to the result; the agents are played here (their
     * orders answered as SpecStatusCodesTest does), so the test is about the client, not the probes.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"azure-js, 36.0.0", "azure-js-39, 39.0.0"})
    void jsSdk_checks_returnTheAgentsAnswers(String install, String version) throws Exception {
        Path modules = installed(install, version);
        Recorder recorder = new Recorder();
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            ServedTap.attach(c.controller.http(), recorder);
            TestAgent source = new TestAgent(c, "jsrg", "jssrc", "westeurope", List.of("198.18.1.10/24"));
            TestAgent target = new TestAgent(c, "jsrg", "jsdst", "westeurope", List.of("198.18.1.11/24"));
            var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"jschecks\"}").json();
            String clientId = sp.path("clientId").asText();
            assertEquals(201, c.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"" + clientId
                    + "\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/" + c.sub + "\"}").status());
            var done = new AtomicBoolean();
            Thread beat = heartbeat(done, source, target);
            var failure = new AtomicReference<Throwable>();
            Thread agents = Thread.ofPlatform().daemon().start(() -> {
                try {
                    playChecks(source, target);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            List<JsonNode> steps = runScript("network-checks.cjs", c, recorder, Map.of(
                    "NW_BASE_URL", c.controller.baseUrl(),
                    "NW_SUBSCRIPTION", c.sub,
                    "NW_CLIENT_ID", clientId,
                    "NW_CLIENT_SECRET", sp.path("clientSecret").asText(),
                    "NW_SOURCE_VM_ID", source.vmId,
                    "NW_TARGET_VM_ID", target.vmId), modules);
            agents.join(30_000);
            done.set(true);
            beat.join(5_000);
            String all = steps + "\n" + failure.get() + "\n" + recorder.dump();
            JsonNode flow = step(steps, "networkWatchers.beginVerifyIPFlowAndWait", 0);
            assertEquals("Deny", flow.path("access").asText(), all);
            assertEquals("UserRule_Web", flow.path("ruleName").asText(), all);
            JsonNode hop = step(steps, "networkWatchers.beginGetNextHopAndWait", 0);
            assertEquals("VnetLocal", hop.path("nextHopType").asText(), all);
            assertEquals("198.18.1.10", hop.path("nextHopIpAddress").asText(), all);
            JsonNode check = step(steps, "networkWatchers.beginCheckConnectivityAndWait", 0);
            assertEquals("Reachable", check.path("connectionStatus").asText(), all);
            assertEquals(100, check.path("probesSent").asInt(), all);
            step(steps, "done", 0);
            for (String op : List.of("/ipFlowVerify", "/nextHop", "/connectivityCheck")) {
                assertTrue(recorder.all().stream().anyMatch(s -> s.method().equals("POST") && s.path().endsWith(op) && s.status() == 202), op + "\n" + all);
            }
            System.out.println("JS SDK " + version + " checks exchange:\n" + recorder.dump());
        }
    }

    /** The agents' side of the three checks, in the script's order. */
    private static void playChecks(TestAgent source, TestAgent target) throws Exception {
        CheckOrder o = order(target, CheckRole.VERIFY);
        target.reportCheck(new CheckReport(o.key(), CheckRole.VERIFY, ReportState.DONE, null, null, null, null,
                new CheckReport.Verdict("Deny", "UserRule_Web", Map.of()), null, null, null));
        o = order(target, CheckRole.NEXTHOP);
        target.reportCheck(new CheckReport(o.key(), CheckRole.NEXTHOP, ReportState.DONE, null, null, null, null, null,
                new CheckReport.NextHop("VnetLocal", "198.18.1.10", false, "198.18.1.0/24"), null, null));
        CheckOrder observe = order(target, CheckRole.OBSERVER);
        target.reportCheck(new CheckReport(observe.key(), CheckRole.OBSERVER, ReportState.ARMED, null, null, null, null, null, null, null, null));
        CheckOrder src = order(source, CheckRole.SOURCE);
        source.reportCheck(new CheckReport(src.key(), CheckRole.SOURCE, ReportState.DONE,
                new Flow("Tcp", "198.18.1.10", 40000, "198.18.1.11", null, 80, null, null),
                new CheckReport.ProbeSummary(100, 0, 1, 1, 2, Map.of("connected", 100), null, null),
                List.of(new CheckReport.TraceHop(1, "198.18.1.11", List.of(0.2), "destination", null)), List.of(), null, null, null, null));
        CheckOrder finish = order(target, CheckRole.OBSERVER);
        target.reportCheck(new CheckReport(finish.key(), CheckRole.OBSERVER, ReportState.DONE, null, null, null, List.of(), null, null, null, null));
    }

    /** The agent's first check order of {@code role}, asking every 100 ms for up to 90 s (node and the SDK start first). */
    private static CheckOrder order(TestAgent a, CheckRole role) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            var o = a.orders(-1, 0).checks().stream().filter(x -> x.role() == role).findFirst();
            if (o.isPresent()) return o.get();
            Thread.sleep(100);
        }
        throw new AssertionError("no " + role + " order for " + a.vmName);
    }

    /** Both agents ask for orders every second until {@code done}, as connected agents do (a check needs them connected). */
    private static Thread heartbeat(AtomicBoolean done, TestAgent... agents) {
        return Thread.ofPlatform().daemon().start(() -> {
            while (!done.get()) {
                try {
                    for (TestAgent a : agents) a.orders(-1, 0);
                    Thread.sleep(1000);
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    /** The node_modules directory of one installed SDK version; fails naming the install command when missing. */
    private static Path installed(String install, String version) throws Exception {
        Path modules = CACHE.resolve(install).resolve("node_modules");
        for (String pkg : List.of("@azure/arm-network", "@azure/identity")) {
            if (!Files.isDirectory(modules.resolve(pkg))) {
                fail(pkg + " is not installed under " + modules + " (.ci/run installs it: npm install --prefix "
                        + CACHE.resolve(install) + " @azure/arm-network@" + version + " @azure/identity)");
            }
        }
        JsonNode installed = Json.tree(Files.readAllBytes(modules.resolve("@azure/arm-network/package.json")));
        assertEquals(version, installed.path("version").asText(), "@azure/arm-network under " + modules);
        return modules;
    }

    /**
     * A recorder holding only the n-th exchange that starts with {@code method *suffix} and the client
     * requests (GETs) that followed it until its next non-GET request; the agent's protocol is left out.
     */
    private static Recorder only(Recorder r, String method, String suffix, int n) {
        List<Served> all = r.all();
        Recorder slice = new Recorder();
        int seen = -1;
        boolean in = false;
        for (Served s : all) {
            if (s.path().startsWith("/agent/")) continue;
            boolean start = s.method().equals(method) && s.path().endsWith(suffix);
            if (start) {
                seen++;
                in = seen == n;
            } else if (in && !s.method().equals("GET")) {
                in = false;
            }
            if (in) slice.served(s);
        }
        return slice;
    }

    private static JsonNode step(List<JsonNode> steps, String name, int occurrence) {
        int seen = 0;
        for (JsonNode s : steps) {
            if (s.path("step").asText().equals(name) && seen++ == occurrence) return s;
        }
        return fail("the script printed no step " + name + " #" + occurrence + ": " + steps);
    }

    private static List<JsonNode> runScript(TestController c, Recorder recorder, Map<String, String> vars, Path modules) throws Exception {
        return runScript("packet-capture-lifecycle.cjs", c, recorder, vars, modules);
    }

    private static List<JsonNode> runScript(String name, TestController c, Recorder recorder, Map<String, String> vars, Path modules)
            throws Exception {
        Path script = Path.of("src/test/js", name).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("node", script.toString());
        Map<String, String> env = pb.environment();
        ClientEnvironment.confine(env);
        env.put("NODE_PATH", modules.toString());
        env.put("NODE_EXTRA_CA_CERTS", c.controller.caFile().toString());
        env.putAll(vars);
        Path err = Files.createTempFile(c.dir, "node", ".err");
        Path out = Files.createTempFile(c.dir, "node", ".out");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            return fail("node is not installed (.ci/run installs nodejs): " + e.getMessage());
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the script did not finish\n" + Files.readString(out) + Files.readString(err) + recorder.dump());
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("node exited " + p.exitValue() + "\nstdout: " + stdout + "\nstderr: " + Files.readString(err) + "\nserved:\n" + recorder.dump());
        }
        List<JsonNode> steps = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("{")) steps.add(Json.tree(line.getBytes(StandardCharsets.UTF_8)));
        }
        return steps;
    }
}
