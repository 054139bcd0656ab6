package netwatcher.bench;

import java.nio.file.Path;
import java.time.Clock;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;

/**
 * A controller in its own JVM for {@link ClusterScaleBench}: starts on the data directory given as the only
 * argument (port 0) and prints {@code READY <baseUrl> <controllerId> <subscription> <caFile>} once it serves,
 * then runs until killed (SIGTERM closes it; SIGKILL is the bench's crash).
 */
public final class ControllerProcess {
    private ControllerProcess() {}

    public static void main(String[] args) throws Exception {
        Controller c = Controller.start(ControllerConfig.load(Path.of(args[0]), 0), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                c.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        System.out.println("READY " + c.baseUrl() + " " + c.controllerId() + " " + c.defaultSubscription().id() + " " + c.caFile());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
