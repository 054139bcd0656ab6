package netwatcher.cli.admin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import netwatcher.controller.Controller;
import netwatcher.controller.ControllerConfig;

/**
 * A controller in its own JVM (the embedded database's file lock is per process, so only another
 * process shows what {@code nw admin} meets when a controller holds the data directory).
 * {@link #main} prints {@code READY <baseUrl>} and runs until killed.
 */
final class ControllerProcess implements AutoCloseable {
    final Process process;
    final String baseUrl;

    ControllerProcess(Path dir) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), ControllerProcess.class.getName(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String url = null;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                url = line.substring(6).trim();
                break;
            }
        }
        if (url == null) {
            process.destroyForcibly();
            throw new AssertionError("the controller process exited before it was ready");
        }
        baseUrl = url;
    }

    public static void main(String[] args) throws Exception {
        Controller c = Controller.start(ControllerConfig.load(Path.of(args[0]), 0), Clock.systemUTC());
        System.out.println("READY " + c.baseUrl());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly().waitFor();
    }
}
