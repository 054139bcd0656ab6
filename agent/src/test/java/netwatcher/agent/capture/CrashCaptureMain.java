package netwatcher.agent.capture;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A child-JVM capture for the kill -9 test: {@code CrashCaptureMain <interface> <bpf> <output>}
 * starts a capture that flushes every 100 ms, prints {@code ARMED} and waits to be killed.
 */
public final class CrashCaptureMain {
    private CrashCaptureMain() {}

    public static void main(String[] args) throws Exception {
        CaptureOptions options = CaptureOptions.of(Path.of(args[2])).withInterfaces(List.of(args[0]))
                .withBpfFilter(args[1]).withFlushInterval(Duration.ofMillis(100));
        CaptureSession session = CaptureSession.start(options, result -> System.out.println("ENDED " + result));
        System.out.println("ARMED " + session.device());
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5));
        session.close();
    }
}
