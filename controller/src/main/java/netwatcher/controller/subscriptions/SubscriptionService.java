package netwatcher.controller.subscriptions;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;

/** Subscriptions: lookup, the check every ARM route makes, and creation by the admin. Thread-safe. */
public final class SubscriptionService {
    private final Database db;
    private final SubscriptionRepository repo;
    private final Clock clock;

    public SubscriptionService(Database db, SubscriptionRepository repo, Clock clock) {
        this.db = db;
        this.repo = repo;
        this.clock = clock;
    }

    /** The subscription, or 404 SubscriptionNotFound. */
    public Subscription require(String id) {
        return repo.find(db, id).orElseThrow(() -> ArmErrorCode.SubscriptionNotFound.exception(
                "The subscription '" + id + "' could not be found."));
    }

    public Optional<Subscription> find(String id) { return repo.find(db, id); }

    public List<Subscription> all() { return repo.all(db); }

    /** Creates a subscription (a new GUID when {@code id} is null). */
    public Subscription create(String id, String displayName) {
        String sid = id == null ? UUID.randomUUID().toString() : id;
        if (!sid.matches("[A-Za-z0-9-]{1,64}")) {
            throw ArmErrorCode.InvalidParameter.exception("A subscription id has letters, digits and dashes only; was '" + sid + "'.", "subscriptionId");
        }
        if (repo.find(db, sid).isPresent()) throw ArmErrorCode.Conflict.exception("Subscription '" + sid + "' already exists.");
        Subscription s = new Subscription(sid, displayName == null ? "netwatcher" : displayName, clock.instant());
        repo.insert(db, s);
        return s;
    }

    /** The first subscription, created on first start when there is none. */
    public Subscription ensureDefault() {
        List<Subscription> all = repo.all(db);
        return all.isEmpty() ? create(null, "netwatcher default") : all.getFirst();
    }
}
