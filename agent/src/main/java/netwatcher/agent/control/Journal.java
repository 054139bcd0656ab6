package netwatcher.agent.control;

import netwatcher.agent.ring.RingState;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.CheckRole;
import netwatcher.model.check.ReportState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable local state in its state directory: one JSON file per capture
 * ({@code captures/<key>.json}, a {@link JournalEntry}) and the outbox of reports not yet accepted by
 * the controller ({@code outbox.json}). Every change is written atomically (temp + fsync + rename +
 * directory fsync, see {@link DurableFiles}) before the method returns, so a kill -9 at any point
 * leaves either the previous or the new state.
 *
 * <p>The outbox keeps reports in the order they were made. A new report for a capture whose latest
 * queued report has the same status, stop reason and upload state (a counter refresh) replaces that
 * one in place, so a long outage queues the state transitions, not one report every two seconds.
 *
 * <p>A ring capture also has a ring state ({@code rings/<key>.json}, a {@link RingState}: its files, counts and gaps),
 * written the same way after every change of its files, so that a restarted agent can resume the ring
 * ({@link RingResumer}); it goes with the capture's entry ({@link #remove}).
 *
 * <p>Check reports ({@link CheckReport}) wait in their own outbox ({@code check-outbox.json}); a
 * report for a (key, role) replaces any queued one for the same pair (the controller treats them
 * idempotently and only the latest matters), so they too survive a controller outage and a restart.
 *
 * <p>A write that fails (a full or read-only state directory) never throws: it is logged, the
 * in-memory state stays authoritative (reports are still delivered from it) and the write is
 * retried with backoff by {@link #retryPendingWrites()} (the reporter loop calls it), so the journal
 * catches up when space returns, without a restart ({@link PendingWrites}).
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class Journal {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final Path capturesDir;
    private final Path ringsDir;
    /** Capture entry files that could not be read at {@link #load}: their captures are reported lost. */
    private final java.util.Set<Path> unreadable = new java.util.HashSet<>();
    private final Path outboxFile;
    private final Path checkOutboxFile;
    private final List<Queued> outbox = new ArrayList<>();
    private final List<QueuedCheck> checkOutbox = new ArrayList<>();
    private final Path finishedChecksFile;
    private final java.util.Set<String> finishedChecks = new java.util.LinkedHashSet<>();
    private long nextSeq;
    private final PendingWrites writes;

    /** A report waiting in the outbox; {@code seq} identifies it for {@link #acknowledge}. */
    public record Queued(long seq, CaptureReport report) {}

    /** A check report waiting in the check outbox; {@code seq} identifies it for {@link #acknowledgeChecks}. */
    public record QueuedCheck(long seq, CheckReport report) {}

    /** Opens (creating if needed) the journal in {@code stateDir} and loads the outbox. */
    public Journal(Path stateDir) throws IOException {
        this(stateDir, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** As {@link #Journal(Path)}, retrying failed writes from {@code retryBase} doubling up to {@code retryCap}. */
    public Journal(Path stateDir, Duration retryBase, Duration retryCap) throws IOException {
        this.writes = new PendingWrites(retryBase, retryCap, InstantSource.system());
        this.capturesDir = stateDir.resolve("captures");
        this.ringsDir = stateDir.resolve("rings");
        this.outboxFile = stateDir.resolve("outbox.json");
        Files.createDirectories(capturesDir);
        if (Files.exists(outboxFile)) {
            CaptureReport[] saved = AgentJson.MAPPER.readValue(outboxFile.toFile(), CaptureReport[].class);
            for (CaptureReport r : saved) outbox.add(new Queued(nextSeq++, r));
        }
        this.finishedChecksFile = stateDir.resolve("checks-finished.json");
        if (Files.exists(finishedChecksFile)) {
            try {
                finishedChecks.addAll(Arrays.asList(AgentJson.MAPPER.readValue(finishedChecksFile.toFile(), String[].class)));
            } catch (IOException | RuntimeException e) {
                LOG.warn("journal: ignoring unreadable {}: {}", finishedChecksFile, e.getMessage());
            }
        }
        this.checkOutboxFile = stateDir.resolve("check-outbox.json");
        if (Files.exists(checkOutboxFile)) {
            try {
                CheckReport[] saved = AgentJson.MAPPER.readValue(checkOutboxFile.toFile(), CheckReport[].class);
                for (CheckReport r : saved) {
                    if (r.role() == null || r.state() == null) continue; // written by a newer agent
                    checkOutbox.add(new QueuedCheck(nextSeq++, r));
                    // a queued final report is a finished part, also when the process died before checks-finished.json
                    // was written (the outbox is written first): the part must not run a second time
                    if (r.state().isFinal()) finishedChecks.add(r.key() + "/" + r.role().wire());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("journal: dropping unreadable {}: {}", checkOutboxFile, e.getMessage());
            }
        }
    }

    /** Every capture entry on disk; an unreadable file is logged and skipped (never fatal). */
    public synchronized List<JournalEntry> load() throws IOException {
        List<JournalEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(capturesDir, "*.json")) {
            for (Path file : files) {
                try {
                    entries.add(AgentJson.MAPPER.readValue(file.toFile(), JournalEntry.class));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("journal: skipping unreadable {}: {}", file, e.getMessage());
                    unreadable.add(file);
                }
            }
        }
        return entries;
    }

    /**
     * Writes (replaces) the entry for its key; true when it is durable. False when the write failed
     * (logged; retried by {@link #retryPendingWrites()}): never throws.
     */
    public synchronized boolean save(JournalEntry entry) {
        byte[] bytes = json(entry);
        return writes.write(fileFor(entry.key()), () -> bytes, "capture " + entry.key());
    }

    /** Forgets a capture and its ring state (a failed delete is retried like a failed write). */
    public synchronized void remove(String key) {
        writes.delete(fileFor(key), "capture " + key);
        writes.delete(ringFileFor(key), "ring " + key);
        unreadable.remove(fileFor(key));
    }

    /**
     * True when the entry of capture {@code key} was on disk at {@link #load} but could not be read (a damaged
     * file): the agent cannot tell what it did with the capture, so it reports it lost instead of starting it again.
     */
    public synchronized boolean wasUnreadable(String key) {
        return unreadable.contains(fileFor(key));
    }

    /** Writes (replaces) a ring's state atomically; true when it is durable, false when the write failed (retried). */
    public synchronized boolean saveRing(RingState state) {
        byte[] bytes = json(state);
        return writes.write(ringFileFor(state.key()), () -> bytes, "ring " + state.key());
    }

    /**
     * A ring state as read back, or why it cannot be used.
     *
     * @param state   the state, or null
     * @param problem why there is no usable state (none saved, unreadable, another capture's), or null with a state
     */
    public record RingStateRead(RingState state, String problem) {}

    /** The saved ring state of capture {@code key}; a missing, torn, damaged or foreign file is a problem, never a throw. */
    public synchronized RingStateRead loadRing(String key) {
        Path file = ringFileFor(key);
        if (!Files.exists(file)) return new RingStateRead(null, "no ring state was saved (" + file + " is missing)");
        try {
            RingState state = AgentJson.MAPPER.readValue(file.toFile(), RingState.class);
            if (state == null) return new RingStateRead(null, "the ring state " + file + " is empty");
            if (!key.equals(state.key())) {
                return new RingStateRead(null, "the ring state " + file + " belongs to capture " + state.key());
            }
            return new RingStateRead(state, null);
        } catch (IOException | RuntimeException e) {
            LOG.warn("journal: unreadable ring state {}: {}", file, e.getMessage());
            return new RingStateRead(null, "the ring state " + file + " is unreadable (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Retries the writes that failed (full disk) once their backoff has passed; true when the
     * journal on disk is up to date. Never throws.
     */
    public synchronized boolean retryPendingWrites() {
        return writes.retry();
    }

    /** Number of journal files whose latest content is not on disk yet (0 normally). */
    public synchronized int pendingWrites() {
        return writes.size();
    }

    private static byte[] json(Object value) {
        try {
            return AgentJson.MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Queues a report for delivery (see the class comment for coalescing). */
    public synchronized void enqueue(CaptureReport report) {
        Queued fresh = new Queued(nextSeq++, report);
        for (int i = outbox.size() - 1; i >= 0; i--) {
            CaptureReport old = outbox.get(i).report();
            if (old.key().equals(report.key())) {
                if (sameState(old, report)) {
                    outbox.set(i, fresh);
                    persistOutbox();
                    return;
                }
                break;
            }
        }
        outbox.add(fresh);
        persistOutbox();
    }

    /** Up to {@code max} queued reports, oldest first. */
    public synchronized List<Queued> pending(int max) {
        return List.copyOf(outbox.subList(0, Math.min(max, outbox.size())));
    }

    /** True when a report for {@code key} waits in the outbox. */
    public synchronized boolean hasPending(String key) {
        return outbox.stream().anyMatch(q -> q.report().key().equals(key));
    }

    /** Removes delivered reports (by sequence; a report replaced meanwhile by a newer one stays queued). */
    public synchronized void acknowledge(List<Queued> delivered) {
        var seqs = delivered.stream().map(Queued::seq).collect(java.util.stream.Collectors.toSet());
        if (outbox.removeIf(q -> seqs.contains(q.seq()))) persistOutbox();
    }

    /**
     * Queues a check report, replacing a queued one for the same key and role. Interim reports
     * ({@code probing}, every few hundred milliseconds while a source probes) are queued in memory
     * only: after a restart the part runs again, so they would be stale. A final report
     * ({@code done}/{@code failed}) also marks the part finished ({@code checks-finished.json}), so a
     * restarted agent does not run it again while the controller still lists it.
     */
    public synchronized void enqueueCheck(CheckReport report) {
        checkOutbox.removeIf(q -> sameCheck(q.report(), report.key(), report.role()));
        checkOutbox.add(new QueuedCheck(nextSeq++, report));
        if (report.state() != ReportState.PROBING) persistCheckOutbox();
        if (report.state().isFinal()
                && finishedChecks.add(report.key() + "/" + report.role().wire())) {
            persistFinishedChecks();
        }
    }

    /** True when this agent already made the final report of this check part. */
    public synchronized boolean isCheckFinished(String key, CheckRole role) {
        return finishedChecks.contains(key + "/" + role.wire());
    }

    /** Forgets finished marks of parts no longer listed ({@code key/role} ids). */
    public synchronized void retainFinishedChecks(java.util.Set<String> listed) {
        if (finishedChecks.retainAll(listed)) persistFinishedChecks();
    }

    private void persistFinishedChecks() {
        writes.write(finishedChecksFile, () -> json(List.copyOf(finishedChecks)), "finished checks");
    }

    /** Up to {@code max} queued check reports, oldest first. */
    public synchronized List<QueuedCheck> pendingChecks(int max) {
        return List.copyOf(checkOutbox.subList(0, Math.min(max, checkOutbox.size())));
    }

    /** True when a report for this check part waits in the outbox. */
    public synchronized boolean hasPendingCheck(String key, CheckRole role) {
        return checkOutbox.stream().anyMatch(q -> sameCheck(q.report(), key, role));
    }

    /** The queued report for this check part, if any. */
    public synchronized java.util.Optional<CheckReport> queuedCheck(String key, CheckRole role) {
        return checkOutbox.stream().filter(q -> sameCheck(q.report(), key, role)).map(QueuedCheck::report).findFirst();
    }

    /** Removes delivered check reports (by sequence). */
    public synchronized void acknowledgeChecks(List<QueuedCheck> delivered) {
        var seqs = delivered.stream().map(QueuedCheck::seq).collect(java.util.stream.Collectors.toSet());
        boolean durable = checkOutbox.stream()
                .anyMatch(q -> seqs.contains(q.seq()) && q.report().state() != ReportState.PROBING);
        if (checkOutbox.removeIf(q -> seqs.contains(q.seq())) && durable) persistCheckOutbox();
    }

    private static boolean sameCheck(CheckReport r, String key, CheckRole role) {
        return Objects.equals(r.key(), key) && r.role() == role;
    }

    private void persistCheckOutbox() {
        // the supplier reads the live outbox: a retry after a full disk writes the latest state
        writes.write(checkOutboxFile, () -> json(checkOutbox.stream().map(QueuedCheck::report)
                .filter(r -> r.state() != ReportState.PROBING).toList()), "check outbox");
    }

    /** Number of reports waiting (capture and check reports). */
    public synchronized int outboxSize() { return outbox.size() + checkOutbox.size(); }

    private static boolean sameState(CaptureReport a, CaptureReport b) {
        return Objects.equals(a.status(), b.status()) && Objects.equals(a.stopReason(), b.stopReason())
                && Objects.equals(a.uploadState(), b.uploadState());
    }

    private void persistOutbox() {
        writes.write(outboxFile, () -> json(outbox.stream().map(Queued::report).toList()), "outbox");
    }

    private Path fileFor(String key) {
        return capturesDir.resolve(fileName(key));
    }

    private Path ringFileFor(String key) {
        return ringsDir.resolve(fileName(key));
    }

    /** The file name of a key's state: the key itself when it is a safe file name, else a hash of it. */
    private static String fileName(String key) {
        if (key.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) return key + ".json";
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "k-" + HexFormat.of().formatHex(hash) + ".json";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
