package netwatcher.controller.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import netwatcher.arm.ArmError;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, completes and polls long-running operations, and writes the ARM headers that point at
 * them. Thread-safe.
 */
public final class OperationService {
    private static final Logger LOG = LoggerFactory.getLogger(OperationService.class);
    /**
     * The least {@code Retry-After} clients are told (whole seconds, as HTTP defines it): 0 or absent
     * makes the az CLI and Java SDK wait 30 s.
     */
    public static final String RETRY_AFTER = "1";

    /** The wait between polls when the feature gives no estimate of the remaining time. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    /**
     * The shortest {@code retry-after-ms} handed out: a client told less would poll the database in a
     * loop for work that cannot be that close to done.
     */
    public static final Duration MIN_POLL = Duration.ofMillis(50);

    /** How often {@link #awaitOutcome} looks again without a wake-up (another controller may have recorded the outcome). */
    static final Duration AWAIT_RECHECK = Duration.ofMillis(100);

    /** How long a finished operation can be polled, as ARM keeps them (a day). */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

    private final Database db;
    private final OperationRepository repo;
    private final Clock clock;
    private final Duration retention;
    private final Map<String, OperationResolver> resolvers = new ConcurrentHashMap<>();
    private final Map<String, Computed> computed = new ConcurrentHashMap<>();
    private final Map<String, Function<String, Optional<String>>> resources = new ConcurrentHashMap<>();

    public OperationService(Database db, OperationRepository repo, Clock clock) {
        this(db, repo, clock, DEFAULT_RETENTION);
    }

    /** @param retention how long a finished operation stays pollable; after that a poll answers 404 and the row is deleted */
    public OperationService(Database db, OperationRepository repo, Clock clock, Duration retention) {
        if (retention.isNegative() || retention.isZero()) throw new IllegalArgumentException("operation retention must be positive");
        this.db = db;
        this.repo = repo;
        this.clock = clock;
        this.retention = retention;
    }

    public Duration retention() { return retention; }

    /**
     * An operation kind whose outcome is computed when polled, so that starting one writes nothing
     * (for read-only actions such as queryStatus, which clients may call in a loop). Its id carries
     * its tag, its start time and the target's key; it answers until the retention has passed.
     */
    @FunctionalInterface
    public interface Computed {
        /**
         * The finished operation for {@code targetKey} as of now, or empty when the target is gone.
         * Build it with {@link #computedResult}.
         */
        Optional<Operation> resolve(String id, String targetKey, Instant startedAt);
    }

    private static final java.util.regex.Pattern COMPUTED_ID =
            java.util.regex.Pattern.compile("([a-z]{1,8})\\.([0-9a-z]{1,13})\\.([A-Za-z0-9_-]{1,64})");

    /** Registers a computed kind under {@code tag} (lower-case letters). */
    public void registerComputed(String tag, Computed kind) {
        if (!tag.matches("[a-z]{1,8}")) throw new IllegalArgumentException("bad tag " + tag);
        computed.put(tag, kind);
    }

    /** A computed operation for {@code targetKey} started now; nothing is stored. */
    public Operation startComputed(String tag, String subscriptionId, String location, String kind, String targetKey) {
        if (!computed.containsKey(tag)) throw new IllegalArgumentException("unregistered tag " + tag);
        Instant now = clock.instant();
        String id = tag + "." + Long.toString(now.toEpochMilli(), 36) + "." + targetKey;
        if (!COMPUTED_ID.matcher(id).matches()) throw new IllegalArgumentException("bad computed target key " + targetKey);
        return computedResult(id, new Operation.Subject(subscriptionId, location, kind, targetKey), now, 200, null);
    }

    /** A finished computed operation. */
    public static Operation computedResult(String id, Operation.Subject subject, Instant startedAt, int httpStatus, String resultJson) {
        return new Operation(id, subject.subscriptionId(), subject.location().toLowerCase(Locale.ROOT), subject.kind(), subject.targetKey(),
                Operation.Status.Succeeded, httpStatus, resultJson, null, startedAt, startedAt, startedAt);
    }

