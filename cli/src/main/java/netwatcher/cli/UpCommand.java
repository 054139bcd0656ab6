package netwatcher.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import netwatcher.agent.Agent;
import netwatcher.agent.AgentConfig;
import netwatcher.agent.EngineCaptureRunner;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nw up}: the controller in the foreground, until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the controller (and a local agent) in the foreground on embedded defaults. Ctrl-C stops it.")
public final class UpCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Where everything is kept (default: ${DEFAULT-VALUE}).", defaultValue = ".nw-data")
    Path dataDir;

    @Option(names = "--port", description = "HTTPS port (default: 8443).")
    Integer port;

    @Option(names = "--no-agent", description = "Do not start the local agent.")
    boolean noAgent;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir.toAbsolutePath();
        ControllerConfig config = ControllerConfig.load(dir, port);
        Controller controller = Controller.start(config, Clock.systemUTC());
        Agent agent = noAgent ? null : startLocalAgent(controller, dir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nnw: stopping...");
            if (agent != null) agent.close();
            try {
                controller.close();
            } catch (Exception e) {
                System.err.println("nw: error while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "nw-shutdown"));
        String sub = controller.defaultSubscription().id();
        String ca = controller.caFile() == null ? "" : " --cacert " + controller.caFile();
        System.out.printf("""
                netwatcher is up.
                  API base URL:   %s
                  admin token:    %s
                  CA certificate: %s
                  subscription:   %s
                Try:
                  curl%s -H "Authorization: Bearer $(cat %s)" "%s/subscriptions/%s/providers/Microsoft.Network/networkWatchers?api-version=2025-05-01"
                Ctrl-C stops it.
                """, controller.baseUrl(), controller.adminTokenFile(), controller.caFile(), sub, ca, controller.adminTokenFile(),
                controller.baseUrl(), sub);
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** The local agent: this machine becomes a VM of the default subscription at once. */
    static Agent startLocalAgent(Controller controller, Path dir) {
        boolean root = "root".equals(System.getProperty("user.name"));
        String host = AgentConfig.hostName().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("controller-url", controller.baseUrl());
        settings.put("enrollment-token", controller.adminToken());
        settings.put("vm-name", host.isEmpty() ? "localhost" : host);
        settings.put("resource-group", "local");
        settings.put("location", "local");
        settings.put("subscription-id", controller.defaultSubscription().id());
        if (controller.caFile() != null) settings.put("ca-file", controller.caFile().toString());
        settings.put("state-dir", dir.resolve("agent").toString());
        settings.put("captures-root", root ? "/var/captures" : dir.resolve("captures").toString());
        try {
            Agent agent = Agent.start(AgentConfig.fromSettings(settings), EngineCaptureRunner.create(), Agent.Tuning.DEFAULT,
                    java.time.InstantSource.system());
            System.out.println("  local agent:    VM " + settings.get("vm-name") + " in resource group 'local', location 'local'"
                    + (root ? "" : " (captures under " + settings.get("captures-root") + ": not root)"));
            return agent;
        } catch (Exception e) {
            System.out.println("  local agent:    not started: " + e.getMessage());
            return null;
        }
    }
}
