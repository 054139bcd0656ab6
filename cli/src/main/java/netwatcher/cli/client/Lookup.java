package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds resources the way az does, with plain ARM calls only: a VM by id, by resource group and
 * name, or by a name unique in the subscription; the network watcher of a location by listing the
 * subscription's watchers; a storage account by id or by name; a packet capture by name across
 * watchers when no location is given. One lookup serves one command: it lists the subscription's VMs
 * at most once (a check naming source and destination VMs needs the list twice). Not thread-safe.
 */
public final class Lookup {
    private final ArmClient arm;
    private List<JsonNode> allVms;

    public Lookup(ArmClient arm) { this.arm = arm; }

    String sub() { return "/subscriptions/" + arm.subscription(); }

    /** A VM by full id, by {@code -g} and name, or by a name unique in the subscription. */
    public JsonNode vm(String vm, String resourceGroup) {
        if (vm.startsWith("/")) return arm.get(vm, ArmClient.COMPUTE_API);
        if (resourceGroup != null) {
            return arm.get(sub() + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Compute/virtualMachines/" + vm, ArmClient.COMPUTE_API);
        }
        if (allVms == null) allVms = arm.list(sub() + "/providers/Microsoft.Compute/virtualMachines", ArmClient.COMPUTE_API);
        List<JsonNode> all = allVms.stream().filter(v -> v.path("name").asText().equalsIgnoreCase(vm)).toList();
        if (all.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "ResourceNotFound", "no virtual machine named '" + vm + "' in subscription " + arm.subscription());
        }
        if (all.size() > 1) {
            StringBuilder candidates = new StringBuilder();
            all.forEach(v -> candidates.append("\n  ").append(v.path("id").asText()));
            throw CliException.usage(all.size() + " virtual machines are named '" + vm + "': give -g RESOURCE_GROUP or the VM's id, one of" + candidates);
        }
        return all.getFirst();
    }

    /** A scale set by full id, by {@code -g} and name, or by a name unique in the subscription. */
    public JsonNode scaleSet(String name, String resourceGroup) {
        if (name.startsWith("/")) return arm.get(name, ArmClient.COMPUTE_API);
        if (resourceGroup != null) {
            return arm.get(sub() + "/resourceGroups/" + resourceGroup + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + name,
                    ArmClient.COMPUTE_API);
        }
        List<JsonNode> all = arm.list(sub() + "/providers/Microsoft.Compute/virtualMachineScaleSets", ArmClient.COMPUTE_API).stream()
                .filter(v -> v.path("name").asText().equalsIgnoreCase(name)).toList();
        if (all.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "ResourceNotFound", "no virtual machine scale set named '" + name + "' in subscription "
                    + arm.subscription());
        }
        if (all.size() > 1) throw CliException.usage(all.size() + " scale sets are named '" + name + "': give -g RESOURCE_GROUP or the set's id");
        return all.getFirst();
    }

    public List<JsonNode> watchers() {
        return arm.list(sub() + "/providers/Microsoft.Network/networkWatchers", ArmClient.NETWORK_API);
    }

    static String normalizeLocation(String l) { return l.replace(" ", "").toLowerCase(Locale.ROOT); }

    /** The network watcher of {@code location} (az's rule: one watcher per subscription and region). */
    public JsonNode watcherIn(String location) {
        return watchers().stream().filter(w -> normalizeLocation(w.path("location").asText()).equals(normalizeLocation(location)))
                .findFirst().orElseThrow(() -> new CliException(ExitCodes.NOT_FOUND, "NetworkWatcherNotFound",
                        "no network watcher in location '" + location + "' in subscription " + arm.subscription()));
    }

    /** A storage account id from an id or a name in the subscription. */
    public String storageAccountId(String idOrName) {
        if (idOrName.startsWith("/")) return idOrName;
        return arm.list(sub() + "/providers/Microsoft.Storage/storageAccounts", ArmClient.STORAGE_API).stream()
                .filter(a -> a.path("name").asText().equalsIgnoreCase(idOrName)).findFirst()
                .orElseThrow(() -> new CliException(ExitCodes.NOT_FOUND, "StorageAccountNotFound",
                        "no storage account named '" + idOrName + "' in subscription " + arm.subscription()))
                .path("id").asText();
    }

    /** The watchers to search: the one of {@code location}, of the VM's location, or all. */
    public List<JsonNode> watchersFor(String location, String vm, String resourceGroup) {
        if (location != null) return List.of(watcherIn(location));
        if (vm != null) return List.of(watcherIn(vm(vm, resourceGroup).path("location").asText()));
        return watchers();
    }

    /** The location of the watcher in {@code watchers} whose id prefixes {@code capture}'s id, or "". */
    private static String locationOf(JsonNode capture, List<JsonNode> watchers) {
        String id = capture.path("id").asText().toLowerCase(Locale.ROOT);
        return watchers.stream().filter(w -> id.startsWith(w.path("id").asText().toLowerCase(Locale.ROOT) + "/"))
                .map(w -> w.path("location").asText()).findFirst().orElse("");
    }

    /** The packet capture {@code name}: in the given watcher scope, else in the one watcher that has it (two or more: a usage error listing them). */
    public JsonNode capture(String name, String location, String vm, String resourceGroup) {
        List<JsonNode> scope = watchersFor(location, vm, resourceGroup);
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode w : scope) {
            ArmClient.Response r = arm.send("GET", w.path("id").asText() + "/packetCaptures/" + name, ArmClient.NETWORK_API, null);
            if (r.status() == 200) found.add(r.body());
            else if (r.status() != 404 || scope.size() == 1) ArmClient.check(r);
        }
        if (found.size() == 1) return found.getFirst();
        if (found.size() > 1) {
            StringBuilder candidates = new StringBuilder();
            for (JsonNode c : found) {
                candidates.append("\n  ").append(c.path("id").asText());
                String where = locationOf(c, scope);
                if (!where.isEmpty()) candidates.append("  (-l ").append(where).append(')');
            }
            throw CliException.usage(found.size() + " network watchers hold a packet capture named '" + name
                    + "': give -l LOCATION to choose one of" + candidates);
        }
        throw new CliException(ExitCodes.NOT_FOUND, "NotFound", "no packet capture named '" + name + "' in "
                + (scope.size() == 1 ? scope.getFirst().path("id").asText() : "any of the " + scope.size() + " network watchers")
                + " (give -l LOCATION to look in one)");
    }
}
