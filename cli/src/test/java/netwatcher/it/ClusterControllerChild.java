package netwatcher.it;

import java.nio.file.Path;
import java.time.Clock;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;

/**
 * One controller of {@link ClusterFailoverLabTest} in its own JVM (so that it can be killed with -9): starts
 * on the data directory given as the only argument (port 0), prints {@code READY <port> <subscription>
 * <controllerId>} once it serves requests, then runs until killed.
 */
public final class ClusterControllerChild {
    private ClusterControllerChild() {}

    public static void main(String[] args) throws Exception {
        Controller c = Controller.start(ControllerConfig.load(Path.of(args[0]), 0), Clock.systemUTC());
        System.out.println("READY " + c.port() + " " + c.defaultSubscription().id() + " " + c.controllerId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
