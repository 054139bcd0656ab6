package netwatcher.controller.watchers;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;

/** SQL for {@code nw_watcher}. Stateless and thread-safe. */
public final class WatcherRepository {

    public void insert(SqlOperations sql, Watcher w) {
        sql.update("INSERT INTO nw_watcher (id_key, id, subscription_key, group_key, name, location, location_key, tags_json,"
                        + " etag, provisioning_state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                w.id().key(), w.id().toString(), lower(w.id().subscriptionId()), lower(w.id().resourceGroup()), w.id().name(),
                w.location(), w.location(), Json.writeString(w.tags()), w.etag(), w.provisioningState(), w.createdAt());
    }

    public void updateTags(SqlOperations sql, Watcher w) {
        sql.update("UPDATE nw_watcher SET tags_json = ?, etag = ? WHERE id_key = ?", Json.writeString(w.tags()), w.etag(), w.id().key());
    }

    public boolean delete(SqlOperations sql, ArmResourceId id) {
        return sql.update("DELETE FROM nw_watcher WHERE id_key = ?", id.key()) == 1;
    }

    public Optional<Watcher> find(SqlOperations sql, ArmResourceId id) {
        return sql.queryOne("SELECT * FROM nw_watcher WHERE id_key = ?", WatcherRepository::map, id.key());
    }

    public Optional<Watcher> findByLocation(SqlOperations sql, String subscription, String location) {
        return sql.queryOne("SELECT * FROM nw_watcher WHERE subscription_key = ? AND location_key = ?", WatcherRepository::map,
                lower(subscription), location);
    }

    public List<Watcher> list(SqlOperations sql, String subscription, String group) {
        if (group == null) {
            return sql.query("SELECT * FROM nw_watcher WHERE subscription_key = ? ORDER BY id_key", WatcherRepository::map, lower(subscription));
        }
        return sql.query("SELECT * FROM nw_watcher WHERE subscription_key = ? AND group_key = ? ORDER BY id_key",
                WatcherRepository::map, lower(subscription), lower(group));
    }

    @SuppressWarnings("unchecked")
    private static Watcher map(Row r) throws SQLException {
        Map<String, String> tags = Json.read(r.getString("tags_json"), LinkedHashMap.class);
        return new Watcher(ArmResourceId.tryParse(r.getString("id")).orElseThrow(), r.getString("location"), tags,
                r.getString("etag"), r.getString("provisioning_state"), r.getInstant("created_at"));
    }

    private static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
