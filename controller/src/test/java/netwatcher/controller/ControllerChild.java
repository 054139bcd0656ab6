package netwatcher.controller;

import java.nio.file.Path;
import java.time.Clock;

/**
 * A controller in its own JVM for {@link RestartDurabilityTest}: starts on the data directory given
 * as the only argument (port 0), prints {@code READY <baseUrl> <subscription>} once it serves
 * requests, then runs until killed. A SIGTERM ({@code Process.destroy()}) closes it cleanly (as a service manager's
 * stop does); SIGKILL ({@code destroyForcibly()}) does not.
 */
public final class ControllerChild {
    private ControllerChild() {}

    public static void main(String[] args) throws Exception {
        Controller c = Controller.start(ControllerConfig.load(Path.of(args[0]), 0), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                c.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        System.out.println("READY " + c.baseUrl() + " " + c.defaultSubscription().id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
