package netwatcher.cli.client;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A real terminal for tests: one tmux session (150 x 30) on a private socket ({@code nwt} + 8 random
 * characters) running {@code nw ARGS} in a separate JVM with this test's class path, its standard output
 * discarded, then {@code EXIT=<code>}. {@link #close()} kills the tmux server.
 */
final class TmuxTerminal implements AutoCloseable {
    private final String socket = "nwt" + UUID.randomUUID().toString().substring(0, 8);

    /** Starts {@code nw} with {@code args} (each single-quoted for the shell) in the pane. */
    TmuxTerminal(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringBuilder command = new StringBuilder("'" + java + "' -cp '" + cp + "' netwatcher.cli.Main");
        for (String arg : args) command.append(" '").append(arg).append("'");
        command.append(" > /dev/null; echo EXIT=$?; sleep 120");
        run("tmux", "-L", socket, "new-session", "-d", "-s", "nwt", "-x", "150", "-y", "30", command.toString());
    }

    /** The pane's text once it satisfies {@code condition} (polled every 200 ms for up to 60 s). */
    String waitFor(Predicate<String> condition, String what) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        String pane = "";
        while (Instant.now().isBefore(deadline)) {
            pane = run("tmux", "-L", socket, "capture-pane", "-p", "-t", "nwt");
            if (condition.test(pane)) return pane;
            Thread.sleep(200);
        }
        throw new AssertionError("the pane never showed " + what + ":\n" + pane);
    }

    /** The first line of {@code pane} starting with {@code prefix}, or "". */
    static String line(String pane, String prefix) {
        return pane.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
    }

    @Override
    public void close() throws Exception {
        new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor();
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        return out;
    }
}
