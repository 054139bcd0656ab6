package netwatcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** Every command of the {@code nw} tree answers {@code --help}; usage errors are short. No controller needed. */
class HelpTreeTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("<arg\\d+>");

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(args); // the launcher's partial tree
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The argument lists that reach every command of the tree: [], [admin], [admin, role], ... */
    static List<List<String>> paths(CommandLine command, List<String> prefix) {
        List<List<String>> all = new ArrayList<>();
        all.add(prefix);
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandName().equals(name)) return; // an alias
            if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) return;
            List<String> next = new ArrayList<>(prefix);
            next.add(name);
            all.addAll(paths(sub, next));
        });
        return all;
    }

    @TestFactory
    List<DynamicTest> help_onEveryCommand_exitsZeroWithoutPlaceholders() {
        List<List<String>> paths = paths(Main.commandLine(), List.of());
        assertTrue(paths.size() > 40, "the walk found only " + paths.size() + " commands");
        return paths.stream().map(p -> DynamicTest.dynamicTest("nw " + String.join(" ", p) + " --help", () -> {
            List<String> args = new ArrayList<>(p);
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), () -> "nw " + args + ": " + r);
            assertTrue(r.out().startsWith("Usage: nw"), r.out());
            assertFalse(PLACEHOLDER.matcher(r.out()).find(), () -> "a placeholder in:\n" + r.out());
            assertEquals("", r.err());
        })).toList();
    }

    @Test
    void unknownOption_printsOneLineAndWhereHelpIs() {
        Run r = run("watcher", "packet-capture", "show", "--bogus");
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.size() <= 3, r.err());
        assertTrue(lines.getFirst().startsWith("ERROR: UsageError: "), r.err());
        assertEquals("See 'nw watcher packet-capture show --help'.", lines.getLast());
    }

    @Test
    void missingRequiredOption_printsOneLineAndWhereHelpIs() {
        Run r = run("admin", "role", "assign", "--role", "Reader");
        assertEquals(2, r.exit());
        assertEquals(List.of("ERROR: UsageError: Missing required options: '--principal=PRINCIPAL', '--scope=SCOPE'",
                "See 'nw admin role assign --help'."), r.err().lines().toList());
    }

    @Test
    void commandsOwnUsageCheck_pointsAtHelpToo() {
        Run r = run("vm", "show", "--config", "/nonexistent/nw-config.json");
        assertEquals(2, r.exit());
        assertEquals(List.of("ERROR: UsageError: give either --ids ID or -n NAME (with -g RG)", "See 'nw vm show --help'."),
                r.err().lines().toList());
    }
}
