package netwatcher.controller.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;
import netwatcher.controller.subscriptions.Subscription;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.watchers.WatcherService;

/**
 * The fleet as one caller may see it: every VM it may read, with its agent's health, its NICs and its
 * captures by state, what needs attention first. Stateless and thread-safe.
 */
final class FleetView {
    /** A VM's agent, as the console shows it. */
    enum Health { CONNECTED, DISCONNECTED, NOT_INSTALLED }

    record FleetNic(String name, String interfaceName, String macAddress, boolean primary, List<String> addresses) {
        FleetNic {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * One VM.
     *
     * @param attention why it needs attention first (agent down, problems reported, captures failed); empty when fine
     * @param watcherId the network watcher of its subscription and location (captures on it go there), or null
     */
    record FleetVm(String id, String name, String subscriptionId, String resourceGroup, String location, String hostname,
                   Health health, Instant lastSeen, String agentVersion, List<String> capabilities, List<String> problems,
                   List<FleetNic> nics, Map<String, Integer> captures, List<String> attention, String watcherId) {
        FleetVm {
            capabilities = List.copyOf(capabilities);
            problems = List.copyOf(problems);
            nics = List.copyOf(nics);
            captures = Map.copyOf(captures);
            attention = List.copyOf(attention);
        }
    }

    /**
     * The answer: VMs needing attention first, then by subscription, resource group and name.
     *
     * @param checkable the ids of the VMs the caller may run a connectivity check from: the same two questions the API
     *                  asks (Contributor for {@code POST .../connectivityCheck} on the VM's watcher, Contributor on the VM
     *                  as {@code source.resourceId}), so the console's form neither widens nor narrows what the API allows
     */
    record Fleet(List<FleetVm> vms, int agentsDown, int capturesFailed, List<String> checkable) {
        Fleet {
            vms = List.copyOf(vms);
            checkable = List.copyOf(checkable);
        }
    }

    /** What the view reads. */
    record Sources(Database db, ComputeService compute, AgentPresence presence, SubscriptionService subscriptions,
                   WatcherService watchers, AccessControl access) {}

    private final Sources sources;

    FleetView(Sources sources) {
        this.sources = sources;
    }

    Fleet of(Caller caller) {
        Map<String, Map<String, Integer>> captureCounts = captureCounts();
        ReadScopes scopes = new ReadScopes(sources.access(), caller);
        List<FleetVm> out = new ArrayList<>();
        List<String> checkable = new ArrayList<>();
        Map<String, Boolean> checksOnWatcher = new HashMap<>();
        Map<String, String> watcherOfLocation = new HashMap<>();
        for (Subscription sub : sources.subscriptions().all()) {
            Map<String, List<Nic>> nics = new HashMap<>();
            for (Nic n : sources.compute().listNics(sub.id(), null)) nics.computeIfAbsent(n.vmKey(), k -> new ArrayList<>()).add(n);
            for (Vm vm : sources.compute().listVms(sub.id(), null)) {
                if (!scopes.reads(vm.id())) continue;
                String watcher = watcherOfLocation.computeIfAbsent(sub.id() + "/" + vm.location(), k -> sources.watchers()
                        .forLocation(sub.id(), vm.location()).map(w -> w.id().toString()).orElse(""));
                out.add(vm(vm, nics.getOrDefault(vm.id().key(), List.of()), captureCounts.getOrDefault(vm.id().key(), Map.of()),
                        watcher.isEmpty() ? null : watcher));
                if (!watcher.isEmpty() && checksOnWatcher.computeIfAbsent(watcher, w -> mayPost(caller, w + "/connectivityCheck"))
                        && scopes.writes(vm.id())) {
                    checkable.add(vm.id().toString());
                }
            }
        }
        out.sort(Comparator.comparing((FleetVm v) -> v.attention().isEmpty()).thenComparing(FleetVm::subscriptionId, String.CASE_INSENSITIVE_ORDER)
                .thenComparing(FleetVm::resourceGroup, String.CASE_INSENSITIVE_ORDER).thenComparing(FleetVm::name, String.CASE_INSENSITIVE_ORDER));
        int down = (int) out.stream().filter(v -> v.health() != Health.CONNECTED).count();
        int failed = out.stream().mapToInt(v -> v.captures().getOrDefault("Error", 0)).sum();
        return new Fleet(out, down, failed, checkable);
    }

    /** Whether the pipeline would let {@code caller} POST to {@code path}: the API's own check, asked, not re-implemented. */
    private boolean mayPost(Caller caller, String path) {
        try {
            sources.access().authorize(caller, "POST", path);
            return true;
        } catch (netwatcher.arm.ArmException refused) {
            return false;
        }
    }

    private FleetVm vm(Vm vm, List<Nic> nics, Map<String, Integer> captures, String watcherId) {
        AgentPresence.Presence p = sources.presence().of(vm.id().key());
        Health health = !p.enrolled() ? Health.NOT_INSTALLED : p.connected() ? Health.CONNECTED : Health.DISCONNECTED;
        List<String> attention = new ArrayList<>();
        switch (health) {
            case CONNECTED -> { }
            case DISCONNECTED -> attention.add("agent disconnected");
            case NOT_INSTALLED -> attention.add("no agent enrolled");
        }
        if (!vm.host().problems().isEmpty()) attention.add("agent reports problems");
        if (captures.getOrDefault("Error", 0) > 0) attention.add("captures in Error");
        List<FleetNic> fleetNics = nics.stream().sorted(Comparator.comparingInt(Nic::position))
                .map(n -> new FleetNic(n.id().name(), n.interfaceName(), n.macAddress(), n.primary(), n.addresses())).toList();
        String version = p.agentVersion() != null ? p.agentVersion() : vm.host().agentVersion();
        return new FleetVm(vm.id().toString(), vm.id().name(), vm.id().subscriptionId(), vm.id().resourceGroup(), vm.location(),
                vm.host().hostname(), health, p.lastSeen(), version, vm.host().capabilities(), vm.host().problems(), fleetNics,
                captures, attention, watcherId);
    }

    /** Live captures per VM key and status, in one query. */
    private Map<String, Map<String, Integer>> captureCounts() {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        sources.db().query("SELECT vm_key, status, COUNT(*) AS n FROM nw_capture WHERE deleted = FALSE GROUP BY vm_key, status", r -> {
            out.computeIfAbsent(r.getString("vm_key"), k -> new HashMap<>()).put(r.getString("status"), (int) r.getLong("n"));
            return null;
        });
        return out;
    }
}
