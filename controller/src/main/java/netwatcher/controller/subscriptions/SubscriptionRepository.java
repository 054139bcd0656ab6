package netwatcher.controller.subscriptions;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import netwatcher.controller.db.SqlOperations;

/** SQL for {@code nw_subscription}. Stateless and thread-safe. */
public final class SubscriptionRepository {
    public void insert(SqlOperations sql, Subscription s) {
        sql.update("INSERT INTO nw_subscription (id, id_key, display_name, created_at) VALUES (?,?,?,?)",
                s.id(), s.id().toLowerCase(Locale.ROOT), s.displayName(), s.createdAt());
    }

    /** Inserts {@code s}; false when a subscription with that id exists (made before, or by another controller just now). */
    public boolean insertIfAbsent(netwatcher.controller.db.Database db, Subscription s) {
        return db.insertIfAbsent("INSERT INTO nw_subscription (id, id_key, display_name, created_at) VALUES (?,?,?,?)",
                s.id(), s.id().toLowerCase(Locale.ROOT), s.displayName(), s.createdAt());
    }

    /** The default subscription's id, once chosen. */
    public Optional<String> defaultId(SqlOperations sql) {
        return sql.queryOne("SELECT subscription_id FROM nw_subscription_default WHERE slot = ?", r -> r.getString("subscription_id"),
                DEFAULT_SLOT);
    }

    /** Makes {@code id} the default unless one is chosen already (then that one stays: read it back). */
    public void offerDefault(netwatcher.controller.db.Database db, String id, java.time.Instant now) {
        db.insertIfAbsent("INSERT INTO nw_subscription_default (slot, subscription_id, chosen_at) VALUES (?, ?, ?)", DEFAULT_SLOT, id, now);
    }

    private static final String DEFAULT_SLOT = "default";

    public Optional<Subscription> find(SqlOperations sql, String id) {
        return sql.queryOne("SELECT * FROM nw_subscription WHERE id_key = ?",
                r -> new Subscription(r.getString("id"), r.getString("display_name"), r.getInstant("created_at")),
                id.toLowerCase(Locale.ROOT));
    }

    public List<Subscription> all(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_subscription ORDER BY created_at, id_key",
                r -> new Subscription(r.getString("id"), r.getString("display_name"), r.getInstant("created_at")));
    }
}
