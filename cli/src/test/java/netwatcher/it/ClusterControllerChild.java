package netwatcher.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;

/**
 * One controller of a cluster lab test ({@link ClusterFailoverLabTest}, {@link ClusterLiveStreamLabTest}) in its own
 * JVM (so that it can be killed with -9): starts on the data directory given as the only argument (port 0), prints
 * {@code READY <port> <subscription> <controllerId>} once it serves requests, then runs until killed.
 * {@link #launch} starts one from a test.
 */
public final class ClusterControllerChild {
    private ClusterControllerChild() {}

    /** A launched controller process: its port and controller id, and the data directory (its log is {@code controller.log} there). */
    record Launched(Process process, int port, String id, Path dir) {}

    /**
     * Starts a controller on data directory {@code dir} in a JVM of the test's class path, waits for its {@code READY}
     * line and keeps its standard output drained; the process is killed when this JVM exits, even mid-test.
     */
    static Launched launch(Path dir) {
        try {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Process p = new ProcessBuilder(java.toString(), "-cp", cp, ClusterControllerChild.class.getName(), dir.toString())
                    .redirectError(dir.resolve("controller.log").toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // also when this JVM is stopped mid-test
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("READY ")) {
                    String[] parts = line.split(" ");
                    Thread.ofVirtual().start(() -> drain(out)); // keep its stdout flowing
                    return new Launched(p, Integer.parseInt(parts[1]), parts[3], dir);
                }
            }
            p.destroyForcibly();
            throw new AssertionError("the controller on " + dir + " exited with " + p.waitFor() + " before it was ready; see "
                    + dir.resolve("controller.log"));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // discarded
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    public static void main(String[] args) throws Exception {
        Controller c = Controller.start(ControllerConfig.load(Path.of(args[0]), 0), Clock.systemUTC());
        System.out.println("READY " + c.port() + " " + c.defaultSubscription().id() + " " + c.controllerId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
