package netwatcher.bench;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.cli.lab.LabAgents;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import netwatcher.controller.tls.TlsConfig;
import netwatcher.controller.tls.TlsSetup;
import netwatcher.lab.Lab;
import netwatcher.lab.LabHandle;
import netwatcher.lab.LabSpec;
import netwatcher.lab.Topology;

/**
 * The lab the capture benches run in: a controller in the benchmark's JVM on embedded H2 (data under a temporary
 * folder), the hosts of a topology file as network namespaces with their agents stopped until a bench starts the
 * real agent on the host it measures, and an admin HTTPS client. {@link #close()} removes the lab and stops the
 * controller; {@link #removeData()} deletes the folder (a bench calls it only after a run that succeeded, so a failed
 * run keeps its logs).
 */
final class BenchLab implements AutoCloseable {
    final Path dir;
    final Path controllerDir;
    final Controller controller;
    final LabHandle lab;
    final String subscription;
    final Https https;
    private final LabSpec spec;
    private final AtomicReference<List<String>> agentCommand;

    private BenchLab(Path dir, LabSpec spec, Controller controller, LabHandle lab, AtomicReference<List<String>> agentCommand)
            throws Exception {
        this.dir = dir;
        this.controllerDir = dir.resolve("controller");
        this.spec = spec;
        this.controller = controller;
        this.lab = lab;
        this.subscription = controller.defaultSubscription().id();
        this.https = new Https(controller.baseUrl(), controller.caFile(), controller.adminToken());
        this.agentCommand = agentCommand;
    }

    /** Starts the controller, then the lab of {@code topologyFile}; {@code tempPrefix} names the data folder. */
    static BenchLab up(String tempPrefix, Path topologyFile) throws Exception {
        Path dir = Files.createTempDirectory(tempPrefix);
        Path controllerDir = dir.resolve("controller");
        String labName = LabSpec.randomLabName('b');
        String mgmt = LabSpec.freeManagementNetwork();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AtomicReference<List<String>> agentCommand = new AtomicReference<>();
        LabSpec spec = LabSpec.of(dir).withLabName(labName).withControllerPort(port).withManagementNetwork(mgmt)
                .withAgentsStopped(host -> agentCommand.get());
        TlsSetup.ensure(controllerDir, TlsConfig.withExtraNames(List.of(spec.controllerAddress())));
        System.out.printf("lab %s (management %s), data %s%n", labName, mgmt, dir);
        Controller controller = Controller.start(ControllerConfig.load(controllerDir, port), Clock.systemUTC());
        try {
            LabHandle lab = Lab.up(spec, Topology.read(topologyFile));
            controller.listen(lab.controllerAddress());
            return new BenchLab(dir, spec, controller, lab, agentCommand);
        } catch (Exception | Error e) {
            stop(controller);
            throw e;
        }
    }

    /** The real agent's launcher for this lab, as {@code nw agent} runs it, its VMs in resource group "bench". */
    LabAgents agents() {
        return LabAgents.ofThisJvm(spec.controllerUrl(), controller.adminToken(), subscription, "westeurope", controller.caFile())
                .withResourceGroup("bench");
    }

    /** The ARM id of {@code host}'s VM. */
    String vmId(String host) {
        return "/subscriptions/" + subscription + "/resourceGroups/bench/providers/Microsoft.Compute/virtualMachines/" + host;
    }

    /** Starts {@code command} as {@code host}'s agent and waits until it registered its VM; answers the VM's id. */
    String startAgent(String host, List<String> command) throws Exception {
        agentCommand.set(List.copyOf(command));
        lab.startAgent(host);
        String vmId = vmId(host);
        CaptureBench.waitFor(Duration.ofSeconds(60), () -> https.send("GET", vmId + "?api-version=2024-07-01", null).status() == 200,
                "agent registered");
        return vmId;
    }

    /** Removes the lab (its agents with it), then stops the controller. */
    @Override
    public void close() throws Exception {
        try {
            lab.close();
        } finally {
            stop(controller);
        }
        System.out.println("lab removed");
    }

    /** Deletes the data folder. */
    void removeData() throws java.io.IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void stop(Controller controller) {
        try {
            controller.close();
        } catch (Exception e) { // e.g. Jetty's graceful stop timing out on a killed agent's long-poll
            System.err.println("controller close: " + e);
        }
    }
}
