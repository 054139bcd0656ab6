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

    public Optional<Subscription> find(SqlOperations sql, String id) {
        return sql.queryOne("SELECT * FROM nw_subscription WHERE id_key = ?",
                r -> new Subscription(r.getString("id"), r.getString("display_name"), r.getInstant("created_at")),
                id.toLowerCase(Locale.ROOT));
    }

    public List<Subscription> all(SqlOperations sql) {
        return sql.query("SELECT * FROM nw_subscription ORDER BY created_at",
                r -> new Subscription(r.getString("id"), r.getString("display_name"), r.getInstant("created_at")));
    }
}
