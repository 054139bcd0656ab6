package netwatcher.cli.client;

import picocli.CommandLine.Command;

/** {@code nw watcher}: network watchers and, under them, packet captures and the checks (test-connectivity, show-next-hop, test-ip-flow). */
@Command(name = "watcher", description = "Network watchers (one per subscription and location) and their operations.",
        mixinStandardHelpOptions = true)
public final class WatcherCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(ListWatchers.class, PacketCaptureCommand.class,
            ConnectivityCommand.TestConnectivity.class, ConnectivityCommand.ShowNextHop.class, ConnectivityCommand.TestIpFlow.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    @Command(name = "list", description = "List the network watchers of the subscription.",
            mixinStandardHelpOptions = true, footerHeading = "%nExamples:%n", footer = {
                "  nw watcher list",
                "  nw watcher list -o table",
                "  nw watcher list --query [0].location -o tsv"})
    public static final class ListWatchers extends ArmCommand {
        @Override
        protected int execute() {
            var items = Output.array();
            new Lookup(client()).watchers().forEach(items::add);
            print(items);
            return 0;
        }
    }
}
