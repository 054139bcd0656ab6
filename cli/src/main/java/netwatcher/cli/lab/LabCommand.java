package netwatcher.cli.lab;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import netwatcher.cli.discovery.ControllerDiscovery;
import netwatcher.cli.discovery.ControllerRecord;
import netwatcher.lab.Lab;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabSpec;
import netwatcher.lab.Topology;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nw lab up|down}: the network-namespace lab with real agents (docs/lab.md). Needs root.
 * Not thread-safe: picocli creates one instance per invocation.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "The network-namespace lab: hosts app, fw1, fw2, db (with agents), inet, web. Needs root.")
public final class LabCommand implements Runnable {
    /** The subcommands, in usage order; {@link netwatcher.cli.CommandTree} adds only the one a call names. */
    public static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(Up.class, Down.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code nw lab up}: builds the lab and its agents, in the foreground until Ctrl-C or {@code nw lab down}. */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Build the lab with one agent per agent host, enrolled with the controller that",
                    "`./nw up --data-dir DIR` runs. Stays in the foreground; Ctrl-C (or `nw lab down`) removes it."})
    public static final class Up implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The controller's data directory (default: .nw-data, here or in the netwatcher home).")
        Path dataDir = ControllerDiscovery.defaultDataDir();

        @Option(names = "--topology", description = "Topology file (JSON, docs/lab.md); default: the built-in lab.")
        Path topology;

        @Option(names = "--port", description = "The controller's port on 127.0.0.1 (default: the one `nw up` recorded in DIR/controller.json).")
        Integer port;

        @Option(names = "--location", defaultValue = LabAgents.LOCATION, description = "Location of the lab VMs (default: ${DEFAULT-VALUE}).")
        String location;

        @Option(names = "--log-format", paramLabel = "text|json",
                description = "Log lines on stderr and in the agents' agent.log: text (default) or json (one object per line).")
        String logFormat;

        @Override
        public Integer call() throws Exception {
            if (logFormat != null) {
                try {
                    netwatcher.logging.Logging.configure(netwatcher.logging.LogFormat.parse("--log-format", logFormat));
                } catch (IllegalArgumentException e) {
                    System.err.println("nw lab up: " + e.getMessage());
                    return 2;
                }
            }
            Path dir = dataDir.toAbsolutePath().normalize();
            InetSocketAddress controller;
            try {
                controller = controller(dataDir, port);
            } catch (IllegalStateException e) {
                System.err.println("nw lab up: " + e.getMessage());
                return 1;
            }
            int controllerPort = controller.getPort();
            Topology t = Topology.readOrDefault(topology);
            LabHandle lab;
            try {
                lab = LabSession.up(dir, t, controller.getHostString(), controllerPort, location);
            } catch (RuntimeException e) {
                System.err.println("nw lab up: " + e.getMessage());
                return 1;
            }
            System.out.println("nw lab: up; agents on " + String.join(", ", LabSession.agentHosts(lab))
                    + " enroll with " + lab.spec().controllerUrl() + " (logs: " + dir.resolve("lab/hosts/<host>/agent.log") + ")");
            System.out.println("Ctrl-C or `nw lab down --data-dir " + dataDir + "` removes it.");
            System.out.flush();
            LabSession.awaitRemoval(dir);
            System.out.println("nw lab: removed");
            return 0;
        }
    }

    /**
     * Where this process reaches the controller of {@code dataDir}: {@code 127.0.0.1:port} when a port is
     * given, else the address the data directory's record names, when that controller runs.
     *
     * @throws IllegalStateException saying at once that no controller runs, or never ran, there, with the fix
     */
    public static InetSocketAddress controller(Path dataDir, Integer port) {
        if (port != null) return InetSocketAddress.createUnresolved("127.0.0.1", port);
        return switch (ControllerDiscovery.find(dataDir)) {
            case ControllerDiscovery.Running running ->
                    InetSocketAddress.createUnresolved(running.record().host(), running.record().port());
            case ControllerDiscovery.NotRunning notRunning -> throw new IllegalStateException(notRunning.reason());
            case ControllerDiscovery.NoRecord none -> throw new IllegalStateException("no controller has run with " + dataDir
                    + " (no " + ControllerRecord.file(dataDir) + "): start one with `./nw up"
                    + (dataDir.normalize().equals(Path.of(ControllerDiscovery.DEFAULT_DATA_DIR)) ? "" : " --data-dir " + dataDir)
                    + "` first (or give --port of a controller using this directory)");
        };
    }

    /** {@code nw lab down}: removes what the lab state file records, from any process. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove the lab recorded in DIR/lab/state.json (safe to repeat).")
    public static final class Down implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "The data directory (default: .nw-data, here or in the netwatcher home).")
        Path dataDir;

        @Override
        public Integer call() {
            Path dir = ControllerDiscovery.dataDirOrDefault(dataDir);
            try {
                boolean removed = Lab.down(dir.toAbsolutePath().normalize(), LabSpec.DEFAULT_LAB_NAME);
                System.out.println(removed ? "nw lab: removed" : "nw lab: no lab recorded in " + dir);
                return 0;
            } catch (RuntimeException e) {
                System.err.println("nw lab down: " + e.getMessage());
                return 1;
            }
        }
    }
}
