package netwatcher.agent.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import netwatcher.agent.capture.CaptureEngine;
import netwatcher.agent.capture.CaptureException;
import netwatcher.agent.capture.CaptureOptions;
import netwatcher.agent.capture.CaptureResult;
import netwatcher.agent.capture.CaptureSession;
import netwatcher.agent.capture.EndCause;
import netwatcher.agent.host.InterfaceExclusions;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.EvidenceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures a check's probes on this host: {@link #arm} starts a {@link CaptureSession} with the
 * {@link EvidenceFilter} of the flow (returning once libpcap is armed, so packets sent afterwards are in
 * the file), {@link Recording#finish} stops it, counts what the closed file holds, hashes it and hands it
 * to the {@link UploadService} (the capture files' upload path); the local file is deleted once its
 * upload is done or given up. A host that cannot capture (no libpcap or capability, the disk below its
 * floor, too many files waiting for upload) still takes part in the check: its recording reports
 * {@link EvidenceReport#UNAVAILABLE} with the reason.
 *
 * <p>Bounded state: at most {@link Settings#maxFiles()} evidence files wait on the host, each at most the
 * spec's {@code maxBytes}; files left by an earlier agent process are removed at construction (their
 * uploads are not resumed: the check has long answered).
 *
 * <p>Thread-safety: thread-safe; a {@link Recording} is used by one check thread.
 */
public final class EvidenceRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceRecorder.class);

    /** The kernel ring of an evidence capture: libpcap's smallest block, as probes are few (fast to arm). */
    static final int BUFFER_BYTES = 1 << 20;
    /** How long {@link Recording#finish} waits for the session to close its file (it drains for {@link CaptureSession#DRAIN}). */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    /**
     * @param directory      where files wait for upload (the agent's state directory, not the users' captures root)
     * @param maxFiles       most files waiting on the host; a check beyond it is not captured (and says so)
     * @param diskFloorBytes free space a capture leaves on the directory's file system
     */
    public record Settings(Path directory, int maxFiles, long diskFloorBytes) {
        public Settings {
            if (directory == null || !directory.isAbsolute()) throw new IllegalArgumentException("evidence directory must be absolute");
            if (maxFiles < 1) throw new IllegalArgumentException("evidence maxFiles must be at least 1");
            if (diskFloorBytes < 0) throw new IllegalArgumentException("evidence diskFloorBytes must not be negative");
        }

        /** {@code directory}, 64 files, 64 MiB left free. */
        public static Settings in(Path directory) {
            return new Settings(directory, 64, 64L << 20);
        }
    }

    /** One host's capture of one check part. */
    public interface Recording {
        /**
         * Stops the capture, summarises the file and, when it holds packets or {@code keep}, starts its
         * upload. Returns what to report; never throws.
         */
        EvidenceReport finish(boolean keep);

        /** Asks the capture to stop (it drains for {@link CaptureSession#DRAIN}) without waiting; {@link #finish} waits. */
        default void stop() {}

        /** Stops the capture and deletes the file (the part was cancelled). */
        void abandon();
    }

    /** No capture at all: for tests and agents built without a recorder. */
    public static final EvidenceRecorder NONE = new EvidenceRecorder();

    private final Settings settings;
    private final UploadService uploads;
    private final InstantSource clock;
    private final InterfaceExclusions excluded;

    private EvidenceRecorder() {
        this.settings = null;
        this.uploads = null;
        this.clock = InstantSource.system();
        this.excluded = InterfaceExclusions.of(java.util.Set.of());
    }

    /** A recorder that leaves out only interfaces marked for agents to ignore. */
    public EvidenceRecorder(Settings settings, UploadService uploads, InstantSource clock) {
        this(settings, uploads, clock, InterfaceExclusions.of(java.util.Set.of()));
    }

    /** A recorder that captures on every up interface with an address except {@code excluded} ones, as the agent registers them. */
    public EvidenceRecorder(Settings settings, UploadService uploads, InstantSource clock, InterfaceExclusions excluded) {
        this.settings = settings;
        this.uploads = uploads;
        this.clock = clock;
        this.excluded = excluded;
        try {
            Files.createDirectories(settings.directory());
            try (var old = Files.list(settings.directory())) {
                for (Path p : (Iterable<Path>) old::iterator) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("evidence directory {} cannot be prepared: {}", settings.directory(), e.getMessage());
        }
    }

    /**
     * Arms a capture of a check's probes, in the calling thread's network namespace.
     *
     * @param name            a file name for this part (the check key and role; letters, digits, {@code . _ -})
     * @param destination     the destination's address, or null while it is a name not yet resolved
     * @param destinationPort the destination port; {@code sourcePort} 0 unless the flow fixes it
     * @return the recording; never null, also when nothing could be armed ({@link Recording#finish} says why)
     */
    public Recording arm(String name, EvidenceSpec spec, String protocol, InetAddress destination, int destinationPort,
                         int sourcePort) {
        if (settings == null || spec == null) return Unavailable.NOTHING;
        Optional<String> unavailable = CaptureEngine.unavailableReason();
        if (unavailable.isPresent()) return new Unavailable("this host cannot capture: " + unavailable.get());
        String filter;
        try {
            List<InetAddress> sources = new ArrayList<>();
            for (String a : spec.sourceAddresses()) sources.add(InetAddress.ofLiteral(a));
            filter = EvidenceFilter.of(protocol, sources, destination, destinationPort, sourcePort);
        } catch (IllegalArgumentException e) {
            return new Unavailable("no filter for the flow: " + e.getMessage());
        }
        Path file = settings.directory().resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".pcap");
        try {
            long waiting;
            try (var files = Files.list(settings.directory())) {
                waiting = files.count();
            }
            if (waiting >= settings.maxFiles()) {
                return new Unavailable(waiting + " evidence files of earlier checks still wait for upload on this host (at most "
                        + settings.maxFiles() + "); this check's probes were not captured");
            }
            List<String> interfaces = excluded.keep(CaptureEngine.hostInterfaces());
            if (interfaces.isEmpty()) return new Unavailable("this host has no interface to capture on that the agent does not ignore");
            Files.deleteIfExists(file); // a part re-run after a restart
            CaptureOptions options = CaptureOptions.of(file).withInterfaces(interfaces).withBpfFilter(filter)
                    .withSnapLength(Math.max(64, Math.min(spec.snapLength(), CaptureOptions.WHOLE_PACKET)))
                    .withBufferBytes(BUFFER_BYTES).withByteLimit(Math.max(4096, spec.maxBytes()))
                    .withTimeLimit(Duration.ofSeconds(Math.max(1, spec.maxSeconds())))
                    .withDiskFloorBytes(settings.diskFloorBytes());
            CaptureSession session = CaptureSession.start(options, result -> { }, clock);
            return new Running(session, file, spec, filter);
        } catch (CaptureException | IOException | IllegalArgumentException e) {
            return new Unavailable("the capture could not start: " + e.getMessage());
        }
    }

    /** A recording of nothing that reports {@code reason} (e.g. arming failed unexpectedly). */
    public static Recording unavailable(String reason) {
        return new Unavailable(reason);
    }

    private record Unavailable(String reason) implements Recording {
        static final Unavailable NOTHING = new Unavailable(null);

        @Override
        public EvidenceReport finish(boolean keep) {
            return reason == null ? null : EvidenceReport.unavailable(reason);
        }

        @Override
        public void abandon() {}
    }

    private final class Running implements Recording {
        private final CaptureSession session;
        private final Path file;
        private final EvidenceSpec spec;
        private final String filter;

        Running(CaptureSession session, Path file, EvidenceSpec spec, String filter) {
            this.session = session;
            this.file = file;
            this.spec = spec;
            this.filter = filter;
        }

        @Override
        public void stop() {
            session.stop(EndCause.STOP_REQUESTED);
        }

        @Override
        public EvidenceReport finish(boolean keep) {
            session.stop(EndCause.STOP_REQUESTED);
            CaptureResult result;
            try {
                result = session.awaitEnd(CLOSE_WAIT).orElse(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = null;
            }
            if (result == null) {
                return EvidenceReport.unavailable("the capture did not close its file within " + CLOSE_WAIT.toSeconds() + " s");
            }
            if (result.cause() == EndCause.FAILED) {
                delete(file);
                return EvidenceReport.unavailable("the capture failed: " + result.failureMessage());
            }
            var stats = result.stats();
            String sha256;
            long bytes;
            try {
                bytes = Files.size(file);
                sha256 = sha256(file);
            } catch (IOException e) {
                delete(file);
                return EvidenceReport.unavailable("the capture file cannot be read: " + e.getMessage());
            }
            String reason = switch (result.cause()) {
                case BYTE_LIMIT -> "the file reached its limit of " + spec.maxBytes() + " bytes; later packets are not in it";
                case TIME_LIMIT -> "the capture reached its time limit of " + spec.maxSeconds() + " s before the check ended";
                case DISK_FLOOR -> "the capture stopped: free disk space fell below " + settings.diskFloorBytes() + " bytes";
                default -> null;
            };
            boolean upload = (stats.packets() > 0 || keep) && spec.uploadUrl() != null;
            if (!upload) {
                delete(file);
                if (reason == null) reason = stats.packets() == 0 ? "no packet of the flow crossed this host; the empty file is not stored"
                        : "the controller gave no upload target";
            } else {
                UploadTarget target = new UploadTarget(UploadTarget.LOCAL, spec.uploadUrl()
                        + (spec.uploadUrl().contains("?") ? "&" : "?") + "sha256=" + sha256, spec.storagePath());
                uploads.submit(file.getFileName().toString(), file, target, new UploadService.Listener() {
                    @Override
                    public void progress(long uploadedBytes) {}

                    @Override
                    public void done(long uploadedBytes, String hash) {
                        delete(file);
                    }

                    @Override
                    public void failed(String message, long uploadedBytes) {
                        LOG.atWarn().addKeyValue("file", file).log("evidence file was not stored: {}", message);
                        delete(file);
                    }
                });
            }
            return new EvidenceReport(EvidenceReport.CAPTURED, reason, stats.packets(), bytes, stats.firstPacket(),
                    stats.lastPacket(), sha256, upload ? EvidenceReport.UPLOAD_PENDING : EvidenceReport.UPLOAD_NONE, filter);
        }

        @Override
        public void abandon() {
            session.close();
            delete(file);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("file", file).log("cannot delete evidence file: {}", e.getMessage());
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
