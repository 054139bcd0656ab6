package netwatcher.agent.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.capture.RingOptions;
import netwatcher.agent.upload.UploadService;
import netwatcher.model.agent.CaptureGap;
import netwatcher.model.agent.RingFileReport;
import netwatcher.model.agent.RingReport;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.UploadState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the files of one ring capture: each file the engine closed is uploaded at once (to
 * {@link UploadTarget#forFile} of the capture's base target: one blob or local-account file per ring file, named
 * as on the host), and the ring's size is held on the host.
 *
 * <p><b>What stays on the host.</b> With {@link RingOptions#continuous()} the ring holds {@code fileCount} files:
 * the one being written and the {@code fileCount - 1} newest closed ones. An older file is removed once its upload
 * is done (at once when the capture uploads nowhere). Its upload may still run when the next file closes: the ring
 * then keeps it, one file beyond {@code fileCount} at most ({@link #GRACE_FILES}); a file that would be the second
 * one beyond is removed with its upload cancelled and reported lost ({@link RingFileReport#lost()},
 * {@link RingReport#filesLost()}). A file whose upload failed stays until the ring needs its place and is then lost
 * too. Without {@code continuous} every file stays.
 *
 * <p><b>After an agent restart.</b> {@link #state()} is what the control loop saves after every change
 * ({@link RingState}); a restarted agent makes a new keeper and hands it that state and the files it found on the host
 * that were being written when the old agent stopped ({@link #resume}): the keeper lists them again, starts the uploads
 * that had not finished (from the start of the file) and holds the ring's size counting them, so the ring goes on as if
 * the agent had not stopped, with the span it missed listed in {@link RingReport#gaps()}.
 *
 * <p>Thread-safety: thread-safe; {@link #fileClosed} runs on the capture thread and returns at once (uploads run on
 * the upload service's threads), the upload callbacks on those threads.
 */
public final class RingKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingKeeper.class);
    /** Closed files the ring keeps beyond {@code fileCount} while their uploads finish. */
    public static final int GRACE_FILES = 1;

    private final String key;
    private final RingOptions ring;
    private final UploadTarget base;
    private final UploadService uploads;
    private final Runnable onChange;
    private final List<Kept> files = new ArrayList<>(); // guarded by this; oldest first
    private RingFile open; // guarded by this: the file being written, as last seen
    private long written;
    private long lost;
    private long lastClosedIndex; // guarded by this
    private long closedPackets, closedBytes; // guarded by this: every closed file's, also those removed
    private final List<CaptureGap> gaps = new ArrayList<>(); // guarded by this; oldest first
    /** Most gaps listed: the newest (a ring restarted more often than this has a bigger problem to show). */
    public static final int MAX_GAPS = 100;

    /** One file and what became of it. */
    private static final class Kept {
        final RingFile file;
        UploadState upload;
        long uploadedBytes;
        Future<?> running;
        boolean onHost = true;
        boolean lost;

        Kept(RingFile file, UploadState upload) {
            this.file = file;
            this.upload = upload;
        }
    }

    /**
     * @param key      the capture's key (names its uploads in the log)
     * @param base     the capture's upload target, whose {@link UploadTarget#forFile} each file goes to; null when
     *                 the capture uploads nowhere
     * @param uploads  runs the uploads (unused when {@code base} is null)
     * @param onChange called (on any thread, not holding this keeper's lock) after a file's state changed
     */
    public RingKeeper(String key, RingOptions ring, UploadTarget base, UploadService uploads, Runnable onChange) {
        this.key = Objects.requireNonNull(key, "key");
        this.ring = Objects.requireNonNull(ring, "ring");
        this.base = base;
        this.uploads = base == null ? null : Objects.requireNonNull(uploads, "uploads");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    /** The engine closed {@code file}: list it, start its upload, hold the ring's size. */
    public void fileClosed(RingFile file) {
        Kept k;
        synchronized (this) {
            k = new Kept(file, base == null ? UploadState.NONE : UploadState.UPLOADING);
            add(k);
            if (open != null && open.index() == file.index()) open = null;
            if (base != null) upload(k);
            retain();
        }
        onChange.run();
    }

    /** Lists a closed file and counts it; caller holds this. */
    private void add(Kept k) {
        RingFile file = k.file;
        files.add(k);
        written = Math.max(written, file.index());
        lastClosedIndex = Math.max(lastClosedIndex, file.index());
        closedPackets += file.packets();
        closedBytes += file.bytes();
    }

    /** Starts the upload of {@code k}; caller holds this. */
    private void upload(Kept k) {
        k.upload = UploadState.UPLOADING;
        k.running = uploads.submit(key + "/" + k.file.index(), k.file.path(), base.forFile(k.file.name()), new Progress(k));
    }

    /**
     * Takes up the ring a previous agent kept, before this keeper got any file: the files of {@code prior} (in
     * {@code dir}) are listed as they were, those whose upload had not finished are uploaded again (a file gone from the
     * host meanwhile is reported lost), and {@code found} (files that were being written when the agent stopped,
     * repaired, oldest first) are added as closed files and uploaded. The ring's size is held at once.
     */
    public void resume(RingState prior, Path dir, List<RingFile> found) {
        synchronized (this) {
            written = Math.max(written, prior.filesWritten());
            lost = prior.filesLost();
            lastClosedIndex = prior.lastClosedIndex();
            closedPackets = prior.closedPackets();
            closedBytes = prior.closedBytes();
            gaps.addAll(prior.gaps());
            for (RingFileReport f : prior.files()) {
                Path path = dir.resolve(f.name());
                RingFile file = new RingFile(f.index(), path, RingFile.openedAtOf(f.name(), f.firstPacketTime()),
                        f.lastPacketTime(), f.bytes(), f.packets(), f.firstPacketTime(), f.lastPacketTime());
                UploadState state = f.uploadState() == null ? UploadState.NONE : f.uploadState();
                Kept k = new Kept(file, state);
                k.onHost = f.onHost();
                k.lost = f.lost();
                if (state == UploadState.DONE) k.uploadedBytes = f.bytes();
                boolean settled = state == UploadState.DONE || state == UploadState.NONE || k.lost;
                if (!settled && k.onHost && !Files.isRegularFile(path)) {
                    LOG.atWarn().addKeyValue("capture", key).addKeyValue("file", path)
                            .log("ring file gone from the host before its upload finished: its packets are lost");
                    k.onHost = false;
                    k.lost = true;
                    k.upload = UploadState.FAILED;
                    lost++;
                } else if (!settled && k.onHost && base != null) {
                    files.add(k);
                    upload(k);
                    continue;
                }
                files.add(k);
            }
            for (RingFile file : found) {
                Kept k = new Kept(file, base == null ? UploadState.NONE : UploadState.UPLOADING);
                add(k);
                if (base != null) upload(k);
            }
            retain();
        }
        onChange.run();
    }

    /** Lists a span in which the capture captured nothing (its agent restarted). */
    public void addGap(CaptureGap gap) {
        synchronized (this) {
            gaps.add(gap);
            while (gaps.size() > MAX_GAPS) gaps.removeFirst();
        }
        onChange.run();
    }

    /** The index the next file of the ring gets: one past every index used so far. */
    public synchronized long nextIndex() {
        long used = Math.max(written, lastClosedIndex);
        if (open != null) used = Math.max(used, open.index());
        return used + 1;
    }

    /** Packets in every file the capture closed, also those no longer on the host. */
    public synchronized long closedPackets() { return closedPackets; }

    /** Bytes of every file the capture closed. */
    public synchronized long closedBytes() { return closedBytes; }

    /** The durable part of this ring, for a restarted agent ({@link #resume}). */
    public synchronized RingState state() {
        List<RingFileReport> kept = new ArrayList<>();
        for (Kept k : files) {
            boolean settled = k.upload == UploadState.DONE || k.upload == UploadState.NONE || k.lost;
            if (!k.onHost && settled) continue;
            RingFile f = k.file;
            kept.add(new RingFileReport(f.name(), f.index(), f.bytes(), f.packets(), f.firstPacket(), f.lastPacket(), false,
                    k.upload, k.onHost, k.lost));
        }
        return new RingState(key, lastClosedIndex, written, lost, closedPackets, closedBytes, kept, gaps);
    }

    /** The file being written now (from the engine's counters), listed in the report as open. */
    public synchronized void writing(RingFile file) {
        // the counters are read off the capture thread: a view taken just before a rollover may name a file that was
        // closed (and listed) meanwhile; listing it again as open would replace its closed row
        if (file != null && file.index() <= lastClosedIndex) return;
        open = file;
        if (file != null) written = Math.max(written, file.index());
    }

    /**
     * The upload state of the whole ring: {@code none} without a target; {@code failed} once a file's upload
     * failed; {@code uploading} while one runs; else {@code done} when {@code ended} (every file is stored or
     * reported lost) and {@code pending} while more files will come.
     */
    public synchronized UploadState uploadState(boolean ended) {
        if (base == null) return UploadState.NONE;
        boolean running = false;
        for (Kept k : files) {
            if (k.upload == UploadState.FAILED && !k.lost) return UploadState.FAILED;
            if (k.upload == UploadState.UPLOADING && !k.lost) running = true;
        }
        if (running) return UploadState.UPLOADING;
        return ended ? UploadState.DONE : UploadState.PENDING;
    }

    /** Bytes of the ring's files that their storage confirmed. */
    public synchronized long uploadedBytes() {
        long sum = 0;
        for (Kept k : files) sum += k.uploadedBytes;
        return sum;
    }

    /** The closed files still on the host, oldest first (a snapshot reads them: {@link RingSnapshotter}). */
    public synchronized List<RingFile> closedOnHost() {
        List<RingFile> out = new ArrayList<>();
        for (Kept k : files) if (k.onHost) out.add(k.file);
        return out;
    }

    /** The capture's key. */
    public String key() { return key; }

    /** Where the ring's files go (each its name appended), or null when the capture uploads nowhere. */
    public UploadTarget base() { return base; }

    /** The ring as the capture's status lists it. */
    public synchronized RingReport report() {
        List<RingFileReport> listed = new ArrayList<>();
        Instant from = null, to = null;
        for (Kept k : files) {
            RingFile f = k.file;
            listed.add(new RingFileReport(f.name(), f.index(), f.bytes(), f.packets(), f.firstPacket(), f.lastPacket(),
                    false, k.upload, k.onHost, k.lost));
            if (k.onHost) {
                if (from == null) from = f.firstPacket();
                if (f.lastPacket() != null) to = f.lastPacket();
            }
        }
        if (open != null) {
            listed.add(new RingFileReport(open.name(), open.index(), open.bytes(), open.packets(), open.firstPacket(),
                    open.lastPacket(), true, base == null ? UploadState.NONE : UploadState.PENDING, true, false));
            if (from == null) from = open.firstPacket();
            if (open.lastPacket() != null) to = open.lastPacket();
        }
        if (listed.size() > RingReport.MAX_LISTED) listed = listed.subList(listed.size() - RingReport.MAX_LISTED, listed.size());
        return new RingReport(listed, written, lost, from, to, gaps);
    }

    /** Removes what the ring no longer holds; caller holds this. */
    private void retain() {
        if (!ring.continuous()) return;
        int onHost = 0;
        for (Kept k : files) if (k.onHost) onHost++;
        int allowed = ring.fileCount() - 1; // the open file is the ring's last place
        for (Kept k : files) {
            if (onHost <= allowed) break;
            if (!k.onHost) continue;
            boolean settled = k.upload == UploadState.DONE || k.upload == UploadState.NONE;
            if (!settled && onHost <= allowed + GRACE_FILES && k.upload == UploadState.UPLOADING) continue;
            if (!settled) {
                LOG.atWarn().addKeyValue("capture", key).addKeyValue("file", k.file.path()).addKeyValue("upload", k.upload)
                        .log("ring file removed before its upload finished: its packets are lost");
                k.lost = true;
                k.upload = UploadState.FAILED; // its upload will not finish
                lost++;
                if (k.running != null) k.running.cancel(true);
            }
            remove(k);
            onHost--;
        }
        // files are settled one by one: a later settled file may still go when an older one waits for its upload
        if (onHost > allowed) {
            for (Kept k : files) {
                if (onHost <= allowed) break;
                if (k.onHost && (k.upload == UploadState.DONE || k.upload == UploadState.NONE)) {
                    remove(k);
                    onHost--;
                }
            }
        }
        // keep the list short: settled files that left the host long ago are dropped
        while (files.size() > RingReport.MAX_LISTED && !files.getFirst().onHost) files.removeFirst();
    }

    private void remove(Kept k) {
        k.onHost = false;
        try {
            Files.deleteIfExists(k.file.path());
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("capture", key).addKeyValue("file", k.file.path()).log("cannot remove ring file: {}", e.getMessage());
        }
    }

    /** Cancels the uploads still running (the agent shuts down or the capture was deleted). */
    @Override
    public void close() {
        synchronized (this) {
            for (Kept k : files) if (k.running != null) k.running.cancel(true);
        }
    }

    /** One file's upload. */
    private final class Progress implements UploadService.Listener {
        private final Kept k;

        Progress(Kept k) { this.k = k; }

        @Override
        public void progress(long uploadedBytes) {
            synchronized (RingKeeper.this) {
                k.uploadedBytes = uploadedBytes;
            }
        }

        @Override
        public void done(long uploadedBytes, String sha256) {
            synchronized (RingKeeper.this) {
                k.uploadedBytes = uploadedBytes;
                k.upload = UploadState.DONE;
                k.running = null;
                retain();
            }
            LOG.atInfo().addKeyValue("capture", key).addKeyValue("file", k.file.name()).addKeyValue("bytes", uploadedBytes)
                    .log("ring file uploaded");
            onChange.run();
        }

        @Override
        public void failed(String message, long uploadedBytes) {
            synchronized (RingKeeper.this) {
                k.uploadedBytes = uploadedBytes;
                k.upload = UploadState.FAILED;
                k.running = null;
            }
            LOG.atWarn().addKeyValue("capture", key).addKeyValue("file", k.file.name()).log("ring file upload failed: {}", message);
            onChange.run();
        }
    }
}
