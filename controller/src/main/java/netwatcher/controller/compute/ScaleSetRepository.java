package netwatcher.controller.compute;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;

/** SQL for {@code nw_vmss_instance}. Stateless and thread-safe. */
public final class ScaleSetRepository {

    public Optional<ScaleSetInstance> membership(SqlOperations sql, String vmKey) {
        return sql.queryOne("SELECT * FROM nw_vmss_instance WHERE vm_key = ?", ScaleSetRepository::map, vmKey);
    }

    /** The instances of a scale set, by instance id. */
    public List<ScaleSetInstance> instances(SqlOperations sql, ArmResourceId scaleSet) {
        return sql.query("SELECT * FROM nw_vmss_instance WHERE vmss_key = ? ORDER BY instance_id", ScaleSetRepository::map, scaleSet.key());
    }

    /** Every instance of every scale set of a subscription (and group, unless null), by set then instance id. */
    public List<ScaleSetInstance> list(SqlOperations sql, String sub, String group) {
        if (group == null) {
            return sql.query("SELECT * FROM nw_vmss_instance WHERE subscription_key = ? ORDER BY vmss_key, instance_id",
                    ScaleSetRepository::map, lower(sub));
        }
        return sql.query("SELECT * FROM nw_vmss_instance WHERE subscription_key = ? AND group_key = ? ORDER BY vmss_key, instance_id",
                ScaleSetRepository::map, lower(sub), lower(group));
    }

    /** The next free instance id of a set: one more than the highest in use, 0 for a new set. */
    public int nextInstanceId(SqlOperations sql, ArmResourceId scaleSet) {
        return sql.queryOne("SELECT MAX(instance_id) AS m FROM nw_vmss_instance WHERE vmss_key = ?",
                r -> { Integer m = r.getIntOrNull("m"); return m == null ? 0 : m + 1; }, scaleSet.key()).orElse(0);
    }

    public void insert(SqlOperations sql, ScaleSetInstance instance) {
        ArmResourceId set = instance.scaleSetId();
        sql.update("INSERT INTO nw_vmss_instance (vm_key, vmss_key, vmss_id, subscription_key, group_key, instance_id, vmss_uuid, joined_at)"
                        + " VALUES (?,?,?,?,?,?,?,?)",
                instance.vmKey(), set.key(), set.toString(), lower(set.subscriptionId()), lower(set.resourceGroup()), instance.instanceId(),
                instance.setUuid(), instance.joinedAt());
    }

    public void delete(SqlOperations sql, String vmKey) {
        sql.update("DELETE FROM nw_vmss_instance WHERE vm_key = ?", vmKey);
    }

    private static ScaleSetInstance map(Row r) throws SQLException {
        Instant joined = r.getInstant("joined_at");
        return new ScaleSetInstance(ArmResourceId.tryParse(r.getString("vmss_id")).orElseThrow(), r.getInt("instance_id"),
                r.getString("vm_key"), r.getString("vmss_uuid"), joined);
    }

    private static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
