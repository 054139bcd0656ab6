package netwatcher.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
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

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir.toAbsolutePath();
        ControllerConfig config = ControllerConfig.load(dir, port);
        Controller controller = Controller.start(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nnw: stopping...");
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
}
