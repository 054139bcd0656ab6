package netwatcher.controller.compute;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.db.Row;
import netwatcher.controller.db.SqlOperations;
import netwatcher.model.agent.HostReport;

/** SQL for {@code nw_vm} and {@code nw_nic}. Stateless and thread-safe. */
public final class ComputeRepository {

    public void insertVm(SqlOperations sql, Vm vm) {
        sql.update("INSERT INTO nw_vm (id_key, id, subscription_key, group_key, name, location, vm_uuid, host_json, generation,"
                        + " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                vm.id().key(), vm.id().toString(), lower(vm.id().subscriptionId()), lower(vm.id().resourceGroup()), vm.id().name(),
                vm.location(), vm.vmUuid(), Json.writeString(vm.host()), vm.generation(), vm.createdAt(), vm.updatedAt());
    }

    public void updateHost(SqlOperations sql, String vmKey, HostReport host, java.time.Instant now) {
        sql.update("UPDATE nw_vm SET host_json = ?, updated_at = ? WHERE id_key = ?", Json.writeString(host), now, vmKey);
    }

    /** Bumps the desired-state generation of a VM; returns the new value. */
    public long bumpGeneration(SqlOperations sql, String vmKey) {
        sql.update("UPDATE nw_vm SET generation = generation + 1 WHERE id_key = ?", vmKey);
        return generation(sql, vmKey);
    }

    public long generation(SqlOperations sql, String vmKey) {
        return sql.queryOne("SELECT generation FROM nw_vm WHERE id_key = ?", r -> r.getLong("generation"), vmKey).orElse(0L);
    }

    public Optional<Vm> findVm(SqlOperations sql, String vmKey) {
        return sql.queryOne("SELECT * FROM nw_vm WHERE id_key = ?", ComputeRepository::mapVm, vmKey);
    }

    public List<Vm> listVms(SqlOperations sql, String sub, String group) {
        if (group == null) {
            return sql.query("SELECT * FROM nw_vm WHERE subscription_key = ? ORDER BY id_key", ComputeRepository::mapVm, lower(sub));
        }
        return sql.query("SELECT * FROM nw_vm WHERE subscription_key = ? AND group_key = ? ORDER BY id_key",
                ComputeRepository::mapVm, lower(sub), lower(group));
    }

    public void replaceNics(SqlOperations sql, String vmKey, List<Nic> nics) {
        sql.update("DELETE FROM nw_nic WHERE vm_key = ?", vmKey);
        for (Nic n : nics) {
            sql.update("INSERT INTO nw_nic (id_key, id, vm_key, subscription_key, group_key, name, location, interface_name,"
                            + " mac_address, primary_nic, addresses_json, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    n.id().key(), n.id().toString(), vmKey, lower(n.id().subscriptionId()), lower(n.id().resourceGroup()),
                    n.id().name(), n.location(), n.interfaceName(), n.macAddress(), n.primary(),
                    Json.writeString(n.addresses()), n.position());
        }
    }

    public List<Nic> nicsOf(SqlOperations sql, String vmKey) {
        return sql.query("SELECT n.*, v.id AS vm_id FROM nw_nic n JOIN nw_vm v ON v.id_key = n.vm_key WHERE n.vm_key = ? ORDER BY n.position",
                ComputeRepository::mapNic, vmKey);
    }

    public Optional<Nic> findNic(SqlOperations sql, ArmResourceId id) {
        return sql.queryOne("SELECT n.*, v.id AS vm_id FROM nw_nic n JOIN nw_vm v ON v.id_key = n.vm_key WHERE n.id_key = ?",
                ComputeRepository::mapNic, id.key());
    }

    public List<Nic> listNics(SqlOperations sql, String sub, String group) {
        if (group == null) {
            return sql.query("SELECT n.*, v.id AS vm_id FROM nw_nic n JOIN nw_vm v ON v.id_key = n.vm_key WHERE n.subscription_key = ?"
                    + " ORDER BY n.id_key", ComputeRepository::mapNic, lower(sub));
        }
        return sql.query("SELECT n.*, v.id AS vm_id FROM nw_nic n JOIN nw_vm v ON v.id_key = n.vm_key WHERE n.subscription_key = ?"
                + " AND n.group_key = ? ORDER BY n.id_key", ComputeRepository::mapNic, lower(sub), lower(group));
    }

    /**
     * The NICs of subscription {@code sub}, other than VM {@code exceptVmKey}'s, that may hold one of
     * {@code ipv4} (canonical dotted quads, no prefix) or, when {@code anyIpv6}, any IPv6 address: a
     * superset the caller checks exactly. An IPv4 literal has one text (no leading zeros, as
     * {@link IpLiteral} accepts them), so its stored {@code "a.b.c.d/len"} is found by text; an IPv6
     * address has many texts, so every NIC with one is returned. Without this, registering a host read
     * every NIC of the subscription (10,000 rows at 10,000 agents, each parsed).
     */
    public List<Nic> nicsMayHold(SqlOperations sql, String sub, String exceptVmKey, List<String> ipv4, boolean anyIpv6) {
        if (ipv4.isEmpty() && !anyIpv6) return List.of();
        StringBuilder where = new StringBuilder();
        List<Object> args = new ArrayList<>(List.of(lower(sub), exceptVmKey));
        for (String a : ipv4) {
            where.append(where.isEmpty() ? "" : " OR ").append("n.addresses_json LIKE ?");
            args.add("%\"" + a + "/%");
        }
        if (anyIpv6) where.append(where.isEmpty() ? "" : " OR ").append("n.addresses_json LIKE '%:%'");
        return sql.query("SELECT n.*, v.id AS vm_id FROM nw_nic n JOIN nw_vm v ON v.id_key = n.vm_key WHERE n.subscription_key = ?"
                + " AND n.vm_key <> ? AND (" + where + ") ORDER BY n.id_key", ComputeRepository::mapNic, args.toArray());
    }

    private static Vm mapVm(Row r) throws SQLException {
        return new Vm(ArmResourceId.tryParse(r.getString("id")).orElseThrow(), r.getString("location"), r.getString("vm_uuid"),
                Json.read(r.getString("host_json"), HostReport.class), r.getLong("generation"),
                r.getInstant("created_at"), r.getInstant("updated_at"));
    }

    private static Nic mapNic(Row r) throws SQLException {
        String[] addrs = Json.read(r.getString("addresses_json"), String[].class);
        return new Nic(ArmResourceId.tryParse(r.getString("id")).orElseThrow(), r.getString("vm_key"),
                ArmResourceId.tryParse(r.getString("vm_id")).orElseThrow(), r.getString("location"),
                r.getString("interface_name"), r.getString("mac_address"), r.getBoolean("primary_nic"),
                new ArrayList<>(List.of(addrs)), r.getInt("position"));
    }

    private static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
