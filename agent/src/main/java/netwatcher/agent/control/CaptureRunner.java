package netwatcher.agent.control;

import netwatcher.model.capture.CaptureFilter;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the reconciler needs from the capture engine ({@code netwatcher.agent.capture}), as a port so
 * the control logic does not depend on libpcap. The daemon wires the real engine
 * ({@code netwatcher.agent.EngineCaptureRunner}); implementations must be thread-safe.
 */
public interface CaptureRunner {

    /** Why no capture can run on this host (libpcap missing, ...), or empty when captures can run. */
    Optional<String> unavailableReason();

    /** The BPF program text for ARM filters, with "local" meaning any of {@code localAddresses}. */
    String buildFilter(List<CaptureFilter> filters, List<InetAddress> localAddresses);

    /** libpcap's message when {@code bpf} does not compile for Ethernet, or empty when it does. */
    Optional<String> filterProblem(String bpf);

    /**
     * The file for an order's {@code filePath} under {@code root}.
     *
     * @throws IllegalArgumentException when the path escapes the root, traverses a symlink or is not a file name
     */
    Path resolveFile(Path root, String filePath);

    /**
     * Starts a capture and returns once it is armed; {@code onEnd} is called exactly once, from another
     * thread, after the file is closed.
     *
     * @throws IOException when the file cannot be created
     * @throws CaptureStartException when libpcap refuses to open or filter an interface
     */
    Running start(Spec spec, Consumer<End> onEnd) throws IOException, CaptureStartException;

    /** Repairs a capture file left by a crash (truncating a torn last record) and summarises it. */
    FileSummary finalizeAfterCrash(Path file) throws IOException;

    /** A running capture. */
    interface Running {
        /** The counters now. */
        Counters counters();

        /** Asks the capture to end with {@code cause}; {@code onEnd} follows. Idempotent. */
        void stop(EndCause cause);
    }

    /** What a capture should do; mirrors the engine's {@code CaptureOptions}. */
    record Spec(List<String> interfaces, String bpfFilter, int snapLength, int bufferBytes, long byteLimit,
                Duration timeLimit, Path output, long diskFloorBytes, Duration flushInterval) {
        public Spec {
            interfaces = List.copyOf(interfaces);
        }
    }

    /** Counters of a capture; times may be null. */
    record Counters(long packets, long bytesWritten, long kernelReceived, long kernelDrops, long interfaceDrops,
                    Instant firstPacket, Instant lastPacket, Instant armedAt) {
        public static final Counters NONE = new Counters(0, 0, 0, 0, 0, null, null, null);
    }

    /** Why a capture ended. */
    enum EndCause { TIME_LIMIT, BYTE_LIMIT, STOP_REQUESTED, SHUTDOWN, DISK_FLOOR, FAILED }

    /** How a capture ended: cause, final counters, and libpcap's or the file system's message on failure. */
    record End(EndCause cause, Counters counters, String failureMessage) {}

    /** What a crash-finalised file holds. */
    record FileSummary(long packets, long bytes, Instant firstPacket, Instant lastPacket) {}

    /** libpcap refused to open, configure or filter an interface. */
    final class CaptureStartException extends Exception {
        public CaptureStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
