package netwatcher.agent.ring;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import netwatcher.agent.capture.CaptureException;
import netwatcher.agent.capture.PcapWindow;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.UploadState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes snapshots of running ring captures: cuts a time window out of the ring's files ({@link PcapWindow}) into
 * {@code <ring directory>/snapshots/<snapshot id>.cap} on the host and uploads it to the ring's storage directory's
 * {@code snapshots/<snapshot id>.cap}, without touching the capture.
 *
 * <p><b>Which files.</b> Every file of the ring in its directory (its files are named after the capture path,
 * {@link RingFile}), oldest first: closed files whose first and last packet ({@link RingKeeper#closedOnHost()}) lie
 * wholly outside the window are skipped unread; the others, and every file not closed yet (the one being written,
 * found by name, so a rollover since the last report cannot hide it), are read up to what their writer flushed.
 *
 * <p><b>Disk floor.</b> A snapshot at most as large as the files it reads; it is refused, with nothing written, when
 * the host's free space minus that would drop below the floor the capture engine keeps ({@code diskFloorBytes}).
 * Once uploaded the host copy is removed; without an upload target it stays on the host, the only copy.
 *
 * <p>Thread-safety: thread-safe; each snapshot runs on its own virtual thread.
 */
public final class RingSnapshotter {
    private static final Logger LOG = LoggerFactory.getLogger(RingSnapshotter.class);
    /** Folder of a ring's snapshots, on the host (beside its files) and in storage (under its directory). */
    public static final String FOLDER = "snapshots";

    private final UploadService uploads;
    private final long diskFloorBytes;

    /**
     * @param uploads        runs the uploads (may be null when no ring uploads)
     * @param diskFloorBytes free bytes the host keeps; a snapshot that would eat into them is refused
     */
    public RingSnapshotter(UploadService uploads, long diskFloorBytes) {
        this.uploads = uploads;
        this.diskFloorBytes = diskFloorBytes;
    }

    /**
     * One snapshot to take.
     *
     * @param id     its name: a plain file name stem ({@code [A-Za-z0-9_-]}, 1 to 80 characters)
     * @param from   the window's first instant (included)
     * @param to     the window's last instant (included)
     * @param upload where to upload the file, as the controller ordered it; null to derive it from the ring's base
     *               ({@code <base>/snapshots/<id>.cap}), or to keep it on the host when there is no base either
     */
    public record Request(String id, Instant from, Instant to, UploadTarget upload) {
        public Request(String id, Instant from, Instant to) {
            this(id, from, to, null);
        }

        public Request {
            Objects.requireNonNull(id, "id");
            if (!id.matches("[A-Za-z0-9_-]{1,80}")) throw new IllegalArgumentException("a snapshot id must be [A-Za-z0-9_-]{1,80}; was '" + id + "'");
            if (!from.isBefore(to)) throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
        }
    }

    /**
     * What became of a snapshot.
     *
     * @param id          the request's id
     * @param state       {@code UPLOADING} while stored on the host and on its way, {@code DONE} once stored (or kept on
     *                    the host when the capture uploads nowhere: {@code NONE}), {@code FAILED} with {@code error}
     * @param hostPath    the file on the host (gone once uploaded), or null when none was written
     * @param storagePath where it is stored, or null
     * @param packets     records in it
     * @param bytes       its size
     * @param firstPacket first record's time, or null when the window held none
     * @param lastPacket  last record's time, or null
     * @param error       why it failed, or null
     */
    public record Result(String id, UploadState state, Path hostPath, String storagePath, long packets, long bytes,
                         Instant firstPacket, Instant lastPacket, String error) {
        static Result failed(String id, String error) {
            return new Result(id, UploadState.FAILED, null, null, 0, 0, null, null, error);
        }
    }

    /**
     * Starts a snapshot of the ring {@code keeper} keeps for the capture written to {@code capturePath} (keeper null: of
     * the one file {@code capturePath} of a one-file capture, being written); {@code report}
     * is called (on the snapshot's thread) once the file is cut (state {@code UPLOADING} or final) and once it is
     * stored or failed. The future completes with the final result.
     */
    public CompletableFuture<Result> take(RingKeeper keeper, Path capturePath, Request request, Consumer<Result> report) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        Thread.ofVirtual().name("nw-snapshot-" + request.id()).start(() -> {
            Result r;
            try {
                r = cut(keeper, capturePath, request);
            } catch (IOException | RuntimeException e) {
                LOG.atWarn().addKeyValue("capture", keeper == null ? capturePath.getFileName() : keeper.key()).addKeyValue("snapshot", request.id()).log("snapshot failed: {}", e.getMessage());
                r = Result.failed(request.id(), e.getMessage());
            }
            if (r.state() != UploadState.UPLOADING) {
                report.accept(r);
                done.complete(r);
                return;
            }
            report.accept(r);
            upload(keeper, request, r, report, done);
        });
        return done;
    }

    private Result cut(RingKeeper keeper, Path capturePath, Request request) throws IOException {
        List<Path> sources = keeper == null ? oneFile(capturePath) : sources(keeper, capturePath, request.from(), request.to());
        if (sources.isEmpty()) throw new CaptureException("the capture has no file on the host");
        long most = 0;
        for (Path p : sources) {
            try {
                most += Files.size(p);
            } catch (IOException e) {
                // gone meanwhile: the cut skips it too
            }
        }
        Path folder = capturePath.resolveSibling(FOLDER);
        Files.createDirectories(folder);
        long free = Files.getFileStore(folder).getUsableSpace();
        if (free - most < diskFloorBytes) {
            return Result.failed(request.id(), "DiskSpaceLow: the snapshot may take " + most + " bytes and the host has "
                    + free + " free, which would fall below the disk floor of " + diskFloorBytes + " bytes");
        }
        Path out = folder.resolve(request.id() + ".cap");
        PcapWindow.Cut c = PcapWindow.cut(sources, request.from(), request.to(), out);
        UploadTarget target = target(keeper, request, out);
        UploadState state = target == null || uploads == null ? UploadState.NONE : UploadState.UPLOADING;
        String storagePath = target == null ? null : target.storagePath();
        LOG.atInfo().addKeyValue("capture", keeper == null ? capturePath.getFileName() : keeper.key()).addKeyValue("snapshot", request.id()).addKeyValue("packets", c.packets())
                .addKeyValue("files", sources.size()).addKeyValue("missing", c.missing().size()).log("snapshot cut");
        return new Result(request.id(), state, out, storagePath, c.packets(), c.bytes(), c.firstPacket(), c.lastPacket(), null);
    }

    /** Where the snapshot goes: the ordered target, else {@code <ring base>/snapshots/<id>.cap}, else nowhere (null). */
    private static UploadTarget target(RingKeeper keeper, Request request, Path out) {
        if (request.upload() != null) return request.upload();
        UploadTarget base = keeper == null ? null : keeper.base();
        return base == null ? null : base.forFile(FOLDER).forFile(out.getFileName().toString());
    }

    /** The one file of a one-file capture, when it is there. */
    private static List<Path> oneFile(Path capturePath) {
        return Files.isRegularFile(capturePath) ? List.of(capturePath) : List.of();
    }

    private void upload(RingKeeper keeper, Request request, Result cut, Consumer<Result> report, CompletableFuture<Result> done) {
        String owner = keeper == null ? "one-file" : keeper.key(); // snapshot ids are unique: the upload's key is too
        uploads.submit(owner + "/snapshot/" + cut.id(), cut.hostPath(), target(keeper, request, cut.hostPath()), new UploadService.Listener() {
            @Override
            public void progress(long uploadedBytes) {}

            @Override
            public void done(long uploadedBytes, String sha256) {
                try {
                    Files.deleteIfExists(cut.hostPath());
                } catch (IOException e) {
                    LOG.atWarn().addKeyValue("snapshot", cut.id()).log("cannot remove the uploaded snapshot: {}", e.getMessage());
                }
                Result r = new Result(cut.id(), UploadState.DONE, null, cut.storagePath(), cut.packets(), cut.bytes(),
                        cut.firstPacket(), cut.lastPacket(), null);
                report.accept(r);
                done.complete(r);
            }

            @Override
            public void failed(String message, long uploadedBytes) {
                Result r = new Result(cut.id(), UploadState.FAILED, cut.hostPath(), cut.storagePath(), cut.packets(), cut.bytes(),
                        cut.firstPacket(), cut.lastPacket(), message);
                report.accept(r);
                done.complete(r);
            }
        });
    }

    /** The ring's files that may hold packets of {@code [from, to]}, oldest first. */
    static List<Path> sources(RingKeeper keeper, Path capturePath, Instant from, Instant to) throws IOException {
        Map<Long, RingFile> closed = new HashMap<>();
        for (RingFile f : keeper.closedOnHost()) closed.put(f.index(), f);
        TreeMap<Long, Path> found = new TreeMap<>();
        Path dir = capturePath.toAbsolutePath().getParent();
        // no glob: a capture's name may hold glob characters; each name is checked against RingFile.name instead
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path p : listing) {
                String name = p.getFileName().toString();
                long index = RingFile.indexOf(name);
                if (index < 0 || !isFileOf(capturePath, name, index)) continue; // another capture's files share the folder
                found.put(index, p);
            }
        }
        List<Path> out = new ArrayList<>();
        for (var e : found.entrySet()) {
            RingFile f = closed.get(e.getKey());
            if (f != null && (f.lastPacket() == null || f.lastPacket().isBefore(from) || f.firstPacket().isAfter(to))) continue;
            out.add(e.getValue());
        }
        return out;
    }

    /** True when {@code name} is exactly what {@link RingFile#name} gives for file {@code index} of {@code capturePath}. */
    private static boolean isFileOf(Path capturePath, String name, long index) {
        try {
            String base = name.substring(0, name.lastIndexOf('.'));
            String start = base.substring(base.lastIndexOf('_') + 1);
            Instant opened = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSX").parse(start, Instant::from);
            return name.equals(RingFile.name(capturePath, index, opened));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
