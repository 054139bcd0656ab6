package netwatcher.agent;

import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureResult;
import netwatcher.agent.capture.CaptureStats;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.capture.PcapSummary;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.capture.RingOptions;
import netwatcher.agent.control.CaptureRunner;
import netwatcher.model.capture.CaptureFilter;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A capture engine stand-in for tests that must run without root: sessions write a real pcap file
 * (header plus one 60-byte record per {@link Session#tick}) but capture nothing; filters, paths and crash
 * repair are the real engine's, and a start is refused, as the engine's is, when the filter does not
 * compile (one compile, real libpcap) or free space is under the floor. Sessions end when stopped or when a test calls {@link Session#end}.
 * Thread-safe.
 */
final class StandInRunner implements CaptureRunner {
    private final CaptureRunner real = EngineCaptureRunner.create();
    final Map<Path, Session> sessions = new ConcurrentHashMap<>();
    volatile String filterOverride;

    final class Session implements Running {
        final CaptureOptions spec;
        /** The file it writes: the capture's path, or a ring's first file. */
        final Path file;
        final Consumer<CaptureResult> onEnd;
        final Instant armedAt = Instant.now();
        final AtomicLong packets = new AtomicLong();
        volatile boolean ended;

        Session(CaptureOptions spec, Path file, Consumer<CaptureResult> onEnd) {
            this.spec = spec;
            this.file = file;
            this.onEnd = onEnd;
        }

        @Override
        public synchronized CaptureStats counters() {
            long bytes;
            try {
                bytes = Files.size(file);
            } catch (IOException e) {
                bytes = -1;
            }
            return new CaptureStats(packets.get(), bytes, packets.get(), 0, 0, null, null, armedAt);
        }

        /** Writes {@code n} fake 60-byte packets to the file. */
        synchronized void tick(int n) throws IOException {
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                for (int i = 0; i < n; i++) out.write(record(Instant.now(), 60));
            }
            packets.addAndGet(n);
        }

        @Override
        public void stop(EndCause cause) { end(cause); }

        synchronized void end(EndCause cause) {
            if (ended) return;
            ended = true;
            CaptureStats c = counters();
            Thread.ofPlatform().start(() -> onEnd.accept(new CaptureResult(cause, c, cause == EndCause.FAILED ? "stand-in failure" : null)));
        }
    }

    Session session(Path file) { return sessions.get(file); }

    Session only() {
        if (sessions.size() != 1) throw new AssertionError("expected one session, have " + sessions.keySet());
        return sessions.values().iterator().next();
    }

    @Override
    public Optional<String> unavailableReason() { return Optional.empty(); }

    @Override
    public String buildFilter(List<CaptureFilter> filters, List<InetAddress> localAddresses) {
        return filterOverride != null ? filterOverride : real.buildFilter(filters, localAddresses);
    }

    @Override
    public Path resolveFile(Path root, String filePath) { return real.resolveFile(root, filePath); }

    @Override
    public Running start(CaptureOptions spec, Consumer<CaptureResult> onEnd) throws IOException {
        // the engine's start checks that need no interface: the filter compiles (real libpcap), free space
        CaptureEngine.checkFilter(spec.bpfFilter(), 1);
        Path directory = spec.output().getParent();
        CaptureEngine.requireFreeSpace(Files.getFileStore(directory), directory, spec.diskFloorBytes());
        Files.write(spec.output(), header(), StandardOpenOption.CREATE_NEW);
        Session s = new Session(spec, spec.output(), onEnd);
        sessions.put(spec.output(), s);
        return s;
    }

    /** A ring writes its first file only ({@link RingFile#name}, from {@link RingOptions#firstIndex}); it never rolls over. */
    @Override
    public Running start(CaptureOptions spec, Consumer<CaptureResult> onEnd, Consumer<RingFile> onFileClosed) throws IOException {
        if (spec.ring() == null) return start(spec, onEnd);
        CaptureEngine.checkFilter(spec.bpfFilter(), 1);
        Path first = spec.output().resolveSibling(RingFile.name(spec.output(), spec.ring().firstIndex(), Instant.now()));
        Files.write(first, header(), StandardOpenOption.CREATE_NEW);
        Session s = new Session(spec, first, onEnd);
        sessions.put(spec.output(), s);
        return s;
    }

    @Override
    public PcapSummary finalizeAfterCrash(Path file) throws IOException { return real.finalizeAfterCrash(file); }

    /** A classic little-endian microsecond pcap header, Ethernet. */
    static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        return b.array();
    }

    /** One record with {@code length} bytes of zero payload. */
    static byte[] record(Instant at, int length) {
        ByteBuffer b = ByteBuffer.allocate(16 + length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) at.getEpochSecond()).putInt(at.getNano() / 1000).putInt(length).putInt(length);
        return b.array();
    }
}
