package netwatcher.controller.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import netwatcher.controller.db.DatabaseException;
import netwatcher.pki.SecureFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrator's bearer token: 256 random bits, base64url (43 characters), generated on first
 * start and kept as the single line of {@code DATA_DIR/admin.token} (mode 0600, written so that it
 * is never readable by others, not even briefly). Whoever holds it is the admin: it passes every
 * authorization check.
 *
 * <p>Controllers that share a database share one admin token: its hash lives in the database
 * ({@link AdminTokenRepository}), and {@link #establish} makes the first controller's token the
 * cluster's. A controller that joins later without the token file knows only the hash: it accepts
 * the token ({@link #matches}) but cannot hand it out ({@link #value} fails, naming the file to copy).
 *
 * <p><b>Rotation</b> ({@link #rotate}) is online: a new token's hash replaces the stored one (the old one may keep
 * verifying for a grace period) and the new token is written to this controller's file. Every controller re-reads
 * the stored hashes at most {@link #MAX_STALENESS} after it last read them, and at once when told through
 * {@link #invalidate} (PostgreSQL {@code NOTIFY}, a hint: the bounded re-read is what guarantees it), so an old token
 * stops verifying everywhere within that bound once its grace ended, without a restart. A re-read that fails (the
 * database unreachable) fails the check rather than trusting a hash that may have been rotated away.
 *
 * <p>Thread-safe; {@link #toString()} does not show the token.
 */
public final class AdminToken {
    /** The token file's name inside the data directory. */
    public static final String FILE_NAME = "admin.token";
    /**
     * How long a controller trusts the hashes it read before it reads them again: the longest an old token verifies
     * on a controller that missed the rotation's notification. One primary-key read per second at most, on requests.
     */
    public static final Duration MAX_STALENESS = Duration.ofSeconds(1);
    /** How often a cluster's controllers call {@link #refreshAhead}. */
    public static final Duration REFRESH_AHEAD_EVERY = Duration.ofMillis(200);
    /** The longest grace period a rotation may give the previous token. */
    public static final Duration MAX_GRACE = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

    private final Path file;
    /** Null for a token without a database ({@link #loadOrCreate}): its hash never changes. */
    private final AdminTokenRepository repository;
    private final InstantSource clock;
    /** Serialises re-reads, so that the requests arriving when the hashes went stale cause one read, not one each. */
    private final ReentrantLock refresh = new ReentrantLock();
    /** The hashes as last read and when; null when they must be read before the next check. */
    private volatile Read read;
    /** The token this controller holds (its file's), when it is the current one as far as this controller knows. */
    private volatile String value;

    /**
     * The last re-read's failure, answered to the checks of the next {@link #MAX_STALENESS} without another attempt:
     * the requests waiting on {@link #refresh} then fail together instead of each waiting for a connection in turn.
     */
    private volatile Failed failed;
    /** Counts {@link #invalidate} calls: a read that one overtook is not kept as fresh. */
    private final java.util.concurrent.atomic.AtomicLong invalidations = new java.util.concurrent.atomic.AtomicLong();

    /** Hashes read at a moment. */
    private record Read(Optional<AdminTokenHashes> hashes, Instant at) {}

    /** A re-read that failed, and when. */
    private record Failed(RuntimeException error, Instant at) {}

    /** What a rotation made: the new token (shown once), where it was written, the old token's grace. */
    public record Rotation(String token, Path file, Optional<String> fileError, AdminTokenHashes hashes) {
        public Rotation {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(fileError, "fileError");
            Objects.requireNonNull(hashes, "hashes");
        }

        @Override
        public String toString() { return "Rotation[file=" + file + ", hashes=" + hashes + "]"; }
    }

    private AdminToken(Path file, String value, AdminTokenHashes hashes, AdminTokenRepository repository, InstantSource clock) {
        this.file = file;
        this.value = value;
        this.repository = repository;
        this.clock = clock;
        this.read = new Read(Optional.of(hashes), clock.instant());
    }

    /**
     * Loads {@code dataDir/admin.token}, creating it on first call, for a controller without a database. Fails if the
     * file exists but does not hold exactly one token line, or (on POSIX systems) if it is readable by group or others.
     */
    public static AdminToken loadOrCreate(Path dataDir) {
        Path file = fileIn(dataDir);
        if (!Files.exists(file)) write(file, Secrets.generate());
        String token = read(file).orElseThrow();
        InstantSource clock = InstantSource.system();
        return new AdminToken(file, token, AdminTokenHashes.only(Secrets.hash(token), clock.instant()), null, clock);
    }

    /**
     * The token every controller on {@code repository}'s database accepts, established race-free:
     * <ul>
     * <li>no hash stored yet: this controller's token (its file's, else a new one) is offered with
     * insert-if-absent, then the stored hash is read back; a controller that lost that race drops the
     * file it just wrote and knows the hash only;</li>
     * <li>a hash stored and the file's token matches: as before;</li>
     * <li>a hash stored, the file differs or is missing: with {@code exclusiveDatabase} (the embedded
     * database, which no other controller can open) the file is the truth (deleting it and
     * restarting rotates the token, as it always did); on a shared database a file holding a token that a
     * rotation replaced is left alone and this controller knows the hash only (logged: copy the new token),
     * any other differing file stops the start (two admins would each believe theirs is the token), and a
     * missing one leaves this controller knowing the hash only.</li>
     * </ul>
     */
    public static AdminToken establish(Path dataDir, AdminTokenRepository repository, boolean exclusiveDatabase) {
        Path file = fileIn(dataDir);
        InstantSource clock = repository.clock();
        Optional<String> local = read(file);
        Optional<String> stored = repository.hash();
        if (stored.isEmpty()) {
            boolean created = local.isEmpty();
            String token = local.orElseGet(() -> write(file, Secrets.generate()));
            repository.offer(Secrets.hash(token));
            AdminTokenHashes winner = repository.hashes().orElseThrow(() -> new IllegalStateException("the admin token hash vanished"));
            if (winner.isCurrent(token)) return new AdminToken(file, token, winner, repository, clock);
            if (created) delete(file); // another controller's token won the race: ours was never valid
            return new AdminToken(file, null, winner, repository, clock);
        }
        String hash = stored.get();
        if (local.isPresent() && Secrets.matches(local.get(), hash)) {
            return new AdminToken(file, local.get(), stored(repository, hash), repository, clock);
        }
        if (exclusiveDatabase) {
            String token = local.orElseGet(() -> write(file, Secrets.generate()));
            repository.replace(Secrets.hash(token));
            return new AdminToken(file, token, stored(repository, Secrets.hash(token)), repository, clock);
        }
        if (local.isPresent() && repository.retired(local.get())) {
            LOG.atWarn().addKeyValue("file", file).log("{} holds an admin token that was rotated away; this controller accepts the"
                    + " current token by its hash only. Copy the new admin.token (printed by 'nw admin admin-token rotate') over"
                    + " this file where 'nw admin' or 'nw up' with its local agent runs", file);
            return new AdminToken(file, null, stored(repository, hash), repository, clock);
        }
        if (local.isPresent()) {
            throw new IllegalStateException(file + " is not the admin token of the shared database: another controller"
                    + " created that one first. Copy its admin.token over this file, or delete this file (this controller then"
                    + " accepts the shared token without knowing it).");
        }
        return new AdminToken(file, null, stored(repository, hash), repository, clock);
    }

    private static AdminTokenHashes stored(AdminTokenRepository repository, String fallback) {
        return repository.hashes().orElseGet(() -> AdminTokenHashes.only(fallback, repository.clock().instant()));
    }

    /**
     * Rotates the token: a new one, its hash stored for every controller (the current token keeps verifying for
     * {@code grace}, zero for not at all), then written to this controller's file (atomically, mode 0600). The new
     * token is returned once; a failure to write the file is reported in the result, not thrown, because the database
     * already holds the new hash and the result is then the only place the token is.
     *
     * @throws IllegalArgumentException when {@code grace} is negative or longer than {@link #MAX_GRACE}
     * @throws IllegalStateException    for a token without a database ({@link #loadOrCreate})
     */
    public Rotation rotate(Duration grace) {
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalArgumentException("the grace period must be between 0 and " + MAX_GRACE.toSeconds() + " seconds; was "
                    + grace.toSeconds());
        }
        if (repository == null) throw new IllegalStateException("this admin token has no database to rotate it in");
        String token = Secrets.generate();
        AdminTokenHashes hashes = repository.rotate(Secrets.hash(token), grace);
        refresh.lock();
        try {
            read = new Read(Optional.of(hashes), clock.instant());
            failed = null;
            value = token;
        } finally {
            refresh.unlock();
        }
        Optional<String> fileError = Optional.empty();
        try {
            write(file, token);
        } catch (UncheckedIOException e) {
            LOG.atWarn().addKeyValue("file", file).log("the admin token was rotated but could not be written to {}: {}", file, e.toString());
            fileError = Optional.of(e.getMessage());
        }
        LOG.atInfo().addKeyValue("file", file).addKeyValue("previousValidUntil", hashes.previousUntil())
                .log("admin token rotated");
        return new Rotation(token, fileError.isEmpty() ? file : null, fileError, hashes);
    }

    /** Makes the next check read the stored hashes again (another controller rotated the token: a hint). */
    public void invalidate() {
        invalidations.incrementAndGet();
        read = null;
    }

    /**
     * Reads the stored hashes ahead of need when the last read is at least half of {@link #MAX_STALENESS} old (or was
     * invalidated), so that a request rarely finds them stale and waits for the read itself: a cluster's controllers call
     * this every {@link #REFRESH_AHEAD_EVERY} from a background thread. Without it one request in several paid a database
     * round trip for the admin token (BENCHMARKS.md §11). It changes no guarantee: a check still reads for itself when
     * the hashes are older than {@link #MAX_STALENESS}. A failed read is left to that check, which answers it; a read a
     * request is making already is not repeated.
     */
    public void refreshAhead() {
        if (repository == null) return;
        Read r = read;
        if (r != null && fresh(r, MAX_STALENESS.dividedBy(2))) return;
        if (!refresh.tryLock()) return;
        try {
            reread();
        } catch (DatabaseException | IllegalStateException e) {
            LOG.debug("admin token hashes not read ahead: {}", e.toString());
        } finally {
            refresh.unlock();
        }
    }

    /** The hashes, read again when older than {@link #MAX_STALENESS} or invalidated. */
    private Optional<AdminTokenHashes> hashes() {
        Read r = read;
        if (repository == null || fresh(r)) return r.hashes();
        refresh.lock();
        try {
            r = read;
            if (fresh(r)) return r.hashes();
            Failed f = failed;
            if (f != null && fresh(new Read(Optional.empty(), f.at()))) throw f.error(); // no queue of waits on a dead database
            try {
                return reread().hashes();
            } catch (DatabaseException | IllegalStateException e) { // unreachable or busy; closed (the controller stopping)
                failed = new Failed(e, clock.instant());
                throw e;
            }
        } finally {
            refresh.unlock();
        }
    }

    /**
     * Reads the stored hashes (the caller holds {@link #refresh}) and keeps them as fresh, unless a rotation's hint came
     * during the read: then the next check reads again. Clears a kept failure.
     */
    private Read reread() {
        long seen = invalidations.get();
        Read now = new Read(repository.hashes(), clock.instant());
        if (invalidations.get() == seen) read = now;
        failed = null;
        return now;
    }

    private boolean fresh(Read r) {
        return fresh(r, MAX_STALENESS);
    }

    private boolean fresh(Read r, Duration within) {
        if (r == null) return false;
        Instant now = clock.instant();
        return !now.isBefore(r.at()) && now.isBefore(r.at().plus(within));
    }

    private static Path fileIn(Path dataDir) {
        return dataDir.toAbsolutePath().resolve(FILE_NAME);
    }

    private static String write(Path file, String token) {
        SecureFiles.writeAtomically(file, token + "\n", true);
        return token;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    /** The file's token, checked; empty when there is no file. */
    private static Optional<String> read(Path file) {
        try {
            if (!Files.exists(file)) return Optional.empty();
            if (SecureFiles.posix()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw new IllegalStateException(file + " is accessible by other users; run chmod 600 " + file);
                }
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isBlank()).toList();
            if (lines.size() != 1 || lines.getFirst().strip().length() < 32) {
                throw new IllegalStateException(file + " must hold one token line of at least 32 characters;"
                        + " delete it to generate a new token");
            }
            return Optional.of(lines.getFirst().strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Where the token lives (on a controller that joined a shared database later, the file may be absent). */
    public Path file() { return file; }

    /**
     * Whether this controller knows the current token itself, not only its hash: the one it made or rotated to, or
     * the one its file holds (an operator may copy a rotated token there; the file is read again when needed).
     */
    public boolean known() { return held().isPresent(); }

    /** The token (for the CLI that runs on the same machine); never log it. */
    public String value() {
        return held().orElseThrow(() -> new IllegalStateException("this controller shares its database's admin token but does"
                + " not hold it (it was made by another controller, or rotated through another controller or 'nw admin'): copy"
                + " admin.token from the controller that made or rotated it to " + file));
    }

    private Optional<String> held() {
        Optional<AdminTokenHashes> hashes = hashes();
        if (hashes.isEmpty()) return Optional.empty();
        String v = value;
        if (v != null && hashes.get().isCurrent(v)) return Optional.of(v);
        Optional<String> onDisk = Files.exists(file) ? read(file) : Optional.empty();
        if (onDisk.isPresent() && hashes.get().isCurrent(onDisk.get())) {
            value = onDisk.get();
            return onDisk;
        }
        return Optional.empty();
    }

    /**
     * Whether {@code presented} is the admin token (constant time): the current one, or the previous one during a
     * rotation's grace period, as stored at most {@link #MAX_STALENESS} ago.
     */
    public boolean matches(String presented) {
        Optional<AdminTokenHashes> hashes = hashes();
        return hashes.isPresent() && hashes.get().accepts(presented, clock.instant());
    }

    @Override
    public String toString() { return "AdminToken[" + file + "]"; }
}
