package netwatcher.agent.control;

import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.RingOptions;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.NicReport;
import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.model.capture.StopReason;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The capture pre-flight: turns a capture order into the engine's {@link CaptureOptions}, or into the
 * reason it cannot run. It decides what only the agent knows (the order's bounds, its time limit
 * against {@code createdAt}, the file under the captures root, the disk floor for that file system,
 * the interfaces and addresses of this host, the filter limits, the BPF text) and touches no native
 * code. What needs libpcap (its presence and privileges, the interfaces, compiling the filter) and
 * the free space against the floor are checked once, by the engine when the capture starts
 * ({@link CaptureRunner#start}).
 *
 * <p>Thread-safety: stateless apart from its collaborators, which are thread-safe.
 */
final class CapturePlan {
    private final Reconciler.Settings settings;
    private final CaptureRunner runner;
    private final Supplier<HostReport> host;

    CapturePlan(Reconciler.Settings settings, CaptureRunner runner, Supplier<HostReport> host) {
        this.settings = settings;
        this.runner = runner;
        this.host = host;
    }

    /** What the pre-flight decided: the options to start, or why not. */
    sealed interface Result permits Ready, Refused {}

    /** The capture can start with {@code options}. */
    record Ready(CaptureOptions options) implements Result {}

    /**
     * The capture cannot run.
     *
     * @param file the file it would have written, or null when none was chosen yet
     */
    record Refused(StopReason reason, Path file, String message) implements Result {}

    /**
     * Whether the agent takes the order on at all: it is well-formed ({@link OrderCheck}) and its time
     * limit had not passed when it arrived. Refusals here have no file.
     */
    Optional<Refused> admit(CaptureOrder order, Instant now) {
        Optional<String> refused = OrderCheck.problem(order);
        if (refused.isPresent()) return Optional.of(new Refused(StopReason.CaptureFailed, null, "order refused: " + refused.get()));
        if (order.timeLimitSeconds() > 0 && order.createdAt() != null
                && !now.isBefore(order.createdAt().plusSeconds(order.timeLimitSeconds()))) {
            return Optional.of(new Refused(StopReason.TimeExceeded, null,
                    "the time limit of " + order.timeLimitSeconds() + " s had passed when the agent received the capture"));
        }
        return Optional.empty();
    }

    /** The engine's options for an admitted order, or why it cannot run. */
    Result prepare(CaptureOrder order, Instant now) {
        Path file;
        try {
            file = order.filePath() == null || order.filePath().isBlank()
                    ? settings.capturesRoot().resolve(order.key().replaceAll("[^A-Za-z0-9._-]", "_") + ".cap")
                    : runner.resolveFile(settings.capturesRoot(), order.filePath());
        } catch (IllegalArgumentException e) {
            return new Refused(StopReason.LocalFileFailed, null, "file path refused: " + e.getMessage());
        }
        long floor;
        try {
            Files.createDirectories(file.getParent());
            FileStore store = Files.getFileStore(file.getParent());
            floor = settings.diskFloor().applyAsLong(store.getTotalSpace());
        } catch (IOException | RuntimeException e) {
            return new Refused(StopReason.LocalFileFailed, file, "cannot prepare " + file.getParent() + ": " + e);
        }
        List<CaptureFilter> filters = new ArrayList<>();
        try {
            for (int i = 0; i < order.filters().size(); i++) {
                CaptureOrder.WireFilter f = order.filters().get(i);
                filters.add(CaptureFilter.parse("filters[" + i + "]", f.protocol(), f.localIPAddress(),
                        f.remoteIPAddress(), f.localPort(), f.remotePort()));
            }
        } catch (IllegalArgumentException e) { // FilterNotationException included
            return new Refused(StopReason.CaptureFailed, file, "bad filter: " + e.getMessage());
        }
        HostAddresses local = hostAddresses();
        if (local.interfaces().isEmpty()) {
            return new Refused(StopReason.CaptureFailed, file, "the host has no network interface with an address to capture on");
        }
        Optional<String> tooLarge = BpfFilters.limitProblem(filters, local.addresses());
        if (tooLarge.isPresent()) {
            return new Refused(StopReason.CaptureFailed, file, "the capture's filters " + tooLarge.get()
                    + "; this host's " + local.addresses().size() + " addresses are the local side of filters that name none");
        }
        String bpf;
        try {
            bpf = runner.buildFilter(filters, local.addresses());
        } catch (RuntimeException e) {
            return new Refused(StopReason.CaptureFailed, file, "cannot build the BPF filter: " + e.getMessage());
        }
        Duration timeLimit = Duration.ZERO;
        if (order.timeLimitSeconds() > 0) {
            Instant deadline = (order.createdAt() == null ? now : order.createdAt()).plusSeconds(order.timeLimitSeconds());
            timeLimit = Duration.between(now, deadline);
        }
        int snapLength = order.snapLength() <= 0 || order.snapLength() > CaptureOptions.WHOLE_PACKET
                ? CaptureOptions.WHOLE_PACKET : (int) order.snapLength();
        try {
            return new Ready(new CaptureOptions(local.interfaces(), bpf, snapLength, settings.kernelBufferBytes(),
                    Math.max(0, order.totalBytes()), timeLimit, file, floor, settings.flushInterval(),
                    order.ring() == null ? null : new RingOptions(order.ring().fileCount(), order.ring().fileSizeBytes(),
                            order.ring().continuous())));
        } catch (IllegalArgumentException e) {
            return new Refused(StopReason.CaptureFailed, file, e.getMessage());
        }
    }

    /** The interfaces that carry this host's addresses, and those addresses. */
    private record HostAddresses(List<String> interfaces, List<InetAddress> addresses) {}

    private HostAddresses hostAddresses() {
        List<String> interfaces = new ArrayList<>();
        List<InetAddress> local = new ArrayList<>();
        for (NicReport nic : host.get().nics()) {
            if (nic.addresses().isEmpty()) continue;
            interfaces.add(nic.name());
            for (String cidr : nic.addresses()) {
                try {
                    local.add(InetAddress.ofLiteral(cidr.replaceFirst("/.*$", "")));
                } catch (IllegalArgumentException e) {
                    Reconciler.LOG.atWarn().addKeyValue("nic", nic.name()).log("host address {} unreadable: {}", cidr, e.getMessage());
                }
            }
        }
        return new HostAddresses(List.copyOf(interfaces), List.copyOf(local));
    }
}
