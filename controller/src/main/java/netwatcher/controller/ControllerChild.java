package netwatcher.controller;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A controller in its own JVM, for the tests and benchmarks that need real controller processes (killed with -9,
 * several on one database, versions side by side): {@link #main} starts a controller on the data directory given as
 * the only argument (port 0) and prints {@code READY <baseUrl> <subscription> <controllerId> <caFile>} once it serves,
 * then runs until killed: SIGTERM ({@code Process.destroy()}) closes it cleanly, as a service manager's stop does;
 * SIGKILL ({@code destroyForcibly()}) does not. {@link #start} launches one and waits for that line. Not a way to
 * run the product ({@code nw up} is).
 */
public final class ControllerChild {
    private ControllerChild() {}

    /**
     * A started controller process.
     *
     * @param process      the JVM
     * @param baseUrl      its HTTPS base URL
     * @param subscription its default subscription's id
     * @param controllerId its id in the cluster
     * @param caFile       the CA certificate that signed its TLS certificate
     */
    public record Started(Process process, String baseUrl, String subscription, String controllerId, Path caFile) {}

    public static void main(String[] args) throws Exception {
        Controller c = Controller.start(ControllerConfig.load(Path.of(args[0]), 0), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                c.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        System.out.println("READY " + c.baseUrl() + " " + c.defaultSubscription().id() + " " + c.controllerId() + " " + c.caFile());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Starts a controller JVM on {@code dataDirectory} and waits until it serves; its later output is drained.
     *
     * @param jvmOptions options before the class path (heap, system properties)
     * @param classPath  the class path (this JVM's, or one with more in front)
     * @param log        where its standard error goes; null: this JVM's
     * @throws IllegalStateException when it exits before it is ready (its exit code, and its log when there is one)
     */
    public static Started start(Path dataDirectory, List<String> jvmOptions, String classPath, Path log) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, ControllerChild.class.getName(), dataDirectory.toString()));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectError(log == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(log.toFile())).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("READY ")) {
                    String[] parts = line.split(" ");
                    Thread.ofPlatform().daemon().name("controller-child-out").start(() -> drain(out));
                    return new Started(p, parts[1], parts[2], parts[3], Path.of(parts[4]));
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("the controller on " + dataDirectory + " exited with " + p.waitFor() + " before it was ready"
                    + (log == null ? "" : ": " + Files.readString(log)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the controller on " + dataDirectory + " started", e);
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // discarded: it printed what the caller needs
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
