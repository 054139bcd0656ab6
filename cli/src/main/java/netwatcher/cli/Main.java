package netwatcher.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code nw} command tree. {@link #commandLine()} builds it the one way the launcher and the
 * tests use: a usage error prints one line and where to find help, not the whole usage. Every
 * command declares {@code mixinStandardHelpOptions} (method commands too: adding the help options to
 * a method command's spec at run time would shift its parameters), so {@code -h/--help} works
 * whatever its required options; HelpTreeTest walks the tree to keep it so.
 */
@Command(name = "nw", mixinStandardHelpOptions = true, version = "netwatcher 0.1.0",
        description = "netwatcher: Azure Network Watcher's API for any Linux fleet.",
        footerHeading = "%n", footer = netwatcher.cli.client.ExitCodes.HELP)
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The whole {@code nw} tree, ready to {@link CommandLine#execute}. */
    public static CommandLine commandLine() {
        return configured(CommandTree.whole(new Main()));
    }

    /**
     * The tree that {@code args} need: only the branch they name (CommandTree), which parses and runs
     * them as the whole tree would, at a fraction of the start-up cost. What the launcher runs.
     */
    public static CommandLine commandLine(String... args) {
        return configured(CommandTree.forArgs(new Main(), args));
    }

    /** Settings for the whole built tree (picocli copies them only to subcommands already added). */
    private static CommandLine configured(CommandLine root) {
        root.setParameterExceptionHandler(Main::usageError);
        return root;
    }

    /** A usage error: one line with the fix, then where the full usage is; exit code 2 (ExitCodes.USAGE). */
    static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("ERROR: UsageError: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }
}