    private Optional<Operation> pollComputed(String id) {
        var m = COMPUTED_ID.matcher(id);
        if (!m.matches()) return Optional.empty();
        Computed kind = computed.get(m.group(1));
        if (kind == null) return Optional.empty();
        Instant started;
        try {
            started = Instant.ofEpochMilli(Long.parseLong(m.group(2), 36));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (started.isAfter(now) || expired(started, now)) return Optional.empty();
        return kind.resolve(id, m.group(3), started);
    }

    private boolean expired(Instant finishedAt, Instant now) {
        return finishedAt.plus(retention).isBefore(now);
    }

    /**
     * Deletes finished operations older than the retention, and pending ones nobody polled whose
     * deadline is older than the retention; returns how many went.
     */
    public int collectExpired() {
        return repo.deleteExpired(db, clock.instant().minus(retention));
    }

    /** Registers the resolver of pending operations of {@code kind}. */
    public void register(String kind, OperationResolver resolver) {
        resolvers.put(kind, resolver);
    }

    /**
     * Registers how to find the ARM path of the resource an operation of {@code kind} acts on from
     * its target key, for kinds whose target key is an internal key (a capture's, a check's).
     */
    public void registerResource(String kind, Function<String, Optional<String>> resourceOfTarget) {
        resources.put(kind, resourceOfTarget);
    }

    /** Records a pending operation whose id is the request id. */
    public Operation start(Exchange ex, String subscriptionId, String location, String kind, String targetKey, Duration timeout) {
        Instant now = clock.instant();
        Operation op = new Operation(ex.requestId(), subscriptionId, location.toLowerCase(Locale.ROOT), kind, targetKey,
                Operation.Status.InProgress, null, null, null, now, now, now.plus(timeout));
        repo.insert(db, op);
        LOG.atInfo().addKeyValue("op", op.id()).addKeyValue("kind", kind).addKeyValue("target", targetKey).log("operation started");
        return op;
    }

    /** Answers 202 Accepted with Location, Azure-AsyncOperation and Retry-After for {@code op}. */
    public void accepted(Exchange ex, Operation op) {
        setPollingHeaders(ex, op, true);
        ex.empty(202);
    }

    /**
     * Sets Azure-AsyncOperation (and Location when {@code withLocation}) and the expected wait
     * ({@link #setRetryAfter}).
     */
    public void setPollingHeaders(Exchange ex, Operation op, boolean withLocation) {
        String base = "/subscriptions/" + op.subscriptionId() + "/providers/Microsoft.Network/locations/" + op.location();
        ex.setHeader("Azure-AsyncOperation", ex.absolute(base + "/operations/" + op.id()));
        if (withLocation) ex.setHeader("Location", ex.absolute(base + "/operationResults/" + op.id()));
        setRetryAfter(ex, op);
    }

    /**
     * Tells the client when to poll {@code op} again: {@code Retry-After} in whole seconds (HTTP allows
     * nothing finer; at least 1, see {@link #RETRY_AFTER}) and {@code retry-after-ms} with the
     * remaining time the operation's resolver expects (the Azure SDKs for Java and Python prefer it to
     * Retry-After), never below {@link #MIN_POLL}.
     */
    public void setRetryAfter(Exchange ex, Operation op) {
        Duration wait = expectedRemaining(op);
        ex.setHeader("Retry-After", retryAfterSeconds(wait));
        ex.setHeader("retry-after-ms", Long.toString(wait.toMillis()));
    }

    /** The whole seconds of {@code Retry-After} for a wait: rounded up, at least 1. */
    static String retryAfterSeconds(Duration wait) {
        long ms = wait.toMillis();
        return Long.toString(Math.max(1, (ms + 999) / 1000));
    }

    /** The remaining time the resolver of {@code op} expects, clamped to [{@link #MIN_POLL}, 60 s]; {@link #DEFAULT_POLL} without an estimate. */
    public Duration expectedRemaining(Operation op) {
        OperationResolver resolver = op.done() ? null : resolvers.get(op.kind());
        Duration d = resolver == null ? DEFAULT_POLL : resolver.expectedRemaining(op).orElse(DEFAULT_POLL);
        if (d.compareTo(MIN_POLL) < 0) return MIN_POLL;
        return d.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : d;
    }

    // ---------------------------------------------------------------- answering synchronously

    private final java.util.concurrent.locks.ReentrantLock changeLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition changed = changeLock.newCondition();
    private long changes;

    /**
     * Tells waiting requests that the target with {@code targetKey} changed (an agent reported on it),
     * so {@link #awaitOutcome} looks again at once. Cheap; callable from any thread.
     */
    public void targetChanged(String targetKey) {
        changeLock.lock();
        try {
            changes++;
            changed.signalAll();
        } finally {
            changeLock.unlock();
        }
    }

    /**
     * Waits at most {@code max} for the resolver of {@code kind} to find the work on {@code targetKey}
     * done, so that the request that started it can answer synchronously; nothing is stored. Looks
     * again when {@link #targetChanged} is called and every {@link #AWAIT_RECHECK} (the outcome may be
     * recorded by another controller). Empty when the work is not done within {@code max}: the caller
     * then records a pending operation and answers 202.
     */
    public Optional<OperationResolver.Outcome> awaitOutcome(String kind, String subscriptionId, String location, String targetKey,
                                                            Duration max) throws InterruptedException {
        OperationResolver resolver = resolvers.get(kind);
        if (resolver == null) throw new IllegalArgumentException("no resolver for " + kind);
        Instant start = clock.instant();
        Operation probe = new Operation("await", subscriptionId, location.toLowerCase(Locale.ROOT), kind, targetKey,
                Operation.Status.InProgress, null, null, null, start, start, start.plus(max));
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            long seen;
            changeLock.lock();
            try {
                seen = changes;
            } finally {
                changeLock.unlock();
            }
            Optional<OperationResolver.Outcome> outcome = resolver.resolve(probe);
            if (outcome.isPresent()) return outcome;
            long left = deadline - System.nanoTime();
            if (left <= 0) return Optional.empty();
            changeLock.lock();
            try {
                long nanos = Math.min(left, AWAIT_RECHECK.toNanos());
                while (changes == seen && nanos > 0) nanos = changed.awaitNanos(nanos);
            } finally {
                changeLock.unlock();
            }
        }
    }

