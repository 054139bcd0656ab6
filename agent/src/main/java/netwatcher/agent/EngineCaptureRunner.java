package netwatcher.agent;

import netwatcher.model.capture.BpfFilters;
import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureException;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CapturePaths;
import netwatcher.agent.capture.CaptureResult;
import netwatcher.agent.capture.CaptureSession;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.capture.PcapFiles;
import netwatcher.agent.capture.PcapSummary;
import netwatcher.agent.capture.RingFile;
import java.time.InstantSource;
import netwatcher.agent.control.CaptureRunner;
import netwatcher.model.capture.CaptureFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Adapter from the reconciler's {@link CaptureRunner} port to the libpcap capture engine
 * ({@code netwatcher.agent.capture}): {@link CaptureSession} for captures, {@link BpfFilters} for
 * filters, {@link CapturePaths} for file paths and {@link PcapFiles} for crash repair. Stateless;
 * thread-safe.
 */
public final class EngineCaptureRunner implements CaptureRunner {
    private EngineCaptureRunner() {}

    /** The runner over the real engine. */
    public static CaptureRunner create() { return new EngineCaptureRunner(); }

    @Override
    public Optional<String> unavailableReason() { return CaptureEngine.unavailableReason(); }

    @Override
    public String buildFilter(List<CaptureFilter> filters, List<InetAddress> localAddresses) {
        return BpfFilters.compile(filters, localAddresses);
    }

    @Override
    public Path resolveFile(Path root, String filePath) {
        try {
            return new CapturePaths(root).resolve(filePath);
        } catch (CaptureException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public Running start(CaptureOptions options, Consumer<CaptureResult> onEnd) {
        return start(options, onEnd, file -> {});
    }

    @Override
    public Running start(CaptureOptions options, Consumer<CaptureResult> onEnd, Consumer<RingFile> onFileClosed) {
        CaptureSession session = CaptureSession.start(options, new CaptureSession.Listeners(onEnd, onFileClosed),
                InstantSource.system());
        return new Running() {
            @Override
            public CaptureStats counters() { return session.stats(); }

            @Override
            public void stop(EndCause cause) { session.stop(cause); }

            @Override
            public RingFile writing() { return session.writing(); }

            @Override
            public java.util.concurrent.CompletableFuture<Void> flush() { return session.flush(); }
            public void flushEachBatch(boolean on) { session.flushEachBatch(on); }
        };
    }

    @Override
    public PcapSummary finalizeAfterCrash(Path file) throws IOException {
        try {
            return PcapFiles.finalizeAfterCrash(file);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (CaptureException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
