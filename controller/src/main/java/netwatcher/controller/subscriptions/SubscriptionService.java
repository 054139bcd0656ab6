package netwatcher.controller.subscriptions;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;

/**
 * Subscriptions: lookup, the check every ARM route makes, and creation by the admin. Thread-safe.
 *
 * <p>A subscription is never changed nor deleted (no API does either), so one found is kept in memory: the check
 * every ARM route makes ({@link #require}) reads the database only for an id not seen yet. In a cluster under
 * 10,000 polling agents each statement of a GET is a pool borrow and a round trip that waits for a CPU
 * (BENCHMARKS.md §11); an unknown id is read each time (another controller may create it).
 */
public final class SubscriptionService {
    private final Database db;
    private final SubscriptionRepository repo;
    private final Clock clock;
    /** Subscriptions found so far, by lower-case id (ids are case-insensitive); only ever grows, by the admin's creations. */
    private final Map<String, Subscription> known = new ConcurrentHashMap<>();

    public SubscriptionService(Database db, SubscriptionRepository repo, Clock clock) {
        this.db = db;
        this.repo = repo;
        this.clock = clock;
    }

    /** The subscription, or 404 SubscriptionNotFound. */
    public Subscription require(String id) {
        return find(id).orElseThrow(() -> ArmErrorCode.SubscriptionNotFound.exception(
                "The subscription '" + id + "' could not be found."));
    }

    /** The subscription, from memory once found. */
    public Optional<Subscription> find(String id) {
        String key = id.toLowerCase(Locale.ROOT);
        Subscription seen = known.get(key);
        if (seen != null) return Optional.of(seen);
        Optional<Subscription> found = repo.find(db, id);
        found.ifPresent(s -> known.putIfAbsent(key, s));
        return found;
    }

    public List<Subscription> all() { return repo.all(db); }

    /** Creates a subscription (a new GUID when {@code id} is null); 409 when it exists, also when another controller just made it. */
    public Subscription create(String id, String displayName) {
        String sid = id == null ? UUID.randomUUID().toString() : id;
        if (!sid.matches("[A-Za-z0-9-]{1,64}")) {
            throw ArmErrorCode.InvalidParameter.exception("A subscription id has letters, digits and dashes only; was '" + sid + "'.", "subscriptionId");
        }
        Subscription s = new Subscription(sid, displayName == null ? "netwatcher" : displayName, clock.instant());
        if (!repo.insertIfAbsent(db, s)) throw ArmErrorCode.Conflict.exception("Subscription '" + sid + "' already exists.");
        return s;
    }

    /**
     * The default subscription, the same on every controller of a database and across restarts. The choice is one
     * row ({@code nw_subscription_default}) that the first controller inserts if absent and every controller then
     * reads: on a database from before that row, the oldest subscription (the default then); on an empty one, a new
     * GUID. Controllers starting together on an empty database therefore make one default subscription, not two.
     */
    public Subscription ensureDefault() {
        Optional<String> chosen = repo.defaultId(db);
        if (chosen.isEmpty()) {
            String candidate = repo.all(db).stream().findFirst().map(Subscription::id).orElseGet(() -> UUID.randomUUID().toString());
            repo.offerDefault(db, candidate, clock.instant());
            chosen = repo.defaultId(db);
        }
        String id = chosen.orElseThrow(() -> new IllegalStateException("the default subscription's row vanished"));
        repo.insertIfAbsent(db, new Subscription(id, "netwatcher default", clock.instant())); // a start that died in between
        return repo.find(db, id).orElseThrow();
    }
}
