package netwatcher.cli.lab;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import netwatcher.controller.ControllerConfig;
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
        @Option(names = "--data-dir", defaultValue = ".nw-data", description = "The controller's data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(names = "--topology", description = "Topology file (JSON, docs/lab.md); default: the built-in lab.")
        Path topology;

        @Option(names = "--port", description = "The controller's port (default: from DIR/controller.properties, else 8443).")
        Integer port;

        @Option(names = "--location", defaultValue = LabAgents.LOCATION, description = "Location of the lab VMs (default: ${DEFAULT-VALUE}).")
        String location;

        @Override
        public Integer call() throws Exception {
            Path dir = dataDir.toAbsolutePath().normalize();
            int controllerPort = port != null ? port : ControllerConfig.load(dir, null).port();
            Topology t = Topology.readOrDefault(topology);
            LabHandle lab;
            try {
                lab = LabSession.up(dir, t, "127.0.0.1", controllerPort, location);
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

    /** {@code nw lab down}: removes what the lab state file records, from any process. */
    @Command(name = "down", mixinStandardHelpOptions = true, description = "Remove the lab recorded in DIR/lab/state.json (safe to repeat).")
    public static final class Down implements Callable<Integer> {
        @Option(names = "--data-dir", defaultValue = ".nw-data", description = "The data directory (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Override
        public Integer call() {
            try {
                boolean removed = Lab.down(dataDir.toAbsolutePath().normalize(), LabSpec.DEFAULT_LAB_NAME);
                System.out.println(removed ? "nw lab: removed" : "nw lab: no lab recorded in " + dataDir);
                return 0;
            } catch (RuntimeException e) {
                System.err.println("nw lab down: " + e.getMessage());
                return 1;
            }
        }
    }
}
