package netwatcher.agent;

import netwatcher.agent.control.CaptureRunner;
import netwatcher.model.capture.CaptureFilter;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Adapter from the reconciler's {@link CaptureRunner} port to the capture engine
 * ({@code netwatcher.agent.capture}). Placeholder until the engine lands: it reports captures as
 * unavailable. Thread-safe.
 */
final class EngineCaptureRunner implements CaptureRunner {
    static CaptureRunner create() { return new EngineCaptureRunner(); }

    @Override public Optional<String> unavailableReason() { return Optional.of("capture engine not built into this agent"); }
    @Override public String buildFilter(List<CaptureFilter> filters, List<InetAddress> localAddresses) { return ""; }
    @Override public Optional<String> filterProblem(String bpf) { return Optional.empty(); }
    @Override public Path resolveFile(Path root, String filePath) { throw new IllegalArgumentException("no engine"); }
    @Override public Running start(Spec spec, Consumer<End> onEnd) throws IOException { throw new IOException("no engine"); }
    @Override public FileSummary finalizeAfterCrash(Path file) throws IOException { throw new IOException("no engine"); }
}
