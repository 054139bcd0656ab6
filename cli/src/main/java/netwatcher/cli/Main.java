package netwatcher.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nw} command tree. */
@Command(name = "nw", mixinStandardHelpOptions = true, version = "netwatcher 0.1.0",
        description = "netwatcher: Azure Network Watcher's API for any Linux fleet.",
        footerHeading = "%n", footer = netwatcher.cli.client.ExitCodes.HELP,
        subcommands = {UpCommand.class, AgentCommand.class, netwatcher.cli.admin.AdminCommand.class, netwatcher.cli.lab.LabCommand.class,
            netwatcher.cli.client.LoginCommand.class, netwatcher.cli.client.LogoutCommand.class,
            netwatcher.cli.client.VmCommand.class,
            netwatcher.cli.client.WatcherCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
