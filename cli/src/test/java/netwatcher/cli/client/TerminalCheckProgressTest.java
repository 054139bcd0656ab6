package netwatcher.cli.client;

import static netwatcher.cli.client.TmuxTerminal.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nw watcher test-connectivity} in a real terminal: a tmux session on a private socket runs the
 * command in a separate JVM while the source agent reports its probes and hops step by step. The
 * panel must redraw in place (one header and one probes line on screen, never a scrolling list), its
 * probe count must grow, and hops must appear as they are found.
 */
@Tag("external")
@Timeout(180)
class TerminalCheckProgressTest {
    @TempDir
    Path tmp;

    @Test
    void testConnectivity_onTerminal_redrawsPanelWithProbesAndHopsAsFound() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30));
             ScriptedChecker app = new ScriptedChecker(c, "lab", "app", "westeurope", "198.18.1.10", Duration.ofMillis(700));
             ScriptedChecker db = new ScriptedChecker(c, "lab", "db", "westeurope", "198.18.3.10", Duration.ofMillis(700))) {
            app.path = List.of("198.18.1.1", "198.18.2.2", "198.18.3.10");
            app.failing = 10;
            Path config = tmp.resolve("config.json");
            var login = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                    "--ca-file", c.controller.caFile().toString());
            assertEquals(0, login.exit(), login.toString());

            try (TmuxTerminal terminal = new TmuxTerminal("watcher", "test-connectivity", "--source-resource", "app",
                    "--dest-resource", "db", "--dest-port", "5432", "--config", config.toString())) {
                String first = terminal.waitFor(p -> p.contains("check to db  probing") && p.contains("  hop  1  198.18.1.1"), "a hop");
                String firstProbes = line(first, "  probes ");
                String second = terminal.waitFor(p -> p.contains("  hop  2  198.18.2.2") && !line(p, "  probes ").equals(firstProbes),
                        "a second hop and more probes");
                assertNotEquals(firstProbes, line(second, "  probes "));
                for (String pane : List.of(first, second)) {
                    assertEquals(1, pane.lines().filter(l -> l.startsWith("check to db")).count(), "redrawn in place:\n" + pane);
                    assertEquals(1, pane.lines().filter(l -> l.startsWith("  probes ")).count(), "redrawn in place:\n" + pane);
                    assertEquals(1, pane.lines().filter(l -> l.startsWith("  hop  1 ")).count(), "redrawn in place:\n" + pane);
                    assertTrue(pane.lines().anyMatch(l -> l.matches("check to db  probing  \\[[#.]{20}] \\d+%")), pane);
                    assertTrue(pane.lines().anyMatch(l -> l.matches("  probes \\d+ sent, \\d+ failed")), pane);
                }

                String end = terminal.waitFor(p -> p.contains("EXIT="), "the command's end");
                assertTrue(end.contains("EXIT=0"), end);
                assertTrue(end.contains("check to db  done  [####################] 100%"), end);
                assertTrue(end.contains("  probes 100 sent, 10 failed   Degraded"), end);
                assertTrue(end.contains("  hop  3  198.18.3.10"), end);
                assertEquals(1, end.lines().filter(l -> l.startsWith("  probes ")).count(), end);
            }
        }
    }
}
