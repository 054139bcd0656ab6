package netwatcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** The launcher's partial tree (only the branch a call names) answers exactly as the whole tree. Pure: no controller. */
class CommandTreeTest {
    private static String help(CommandLine root, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        root.setOut(new PrintWriter(out, true));
        root.setErr(new PrintWriter(err, true));
        int exit = root.execute(args.toArray(String[]::new));
        return "exit " + exit + "\n" + out + "\n--- err ---\n" + err;
    }

    private static int size(CommandLine c) {
        return 1 + c.getSubcommands().values().stream().distinct().mapToInt(CommandTreeTest::size).sum();
    }

    @TestFactory
    Stream<DynamicTest> helpOfEveryCommand_isTheSameInThePartialTree() {
        List<List<String>> paths = HelpTreeTest.paths(Main.commandLine(), List.of());
        return paths.stream().map(p -> DynamicTest.dynamicTest("nw " + String.join(" ", p) + " --help", () -> {
            List<String> args = new ArrayList<>(p);
            args.add("--help");
            assertEquals(help(Main.commandLine(), args), help(Main.commandLine(args.toArray(String[]::new)), args));
        }));
    }

    @Test
    void routineCall_buildsOnlyItsBranch() {
        CommandLine partial = Main.commandLine("watcher", "packet-capture", "show-status", "-n", "pc1");
        assertEquals(List.of("watcher"), List.copyOf(partial.getSubcommands().keySet()));
        CommandLine pc = partial.getSubcommands().get("watcher").getSubcommands().get("packet-capture");
        assertEquals(List.of("show-status"), List.copyOf(pc.getSubcommands().keySet()));
        assertEquals(4, size(partial));
        assertTrue(size(Main.commandLine()) > 40, "the whole tree has " + size(Main.commandLine()) + " commands");
    }

    @Test
    void parsedCall_isTheSameInThePartialTree() {
        for (String[] args : List.of(
                new String[] {"watcher", "packet-capture", "show-status", "-g", "rg", "-n", "pc1", "-o", "table"},
                new String[] {"vm", "list", "-o", "tsv", "--query", "[].name"},
                new String[] {"admin", "--data-dir", "/tmp/x", "role", "assign", "--principal", "p", "--role", "Reader", "--scope", "/s"},
                new String[] {"admin", "role", "assign", "--data-dir", "/tmp/x", "--principal", "p", "--role", "Reader", "--scope", "/s"})) {
            assertEquals(describe(Main.commandLine().parseArgs(args)), describe(Main.commandLine(args).parseArgs(args)), String.join(" ", args));
        }
    }

    @Test
    void typoOrHelpCommand_seesEverySibling() {
        List<String> typo = List.of("vm", "lst");
        String partial = help(Main.commandLine(typo.toArray(String[]::new)), typo);
        assertTrue(partial.contains("Did you mean: vm list?"), partial);
        assertEquals(help(Main.commandLine(), typo), partial);
        List<String> helpVm = List.of("help", "vm");
        assertEquals(help(Main.commandLine(), helpVm), help(Main.commandLine(helpVm.toArray(String[]::new)), helpVm));
    }

    /** Every matched command, with each matched option and its value, from the root down. */
    private static List<String> describe(CommandLine.ParseResult r) {
        List<String> all = new ArrayList<>();
        for (CommandLine.ParseResult p = r; p != null; p = p.subcommand()) {
            all.add(p.commandSpec().qualifiedName());
            p.matchedOptions().forEach(o -> all.add(o.longestName() + "=" + o.getValue()));
            p.matchedPositionals().forEach(o -> all.add(o.paramLabel() + "=" + o.getValue()));
        }
        return all;
    }
}
