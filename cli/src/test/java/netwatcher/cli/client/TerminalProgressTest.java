package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nw watcher packet-capture watch} in a real terminal: a tmux session on a private socket runs
 * the command in a separate JVM; the pane is captured while the agent's counters grow. The panel must
 * redraw in place (one packets line on screen, never a scrolling list) and its counters must change.
 */
@Timeout(180)
class TerminalProgressTest {
    @TempDir
    Path tmp;

    @Test
    void watch_onTerminal_redrawsPanelWithGrowingCounters() throws Exception {
        String socket = "nwt" + UUID.randomUUID().toString().substring(0, 8);
        try (TestController c = new TestController(Duration.ofSeconds(30));
             ScriptedAgent agent = new ScriptedAgent(c, "lab", "tvm", "westeurope", Pcaps.udp(5, 64))) {
            Path config = tmp.resolve("config.json");
            var login = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                    "--ca-file", c.controller.caFile().toString());
            assertEquals(0, login.exit(), login.toString());
            var create = Cli.run("watcher", "packet-capture", "create", "--vm", "tvm", "-n", "tcap", "--storage-account", "netwatcherlocal",
                    "--time-limit", "600", "--capture-limit", "1000000", "--config", config.toString());
            assertEquals(0, create.exit(), create.toString());

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            String command = "'" + java + "' -cp '" + cp + "' netwatcher.cli.Main watcher packet-capture watch tcap --config '" + config
                    + "' > /dev/null; echo EXIT=$?; sleep 120";
            run("tmux", "-L", socket, "new-session", "-d", "-s", "nwt", "-x", "150", "-y", "30", command);

            String first = waitForPane(socket, p -> p.contains("packets ") && p.contains("time left"), "the panel");
            String firstCounters = line(first, "  packets ");
            String second = waitForPane(socket, p -> p.contains("packets ") && !line(p, "  packets ").equals(firstCounters), "changed counters");
            assertNotEquals(firstCounters, line(second, "  packets "));
            for (String pane : List.of(first, second)) {
                assertTrue(pane.contains("capture tcap  Running"), pane);
                assertEquals(1, pane.lines().filter(l -> l.startsWith("  packets ")).count(), "redrawn in place:\n" + pane);
                assertTrue(pane.contains(" / 976.6 KiB  ["), "bytes against the limit:\n" + pane);
                assertTrue(pane.lines().anyMatch(l -> l.matches("  drops kernel \\d+ interface 0   time left \\d+:\\d\\d")), pane);
            }

            assertEquals(0, Cli.run("watcher", "packet-capture", "stop", "-n", "tcap", "--config", config.toString()).exit());
            String end = waitForPane(socket, p -> p.contains("EXIT="), "the command's end");
            assertTrue(end.contains("capture tcap  Stopped (StoppedByRequest)"), end);
            assertTrue(end.contains("EXIT=0"), end);
            assertEquals(1, end.lines().filter(l -> l.startsWith("  packets ")).count(), end);
        } finally {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor();
        }
    }

    private static String line(String pane, String prefix) {
        return pane.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
    }

    private static String waitForPane(String socket, Predicate<String> condition, String what) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        String pane = "";
        while (Instant.now().isBefore(deadline)) {
            pane = run("tmux", "-L", socket, "capture-pane", "-p", "-t", "nwt");
            if (condition.test(pane)) return pane;
            Thread.sleep(200);
        }
        throw new AssertionError("the pane never showed " + what + ":\n" + pane);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
