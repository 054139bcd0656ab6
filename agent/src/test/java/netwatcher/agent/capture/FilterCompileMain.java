package netwatcher.agent.capture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A child JVM for {@link FilterLimitsTest}, started with the agent's real JVM options:
 * {@code FilterCompileMain guarded|capture|unguarded <file with the filter text> [output]}.
 * {@code guarded} checks the filter the way the agent does now ({@link CaptureEngine#checkFilter});
 * {@code capture} starts and stops a capture on {@code lo} with it into {@code output} (the live
 * handle's compile, on the capture thread); {@code unguarded} compiles it on an ordinary platform
 * thread, the way the agent's orders thread did before. Prints
 * {@code SURVIVED <outcome>} when the JVM is still alive afterwards.
 */
public final class FilterCompileMain {
    private FilterCompileMain() {}

    public static void main(String[] args) throws Exception {
        String bpf = Files.readString(Path.of(args[1]));
        String outcome;
        try {
            if (args[0].equals("guarded")) {
                CaptureEngine.checkFilter(bpf, Pcap.DLT_EN10MB);
            } else if (args[0].equals("capture")) {
                CaptureOptions options = CaptureOptions.of(Path.of(args[2])).withInterfaces(List.of("lo")).withBpfFilter(bpf);
                CaptureSession.start(options, result -> { }).close();
            } else {
                Thread plain = Thread.ofPlatform().start(() -> CaptureEngine.compileOnThisThread(bpf, Pcap.DLT_EN10MB));
                plain.join();
            }
            outcome = "compiled";
        } catch (CaptureException e) {
            outcome = "refused: " + e.getMessage();
        }
        System.out.println("SURVIVED " + outcome);
    }
}
