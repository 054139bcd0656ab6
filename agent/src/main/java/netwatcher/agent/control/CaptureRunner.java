package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureException;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureResult;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.capture.PcapSummary;
import netwatcher.agent.capture.RingFile;
import netwatcher.model.capture.CaptureFilter;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the reconciler needs from the capture engine ({@code netwatcher.agent.capture}), as a port so
 * the control logic does not depend on libpcap; it speaks the engine's own records ({@link CaptureOptions},
 * {@link CaptureStats}, {@link CaptureResult}, {@link EndCause}, {@link PcapSummary}, {@link CaptureException}), which hold
 * no native state. The daemon wires the real engine
 * ({@code netwatcher.agent.EngineCaptureRunner}); implementations must be thread-safe.
 */
public interface CaptureRunner {

    /** Why no capture can run on this host (libpcap missing, ...), or empty when captures can run: the host report's problems. */
    Optional<String> unavailableReason();

    /** The BPF program text for ARM filters, with "local" meaning any of {@code localAddresses}. */
    String buildFilter(List<CaptureFilter> filters, List<InetAddress> localAddresses);

    /**
     * The file for an order's {@code filePath} under {@code root}.
     *
     * @throws IllegalArgumentException when the path escapes the root, traverses a symlink or is not a file name
     */
    Path resolveFile(Path root, String filePath);

    /**
     * Starts a capture and returns once it is armed; {@code onEnd} is called exactly once, from another
     * thread, after the file is closed. This is where a capture's filter is compiled, once, and where
     * libpcap, the privileges, the interfaces and the disk floor are checked: the reconciler's
     * pre-flight ({@code CapturePlan}) does none of that again.
     *
     * @throws IOException      when the file cannot be created
     * @throws CaptureException when the start is refused; its {@link CaptureException#problem()} says
     *                          whether the filter, the disk floor or something else refused it
     */
    Running start(CaptureOptions options, Consumer<CaptureResult> onEnd) throws IOException;

    /**
     * As {@link #start(CaptureOptions, Consumer)}, for a capture that may be a ring ({@link CaptureOptions#ring()}):
     * {@code onFileClosed} gets each of its files once closed (the last one before {@code onEnd}), on the capture
     * thread. A runner that writes no rings refuses one.
     */
    default Running start(CaptureOptions options, Consumer<CaptureResult> onEnd, Consumer<RingFile> onFileClosed) throws IOException {
        if (options.ring() != null) throw new CaptureException("this capture runner writes no ring of files");
        return start(options, onEnd);
    }

    /** Repairs a capture file left by a crash (truncating a torn last record) and summarises it. */
    PcapSummary finalizeAfterCrash(Path file) throws IOException;

    /** A running capture. */
    interface Running {
        /** The counters now. */
        CaptureStats counters();

        /** Asks the capture to end with {@code cause}; {@code onEnd} follows. Idempotent. */
        void stop(EndCause cause);

        /** A ring's file being written now (its counts as of the last batch), or null (one-file capture, between files). */
        default RingFile writing() { return null; }

        /** Flushes what was captured so far into the file now; completes once done (see {@code CaptureSession#flush}). */
        default java.util.concurrent.CompletableFuture<Void> flush() { return java.util.concurrent.CompletableFuture.completedFuture(null); }
        /** While {@code on}, flush the file after every batch (someone watches it live); a runner may ignore it. */
        default void flushEachBatch(boolean on) {}
    }

}
