package netwatcher.agent;

import netwatcher.agent.capture.PcapFiles;
import netwatcher.agent.capture.PcapSummary;
import netwatcher.model.agent.CaptureReport;
import netwatcher.testing.netns.VethPair;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole agent with the real libpcap engine inside a network namespace: the agent is a real
 * process started with {@code ip netns exec right} (as systemd would start it, SIGTERM to stop), the
 * controller double listens on that namespace's loopback (its server thread entered the namespace),
 * so the agent sees only the veth end and captures the pings sent from {@code left}.
 */
@Tag("netns")
class AgentNetnsCaptureTest {
    @RegisterExtension final VethPair net = new VethPair();
    @TempDir Path tmp;

    @Test
    void order_whenRunThenStopped_capturesRealPacketsOnTheHostInterface() throws Exception {
        net.right().bash("ip link set lo up");
        FakeController controller = net.right().call(() -> new FakeController().start());
        Process agent = null;
        try {
            Map<String, String> s = new LinkedHashMap<>();
            s.put("controller-url", controller.url().toString());
            s.put("enrollment-token", FakeController.TOKEN);
            s.put("vm-name", "app");
            s.put("resource-group", "lab");
            s.put("location", "westeurope");
            s.put("subscription-id", "sub1");
            s.put("state-dir", tmp.resolve("state").toString());
            s.put("captures-root", tmp.resolve("captures").toString());
            s.put("disk-floor", "0");
            s.put("report-interval", "200ms");
            AgentConfig.fromSettings(s); // valid
            Path conf = tmp.resolve("agent.conf");
            StringBuilder text = new StringBuilder();
            s.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            java.nio.file.Files.writeString(conf, text);
            agent = new ProcessBuilder("ip", "netns", "exec", net.right().name(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "netwatcher.agent.AgentMain", "--config", conf.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile()).start();
            FakeController.await("host registered", Duration.ofSeconds(20), () -> !controller.hosts().isEmpty());
            assertEquals(List.of(net.right().interfaceName()),
                    controller.hosts().getFirst().nics().stream().map(n -> n.name()).toList());

            controller.putOrder(AgentDaemonTest.order("c-real", true, null));
            FakeController.await("Running", Duration.ofSeconds(20),
                    () -> controller.reports("c-real").stream().anyMatch(r -> r.status() == netwatcher.model.capture.CaptureStatus.Running));
            net.left().exec("hping3", "--icmp", "-c", "5", "-i", "u200000", net.right().ipv4().getHostAddress()).orThrow("hping3");
            FakeController.await("packets counted", Duration.ofSeconds(20),
                    () -> controller.reports("c-real").stream().anyMatch(r -> r.packets() >= 10));
            controller.putOrder(AgentDaemonTest.order("c-real", false, null));
            FakeController.await("stopped", Duration.ofSeconds(20),
                    () -> controller.latest("c-real").map(r -> r.stopReason() == netwatcher.model.capture.StopReason.StoppedByRequest).orElse(false));
            agent.destroy(); // SIGTERM: a clean shutdown
            // the JVM exits 143 (128 + SIGTERM) after its shutdown hooks; the unit lists it in SuccessExitStatus
            assertEquals(143, agent.waitFor(), java.nio.file.Files.readString(tmp.resolve("agent.log")));

            CaptureReport last = controller.latest("c-real").orElseThrow();
            PcapSummary file = PcapFiles.summarize(tmp.resolve("captures/c-real.cap"));
            assertEquals(file.packets(), last.packets());
            assertTrue(last.packets() >= 10, "5 echo requests and 5 replies: " + last);
            assertEquals(List.of(), controller.violations());
        } finally {
            if (agent != null && agent.isAlive()) {
                agent.destroyForcibly();
                agent.waitFor();
            }
            controller.stop();
        }
    }
}
