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
 * {@code nw watcher test-connectivity} in a real terminal: a tmux session on a private socket runs the
 * command in a separate JVM while the source agent reports its probes and hops step by step. The
 * panel must redraw in place (one header and one probes line on screen, never a scrolling list), its
 * probe count must grow, and hops must appear as they are found.
 */
@Timeout(180)
class TerminalCheckProgressTest {
    @TempDir
    Path tmp;

    @Test
    void testConnectivity_onTerminal_redrawsPanelWithProbesAndHopsAsFound() throws Exception {
        String socket = "nwt" + UUID.randomUUID().toString().substring(0, 8);
        try (TestController c = new TestController(Duration.ofSeconds(30));
             ScriptedChecker app = new ScriptedChecker(c, "lab", "app", "westeurope", "198.18.1.10", Duration.ofMillis(700));
             ScriptedChecker db = new ScriptedChecker(c, "lab", "db", "westeurope", "198.18.3.10", Duration.ofMillis(700))) {
            app.path = List.of("198.18.1.1", "198.18.2.2", "198.18.3.10");
            app.failing = 10;
            Path config = tmp.resolve("config.json");
            var login = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                    "--ca-file", c.controller.caFile().toString());
            assertEquals(0, login.exit(), login.toString());

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            String command = "'" + java + "' -cp '" + cp + "' netwatcher.cli.Main watcher test-connectivity --source-resource app"
                    + " --dest-resource db --dest-port 5432 --config '" + config + "' > /dev/null; echo EXIT=$?; sleep 120";
            run("tmux", "-L", socket, "new-session", "-d", "-s", "nwt", "-x", "150", "-y", "30", command);

            String first = waitForPane(socket, p -> p.contains("check to db  probing") && p.contains("  hop  1  198.18.1.1"), "a hop");
            String firstProbes = line(first, "  probes ");
            String second = waitForPane(socket, p -> p.contains("  hop  2  198.18.2.2") && !line(p, "  probes ").equals(firstProbes),
                    "a second hop and more probes");
            assertNotEquals(firstProbes, line(second, "  probes "));
            for (String pane : List.of(first, second)) {
                assertEquals(1, pane.lines().filter(l -> l.startsWith("check to db")).count(), "redrawn in place:\n" + pane);
                assertEquals(1, pane.lines().filter(l -> l.startsWith("  probes ")).count(), "redrawn in place:\n" + pane);
                assertEquals(1, pane.lines().filter(l -> l.startsWith("  hop  1 ")).count(), "redrawn in place:\n" + pane);
                assertTrue(pane.lines().anyMatch(l -> l.matches("check to db  probing  \\[[#.]{20}] \\d+%")), pane);
                assertTrue(pane.lines().anyMatch(l -> l.matches("  probes \\d+ sent, \\d+ failed")), pane);
            }

            String end = waitForPane(socket, p -> p.contains("EXIT="), "the command's end");
            assertTrue(end.contains("EXIT=0"), end);
            assertTrue(end.contains("check to db  done  [####################] 100%"), end);
            assertTrue(end.contains("  probes 100 sent, 10 failed   Degraded"), end);
            assertTrue(end.contains("  hop  3  198.18.3.10"), end);
            assertEquals(1, end.lines().filter(l -> l.startsWith("  probes ")).count(), end);
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
