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
 * {@code nw watcher packet-capture watch} in a real terminal: a tmux session on a private socket runs
 * the command in a separate JVM; the pane is captured while the agent's counters grow. The panel must
 * redraw in place (one packets line on screen, never a scrolling list) and its counters must change.
 */
@Tag("external")
@Timeout(180)
class TerminalProgressTest {
    @TempDir
    Path tmp;

    @Test
    void watch_onTerminal_redrawsPanelWithGrowingCounters() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30));
             ScriptedAgent agent = new ScriptedAgent(c, "lab", "tvm", "westeurope", Pcaps.udp(5, 64))) {
            Path config = tmp.resolve("config.json");
            var login = Cli.run("login", "--config", config.toString(), "--endpoint", c.controller.baseUrl(), "--token", c.token,
                    "--ca-file", c.controller.caFile().toString());
            assertEquals(0, login.exit(), login.toString());
            var create = Cli.run("watcher", "packet-capture", "create", "--vm", "tvm", "-n", "tcap", "--storage-account", "netwatcherlocal",
                    "--time-limit", "600", "--capture-limit", "1000000", "--config", config.toString());
            assertEquals(0, create.exit(), create.toString());

            try (TmuxTerminal terminal = new TmuxTerminal("watcher", "packet-capture", "watch", "tcap", "--config", config.toString())) {
                String first = terminal.waitFor(p -> p.contains("packets ") && p.contains("time left"), "the panel");
                String firstCounters = line(first, "  packets ");
                String second = terminal.waitFor(p -> p.contains("packets ") && !line(p, "  packets ").equals(firstCounters), "changed counters");
                assertNotEquals(firstCounters, line(second, "  packets "));
                for (String pane : List.of(first, second)) {
                    assertTrue(pane.contains("capture tcap  Running"), pane);
                    assertEquals(1, pane.lines().filter(l -> l.startsWith("  packets ")).count(), "redrawn in place:\n" + pane);
                    assertTrue(pane.contains(" / 976.6 KiB  ["), "bytes against the limit:\n" + pane);
                    assertTrue(pane.lines().anyMatch(l -> l.matches("  drops kernel \\d+ interface 0   time left \\d+:\\d\\d")), pane);
                }

                assertEquals(0, Cli.run("watcher", "packet-capture", "stop", "-n", "tcap", "--config", config.toString()).exit());
                String end = terminal.waitFor(p -> p.contains("EXIT="), "the command's end");
                assertTrue(end.contains("capture tcap  Stopped (StoppedByRequest)"), end);
                assertTrue(end.contains("EXIT=0"), end);
                assertEquals(1, end.lines().filter(l -> l.startsWith("  packets ")).count(), end);
            }
        }
    }
}
