package netwatcher.agent.control;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Durable small-file writes ({@link DurableFiles}) that fail softly: a write or delete that fails
 * (a full or read-only state directory) is logged, remembered (the latest content per file wins)
 * and retried by {@link #retry()} with exponential backoff, so the caller's thread carries on with
 * its in-memory state and the files catch up as soon as space returns, without a restart.
 *
 * <p>Not thread-safe: the owner ({@link Journal}) calls it under its own lock.
 */
final class PendingWrites {
    private static final Logger LOG = LoggerFactory.getLogger(PendingWrites.class);

    /** Content to write per file, in first-failure order; a null supplier means "delete it". */
    private final Map<Path, Supplier<byte[]>> pending = new LinkedHashMap<>();
    private final Backoff backoff;
    private final InstantSource clock;
    private Instant nextAttempt = Instant.MIN;

    PendingWrites(Duration retryBase, Duration retryCap, InstantSource clock) {
        this.backoff = new Backoff(retryBase, retryCap, RandomGenerator.getDefault());
        this.clock = clock;
    }

    /**
     * Writes {@code content} to {@code target} now; true when it is durable. On failure the write is
     * kept for {@link #retry()} ({@code content} is asked again then, so it may read live state).
     */
    boolean write(Path target, Supplier<byte[]> content, String what) {
        return attempt(target, content, what);
    }

    /** Deletes {@code target} now; true when done. On failure the delete is kept for {@link #retry()}. */
    boolean delete(Path target, String what) {
        return attempt(target, null, what);
    }

    private boolean attempt(Path target, Supplier<byte[]> content, String what) {
        try {
            apply(target, content);
            pending.remove(target);
            return true;
        } catch (IOException | RuntimeException e) {
            boolean first = pending.isEmpty();
            pending.put(target, content);
            if (first) nextAttempt = clock.instant().plus(backoff.nextDelay());
            LOG.atLevel(first ? Level.ERROR : Level.DEBUG)
                    .addKeyValue("file", target).addKeyValue("behind", pending.size())
                    .log("journal: cannot {} {}: {}; kept in memory, retrying with backoff", content == null ? "delete" : "write",
                            what, reason(e));
            return false;
        }
    }

    /**
     * Retries the remembered writes when their backoff has passed; true when nothing is pending
     * any more. Stops at the first failure (the disk is still full) and waits longer next time.
     */
    boolean retry() {
        if (pending.isEmpty()) return true;
        if (clock.instant().isBefore(nextAttempt)) return false;
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            try {
                apply(e.getKey(), e.getValue());
                it.remove();
            } catch (IOException | RuntimeException ex) {
                Duration wait = backoff.nextDelay();
                nextAttempt = clock.instant().plus(wait);
                LOG.atWarn().addKeyValue("file", e.getKey()).addKeyValue("behind", pending.size()).addKeyValue("retryMs", wait.toMillis())
                        .log("journal: still cannot write: {}", reason(ex));
                return false;
            }
        }
        backoff.reset();
        LOG.info("journal: the state directory is writable again; every pending write is durable");
        return true;
    }

    /** Number of files whose latest content is not on disk yet. */
    int size() { return pending.size(); }

    private static void apply(Path target, Supplier<byte[]> content) throws IOException {
        if (content == null) DurableFiles.delete(target);
        else DurableFiles.writeAtomically(target, content.get(), false);
    }

    private static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