    /** The operation, resolved if its outcome is now known. */
    public Optional<Operation> poll(String id) {
        Optional<Operation> found = repo.find(db, id);
        if (found.isEmpty()) return pollComputed(id);
        // an expired operation is gone, as in ARM, even before the sweeper deletes its row
        if (found.get().done()) return expired(found.get().updatedAt(), clock.instant()) ? Optional.empty() : found;
        Operation op = found.get();
        if (expired(op.deadline(), clock.instant())) return Optional.empty();
        OperationResolver resolver = resolvers.get(op.kind());
        Optional<OperationResolver.Outcome> outcome = resolver == null ? Optional.empty() : resolver.resolve(op);
        Instant now = clock.instant();
        if (outcome.isEmpty() && now.isAfter(op.deadline())) {
            outcome = Optional.of(new OperationResolver.Failure(ArmErrorCode.OperationTimedOut.error(
                    "The operation did not finish by its deadline " + op.deadline() + ".")));
        }
        if (outcome.isEmpty()) return expired(op.deadline(), now) ? Optional.empty() : found;
        record(id, outcome.get(), now);
        return repo.find(db, id);
    }

    /**
     * The operation as stored (or, for a computed one, as of now), without resolving a pending one: for
     * authorizing a poll before it has effects.
     */
    public Optional<Operation> find(String id) {
        Optional<Operation> stored = repo.find(db, id);
        return stored.isPresent() ? stored : pollComputed(id);
    }

    /**
     * The ARM path whose read access a poll of {@code op} needs: its target when that is a path, else
     * what the feature registered for its kind says; failing both, the subscription's operations (Reader on the subscription).
     */
    public String resourceOf(Operation op) {
        String target = op.targetKey();
        if (target != null && target.startsWith("/subscriptions/")) return target;
        var resource = resources.get(op.kind());
        return (resource == null ? Optional.<String>empty() : resource.apply(op.targetKey())).orElse("/subscriptions/" + op.subscriptionId() + "/providers/Microsoft.Network/locations/" + op.location());
    }

    /** The progress the operation's resolver reports while it is pending; empty once done or without a hook. */
    public Optional<OperationResolver.Progress> progress(Operation op) {
        if (op.done()) return Optional.empty();
        OperationResolver resolver = resolvers.get(op.kind());
        return resolver == null ? Optional.empty() : resolver.progress(op);
    }

    /** Completes a pending operation now (used when the feature learns the outcome first). */
    public void complete(String id, OperationResolver.Outcome outcome) {
        record(id, outcome, clock.instant());
    }

    private void record(String id, OperationResolver.Outcome outcome, Instant now) {
        switch (outcome) {
            case OperationResolver.Success s -> {
                repo.complete(db, id, new Operation.Completion(Operation.Status.Succeeded, s.httpStatus(), s.resultJson(), null), now);
                LOG.atInfo().addKeyValue("op", id).addKeyValue("status", Operation.Status.Succeeded).log("operation finished");
            }
            case OperationResolver.Failure f -> {
                repo.complete(db, id, new Operation.Completion(Operation.Status.Failed, f.error().kind().status(), null, f.error()), now);
                LOG.atInfo().addKeyValue("op", id).addKeyValue("status", Operation.Status.Failed).addKeyValue("code", f.error().code())
                        .log("operation finished: {}", f.error().message());
            }
        }
    }

}
