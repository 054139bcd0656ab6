package netwatcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.Json;
import netwatcher.cli.UpCommand;
import netwatcher.cli.lab.ControllerAdmin;
import netwatcher.cli.lab.LabSession;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.controller.tls.TlsConfig;
import netwatcher.controller.tls.TlsSetup;
import netwatcher.lab.Lab;
import netwatcher.lab.LabExtension;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabSpec;
import netwatcher.lab.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What {@code nw lab up} and {@code nw up --lab} do, against a real controller in this JVM: the
 * agents enroll over the management network and register their lab NICs only, and the guide that
 * {@code nw up --lab} prints runs as pasted (bash, curl, tshark). The lab gets a random name and
 * management /24 so it never meets a developer's default lab; the controller's certificate is
 * issued beforehand with that address, as it names {@code 198.19.255.1} for the default lab.
 */
@Tag("netns")
class NwLabUpTest {

    @Test
    void labSessionUp_agentsRegisterTheirLabNics_andTheGuideRunsAsPasted() throws Exception {
        Path dir = Files.createTempDirectory("nwit-labup-");
        String network = LabExtension.freeManagementNetwork();
        LabSpec spec = new LabSpec(dir, LabExtension.randomLabName(), 1, network, h -> List.of(), false);
        TlsSetup.ensure(dir, TlsConfig.withExtraNames(List.of(spec.controllerAddress())));
        Controller controller = Controller.start(ControllerConfig.load(dir, 0), Clock.systemUTC());
        String classPath = System.getProperty("java.class.path");
        try {
            // the agents run with this JVM's class path: under surefire, the real one
            System.setProperty("java.class.path", System.getProperty("surefire.test.class.path", classPath));
            try (LabHandle lab = LabSession.up(spec.withControllerPort(controller.port()), Topology.defaultLab(), "127.0.0.1", "westeurope")) {
                System.setProperty("java.class.path", classPath);
                ControllerAdmin admin = new ControllerAdmin(controller.baseUrl(), controller.adminToken(), controller.caFile());
                String sub = admin.defaultSubscription();
                JsonNode nics = get(controller, "/subscriptions/" + sub + "/resourceGroups/lab/providers/Microsoft.Network/networkInterfaces");
                List<String> names = new ArrayList<>();
                nics.path("value").forEach(n -> names.add(n.path("name").asText()));
                assertTrue(names.containsAll(List.of("app-eth0", "fw1-eth0", "fw1-eth1", "fw1-eth2", "fw2-eth0", "fw2-eth1", "db-eth0")), names.toString());
                assertFalse(names.stream().anyMatch(n -> n.contains("mgmt")), "the management NIC must not be registered: " + names);
                assertFalse(nics.toString().contains(network.substring(0, network.lastIndexOf('.'))), "a management address was registered");

                // the guide's `nw` is this build's CLI: a wrapper running netwatcher.cli.Main on the test class path
                Path nw = dir.resolve("nw");
                Files.writeString(nw, "#!/usr/bin/env bash\nexec '" + ProcessHandle.current().info().command().orElseThrow()
                        + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("surefire.test.class.path", classPath) + "' netwatcher.cli.Main \"$@\"\n");
                nw.toFile().setExecutable(true);
                String home = System.getProperty("nw.home");
                System.setProperty("nw.home", dir.toString());
                String guide;
                try {
                    guide = UpCommand.labGuide(controller, lab);
                } finally {
                    if (home == null) System.clearProperty("nw.home");
                    else System.setProperty("nw.home", home);
                }
                List<String> lines = guide.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("The lab")).toList();
                assertEquals(6, lines.size(), guide);
                String setup = lines.getFirst();
                String vms = bash(dir, setup + "\n" + lines.get(1));
                for (String vm : List.of("app", "fw1", "fw2", "db")) assertTrue(vms.contains("virtualMachines/" + vm + "\""), vms);
                String created = bash(dir, setup + "\n" + lines.get(2));
                assertTrue(created.contains("\"name\":\"demo\""), created);
                String status = bash(dir, setup + "\nsleep 1\n" + lines.get(3));
                assertTrue(status.contains("\"packetCaptureStatus\":\"Running\""), status);
                String read = bash(dir, setup + "\n" + lines.get(4));
                assertTrue(read.contains("1433"), "tshark should list the TCP 1433 exchange from app: " + read);
                assertTrue(Files.size(dir.resolve("demo.cap")) > 24);
                String check = bash(dir, setup + "\n" + lines.get(5) + "\necho EXIT=$?");
                assertTrue(check.contains("Unreachable") && check.contains("EXIT=0"), "test-connectivity to db:80 should be Unreachable: " + check);
                // the same command as JSON: the seed scenario's rule sits on the fw2 hop
                String json = bash(dir, setup + "\n" + lines.get(5).replace("-o table", "-o json --query hops"));
                assertTrue(json.contains("UserRule_Port80") && json.contains("fw2-"), "the fw2 hop should name UserRule_Port80: " + json);
                // the lab's agents (AgentMain processes) log one line per event, in the format of the command that started them
                for (String host : LabSession.agentHosts(lab)) {
                    List<String> log = Files.readAllLines(lab.host(host).agentLog());
                    assertFalse(log.isEmpty(), host + ": empty agent.log");
                    for (String line : log) {
                        assertTrue(NwUpLogsTest.TEXT_LINE.matcher(line).matches(), host + ": not a one-line log event: '" + line + "'\n" + log);
                    }
                    assertTrue(log.stream().anyMatch(l -> l.contains(" Agent enrolled agent=") && l.contains(" vm=/subscriptions/")), host + ": " + log);
                }
                assertTrue(Files.readAllLines(lab.host("db").agentLog()).stream().anyMatch(l -> l.contains("Reconciler capture started")
                        && l.contains("capture=/subscriptions/" + sub + "/resourceGroups/NetworkWatcherRG/") && l.contains("/packetCaptures/demo")),
                        "db's agent should log the demo capture with its ARM id");
            } finally {
                System.setProperty("java.class.path", classPath);
            }
            assertFalse(Files.exists(Lab.stateFile(dir)), "the lab must be gone after close");
        } finally {
            controller.close();
            LabWorld.deleteTree(dir);
        }
    }

    private static JsonNode get(Controller controller, String path) throws Exception {
        var http = java.net.http.HttpClient.newBuilder().sslContext(ControllerAdmin.sslContext(controller.caFile())).build();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(controller.baseUrl() + path + "?api-version=2024-07-01"))
                .header("Authorization", "Bearer " + controller.adminToken()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    }

    /** Runs {@code script} with bash in {@code cwd}; returns stdout and stderr; fails on a hang. */
    private static String bash(Path cwd, String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the guide's command hung: " + script);
        return new String(out, StandardCharsets.UTF_8);
    }
}
