package netwatcher.controller.capture;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.ProvisioningState;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.db.SqlOperations;
import netwatcher.controller.compute.ScaleSetInstance;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures with {@code targetType: AzureVMSS}: the ARM resource is a <em>fleet</em> capture whose
 * row has the scale set's key as its VM key (so no agent ever takes it), and each instance chosen by
 * {@code scope} gets an ordinary <em>instance</em> capture (its own order, counters, file and upload)
 * whose id is {@code .../packetCaptures/NAME/instances/ID} and whose "watcher" is the fleet capture's
 * key, which keeps it out of the watcher's list. Everything an instance capture goes through (agent
 * orders, reports, expiry, upload check, agent-lost status) is the single-VM path unchanged; this
 * class adds the fan-out, the aggregate status and the merged file.
 *
 * <p>Files (one documented scheme, README "Scale-set captures"): the blob path B the capture names or
 * is given ({@code .../packetcapture_HH_MM_SS_mmm.cap}) without its extension is a folder D; instance
 * {@code i} on VM {@code vm} uploads {@code D/i_vm.cap}, and the merged file is {@code D/merged.pcapng},
 * written once every instance capture has a final state, over the files that are there. With a file set or
 * ring ({@code continuousCapture} / {@code captureSettings}) each instance keeps its own ring, whose files go
 * to {@code D/i_vm/<stem>_<index>_<start>.<ext>} as each closes (the single-VM ring scheme under the
 * instance's folder).
 *
 * <p>The lifecycle is total: an instance whose agent has been away for the controller's agent wait is
 * given up ({@link Capture#givenUp}: AgentLost, final) instead of waited for, so every instance ends in a
 * definite state; the merged file is {@link FleetMerges}' durable work. Thread-safe: state is in the database.
 */
final class FleetCaptures {
    private static final Logger LOG = LoggerFactory.getLogger(FleetCaptures.class);
    static final String AZURE_VMSS = "AzureVMSS";
    /** The child type of an instance capture's id under its fleet capture. */
    static final String INSTANCES = "instances";

    private final CaptureService service;
    private final CaptureRepository repo;
    private final ComputeService compute;
    private final StorageService storage;
    private final FleetMerges merges;
    /** When this controller run began: an agent counts as heard of no earlier (presence is not kept across restarts). */
    private final Instant runStart;

    FleetCaptures(CaptureService service, CaptureRepository repo, ComputeService compute, StorageService storage) {
        this.service = service;
        this.repo = repo;
        this.compute = compute;
        this.storage = storage;
        this.runStart = service.clock().instant();
        this.merges = new FleetMerges(service, repo, compute, storage, this);
    }

    /** The merged files' work ({@link FleetMerges}). */
    FleetMerges merges() { return merges; }

    /** After an instance capture changed: its fleet's merge may be due ({@link FleetMerges#afterInstanceChange}). */
    void afterInstanceChange(Capture instance) {
        merges.afterInstanceChange(instance);
    }

    static boolean isFleet(Capture c) {
        return AZURE_VMSS.equals(c.properties().get("targetType"));
    }

    /** Whether {@code c} is the capture of one instance of a fleet capture. */
    static boolean isInstance(Capture c) {
        return c.id().types().size() > 2 && c.id().types().getLast().equalsIgnoreCase(INSTANCES);
    }

    /**
     * The instances {@code scope} chooses, from the set's members now (an instance that joins later is not captured, as
     * Azure installs the capture on the instances in scope when it starts): include (empty = all) minus exclude, each
     * entry an instance id ({@code 0}) or an instance name ({@code SET_0}, case-insensitive); an entry naming no
     * instance is refused (in exclude too: a typo there would capture an instance the caller meant to leave out);
     * exclude wins over include; repeated entries count once. Refused when none is left.
     */
    static List<ScaleSetInstance> choose(List<ScaleSetInstance> instances, CaptureSpec spec) {
        Set<String> known = new LinkedHashSet<>();
        instances.forEach(i -> known.add(String.valueOf(i.instanceId())));
        Set<Integer> include = resolve(instances, spec.scopeInclude(), "include", known);
        Set<Integer> exclude = resolve(instances, spec.scopeExclude(), "exclude", known);
        List<ScaleSetInstance> chosen = instances.stream()
                .filter(i -> include.isEmpty() || include.contains(i.instanceId()))
                .filter(i -> !exclude.contains(i.instanceId())).toList();
        if (chosen.isEmpty()) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.scope' leaves no instance of scale set "
                    + instances.getFirst().scaleSetId().name() + " to capture on (instances: " + String.join(", ", known) + ").",
                    "properties.scope");
        }
        return chosen;
    }

    /** The instance ids {@code entries} (scope.include or scope.exclude) name; refused naming the first entry that names none. */
    private static Set<Integer> resolve(List<ScaleSetInstance> instances, List<String> entries, String field, Set<String> known) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (int n = 0; n < entries.size(); n++) {
            String e = entries.get(n) == null ? "" : entries.get(n).strip();
            Optional<ScaleSetInstance> hit = instances.stream()
                    .filter(i -> String.valueOf(i.instanceId()).equals(e) || i.name().equalsIgnoreCase(e)).findFirst();
            if (hit.isEmpty()) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.scope." + field + "[" + n + "]' is '" + entries.get(n)
                        + "', which is not an instance id or instance name of scale set " + instances.getFirst().scaleSetId().name()
                        + " (instances: " + String.join(", ", known) + ").", "properties.scope." + field + "[" + n + "]");
            }
            ids.add(hit.get().instanceId());
        }
        return ids;
    }

    /** D of the naming scheme: the blob path without its file extension. */
    static String folder(String blobPath) {
        String name = blobPath.substring(blobPath.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? blobPath.substring(0, blobPath.length() - (name.length() - dot)) : blobPath;
    }

    static String instancePath(String folder, ScaleSetInstance instance, String vmName) {
        return folder + "/" + instance.instanceId() + "_" + vmName + ".cap";
    }

    static String mergedPath(String folder) {
        return folder + "/merged.pcapng";
    }

    /** What a fleet capture's create records: the fleet capture and one instance capture per chosen instance. */
    record Plan(Capture fleet, List<Capture> instances, List<StorageService.LocalTarget> claims) {}

    /**
     * Builds the rows of a new fleet capture (nothing is stored here).
     *
     * @param base the fleet capture's own values: key, id, watcher key, properties, blob path (null: no storage account)
     */
    Plan plan(FleetBase base, CaptureSpec spec, List<ScaleSetInstance> chosen, StorageAccount account, Instant now) {
        String folder = base.blobPath() == null ? null : folder(base.blobPath());
        List<StorageService.LocalTarget> claims = new ArrayList<>();
        Capture.StorageTarget mergedTarget = null;
        if (account != null) {
            mergedTarget = new Capture.StorageTarget(account.id().key(), mergedPath(folder));
            claims.add(new StorageService.LocalTarget(account, mergedPath(folder), base.key()));
        }
        String filePath = spec.filePath() != null ? spec.filePath() : spec.localPath();
        CaptureOrder never = new CaptureOrder(base.key(), base.id().toString(), false, spec.bytesToCapturePerPacket(), spec.stop().bytes(),
                spec.stop().seconds(), spec.filters(), filePath, null, now, null);
        ArmResourceId set = chosen.getFirst().scaleSetId();
        Capture fleet = Capture.created(new Capture.Intent(base.id(), base.watcherKey(), set.key(), base.properties(), never, mergedTarget), now);
        List<Capture> instances = new ArrayList<>();
        for (ScaleSetInstance i : chosen) {
            Vm vm = compute.findVm(i.vmKey()).orElseThrow();
            String key = "c-" + UUID.randomUUID();
            ArmResourceId id = base.id().child(INSTANCES, String.valueOf(i.instanceId()));
            Capture.StorageTarget target = null;
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("target", i.armId());
            props.put("virtualMachine", vm.id().toString());
            if (account != null) {
                String path = instancePath(folder, i, vm.id().name());
                target = new Capture.StorageTarget(account.id().key(), path);
                claims.add(new StorageService.LocalTarget(account, path, key));
                props.put("storagePath", storage.blobUrl(account, base.baseUrl(), path));
            }
            CaptureOrder order = new CaptureOrder(key, id.toString(), true, spec.bytesToCapturePerPacket(), spec.stop().bytes(),
                    spec.stop().seconds(), spec.filters(), filePath, null, now, spec.ring()); // each instance its own ring
            instances.add(Capture.created(new Capture.Intent(id, base.key(), vm.id().key(), props, order, target), now));
        }
        return new Plan(fleet, instances, claims);
    }

    /** The fleet capture's own values, for {@link #plan}. */
    record FleetBase(String key, ArmResourceId id, String watcherKey, Map<String, Object> properties, String blobPath, String baseUrl) {}

    /** The instance captures of a fleet capture, by instance id. */
    List<Capture> instancesOf(SqlOperations sql, Capture fleet) {
        return repo.listLive(sql, fleet.key()).stream()
                .sorted(Comparator.comparingInt(c -> Integer.parseInt(c.id().name()))).toList();
    }

    /** Whether an instance capture's agent is away: it is reported as such and not waited for. */
    private boolean agentDown(Capture c) {
        return !c.finalState() && !service.agentConnected(c.vmKey());
    }

    /** Whether an instance capture still has to be waited for before the fleet's provisioning settles. */
    private boolean starting(Capture c) {
        return c.provisioningState() == ProvisioningState.Updating && !agentDown(c);
    }

    /** The fleet's provisioningState: Updating while a reachable instance has not taken it, Failed when none did. */
    ProvisioningState provisioning(List<Capture> instances) {
        if (instances.stream().anyMatch(this::starting)) return ProvisioningState.Updating;
        return instances.stream().anyMatch(c -> c.provisioningState() == ProvisioningState.Succeeded)
                ? ProvisioningState.Succeeded : ProvisioningState.Failed;
    }

    /** A message naming the instances that did not take the capture, for a failed create. */
    String failure(List<Capture> instances) {
        List<String> parts = new ArrayList<>();
        for (Capture c : instances) {
            String why = agentDown(c) ? "its agent is not connected" : c.message() != null ? c.message() : String.valueOf(c.stopReason());
            parts.add("instance " + c.id().name() + " (" + vmName(c) + "): " + why);
        }
        return "No instance of the scale set took the packet capture: " + String.join("; ", parts) + ".";
    }

    /** The fleet's status: Running while any instance runs; not waiting for instances whose agent is away. */
    CaptureStatus aggregate(List<Capture> instances) {
        List<CaptureStatus> visible = instances.stream().map(service::visibleStatus).toList();
        if (visible.contains(CaptureStatus.Running)) return CaptureStatus.Running;
        if (instances.stream().anyMatch(c -> c.status() == CaptureStatus.NotStarted && !agentDown(c))) return CaptureStatus.NotStarted;
        if (visible.contains(CaptureStatus.Stopped)) return CaptureStatus.Stopped;
        if (visible.contains(CaptureStatus.Error)) return CaptureStatus.Error;
        return CaptureStatus.Unknown; // every instance's agent is away
    }

    /** The name of an instance capture's VM. */
    static String vmName(Capture c) {
        Object vm = c.properties().get("virtualMachine");
        return vm == null ? c.vmKey() : ArmResourceId.tryParse(vm.toString()).map(ArmResourceId::name).orElse(vm.toString());
    }

    // ---------------------------------------------------------------- instances whose agent is gone

    /** When the controller last knew {@code c}'s agent to be there: its last contact, report, the capture's creation, this run's start. */
    private Instant lastHeard(Capture c) {
        Instant t = c.createdAt().isAfter(runStart) ? c.createdAt() : runStart;
        Instant seen = service.agentLastSeen(c.vmKey());
        if (seen != null && seen.isAfter(t)) t = seen;
        if (c.reportedAt() != null && c.reportedAt().isAfter(t)) t = c.reportedAt();
        return t;
    }

    /**
     * Gives up the instances of {@code instances} whose agent has been away for the agent wait (the wait a new capture
     * gives an agent): each becomes final ({@link Capture#givenUp}), so that the fleet ends and its merge does not wait
     * for a file that will not come. An instance no agent ever took is left to the unclaimed-capture expiry (the same
     * wait, AgentUnavailable). Returns the instances as they are afterwards.
     */
    List<Capture> settleLost(List<Capture> instances) {
        List<Capture> out = new ArrayList<>(instances.size());
        Instant now = service.clock().instant();
        Duration wait = service.settings().agentWait();
        boolean changed = false;
        for (Capture c : instances) {
            if (c.finalState() || c.unclaimed() || service.agentConnected(c.vmKey())) {
                out.add(c);
                continue;
            }
            Instant heard = lastHeard(c);
            if (heard.plus(wait).isAfter(now)) {
                out.add(c);
                continue;
            }
            String why = c.terminal()
                    ? "Its agent has not been connected since " + heard + " (" + wait.toSeconds() + " s or more), so its file did not reach"
                            + " the storage account; the capture's files stay on the host."
                    : "Its agent has not been connected since " + heard + " (" + wait.toSeconds() + " s or more): the controller stopped"
                            + " waiting for it; what it captured stays on the host.";
            Capture after = service.database().inTransaction(h -> {
                Capture locked = repo.lockByKey(h, c.key()).orElse(null);
                if (locked == null || locked.finalState()) return locked;
                Capture next = locked.givenUp(why, heard);
                repo.updateState(h, next);
                return next;
            });
            if (after == null) continue;
            LOG.atWarn().addKeyValue("capture", c.id()).addKeyValue("vm", c.vmKey()).addKeyValue("lastHeard", heard)
                    .log("fleet instance given up: its agent is away");
            out.add(after);
            changed = true;
        }
        if (changed) out.stream().filter(Capture::finalState).findFirst().ifPresent(this::afterInstanceChange);
        return out;
    }

    /** The sweep's share of lost agents: every open instance capture (each controller applies it to the captures it reads, too). */
    void settleLostEverywhere() {
        Map<String, List<Capture>> byFleet = new LinkedHashMap<>();
        for (Capture c : repo.openInstances(service.database())) byFleet.computeIfAbsent(c.watcherKey(), k -> new ArrayList<>()).add(c);
        byFleet.values().forEach(this::settleLost);
    }

    // ---------------------------------------------------------------- status

    /** The queryStatus body of a fleet capture: sums, the aggregate status, and per-instance detail ({@code instances}). */
    Map<String, Object> status(Capture fleet) {
        List<Capture> instances = settleLost(instancesOf(service.database(), fleet));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", fleet.id().name());
        s.put("id", fleet.id().toString());
        instances.stream().map(Capture::captureStart).filter(Objects::nonNull).min(Instant::compareTo)
                .ifPresent(t -> s.put("captureStartTime", t.toString()));
        CaptureStatus status = aggregate(instances);
        s.put("packetCaptureStatus", status.name());
        if (status.isTerminal()) {
            // the fleet ended when its last instance did: that instance's reason is the fleet's
            instances.stream().filter(c -> c.terminal() && c.stopReason() != null)
                    .max(Comparator.comparing(c -> c.captureEnd() == null ? Instant.MIN : c.captureEnd()))
                    .ifPresent(last -> s.put("stopReason", last.stopReason().name()));
        }
        Set<String> errors = new LinkedHashSet<>();
        instances.forEach(c -> c.errors().forEach(e -> errors.add(e.name())));
        s.put("packetCaptureError", List.copyOf(errors));
        List<String> problems = new ArrayList<>();
        long packets = 0, bytes = 0, kernelDrops = 0, interfaceDrops = 0;
        Instant end = null;
        List<Map<String, Object>> detail = new ArrayList<>();
        for (Capture c : instances) {
            CaptureReport r = c.report();
            if (agentDown(c)) problems.add("instance " + c.id().name() + " (" + vmName(c) + "): agent not connected");
            else if (c.stopReason() == StopReason.AgentLost || c.stopReason() == StopReason.AgentUnavailable) {
                problems.add("instance " + c.id().name() + " (" + vmName(c) + "): " + c.stopReason());
            }
            if (r != null) {
                packets += r.packets();
                bytes += r.bytes();
                kernelDrops += r.kernelDrops();
                interfaceDrops += r.interfaceDrops();
            }
            if (c.captureEnd() != null && (end == null || c.captureEnd().isAfter(end))) end = c.captureEnd();
            detail.add(instanceDetail(c));
        }
        if (status.isTerminal() && end != null) s.put("captureEndTime", end.toString());
        s.put("packetsCaptured", packets);
        s.put("bytesWritten", bytes);
        s.put("kernelDrops", kernelDrops);
        s.put("interfaceDrops", interfaceDrops);
        merges.merged(fleet, instances).ifPresent(m -> {
            s.put("mergedFile", m);
            if (MergeState.MergeFailed.name().equals(m.get("state"))) problems.add("mergeFailed: " + m.get("error"));
        });
        if (!problems.isEmpty()) s.put("message", String.join("; ", problems));
        s.put("instances", detail);
        var snapshots = service.snapshots().rendered(fleet);
        if (!snapshots.isEmpty()) s.put("snapshots", snapshots);
        return s;
    }

    private Map<String, Object> instanceDetail(Capture c) {
        CaptureReport r = c.report();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instanceId", c.id().name());
        m.put("virtualMachine", c.properties().get("virtualMachine"));
        m.put("agent", service.agentConnected(c.vmKey()) ? "Connected" : "Disconnected");
        m.put("packetCaptureStatus", service.visibleStatus(c).name());
        if (c.stopReason() != null && c.terminal()) m.put("stopReason", c.stopReason().name());
        m.put("packetCaptureError", c.errors().stream().map(Enum::name).toList());
        if (c.message() != null) m.put("message", c.message());
        if (c.captureStart() != null) m.put("captureStartTime", c.captureStart().toString());
        if (c.captureEnd() != null) m.put("captureEndTime", c.captureEnd().toString());
        m.put("final", c.finalState());
        if (r != null) {
            m.put("packetsCaptured", r.packets());
            m.put("bytesWritten", r.bytes());
            m.put("kernelDrops", r.kernelDrops());
            if (r.filePath() != null) m.put("filePath", r.filePath());
            if (r.uploadState() != null) m.put("uploadState", c.visibleUploadState().wire());
            if (r.ring() != null) m.put("ring", CaptureRoutes.ring(c, r.ring(), service));
        }
        if (c.properties().get("storagePath") != null) m.put("storagePath", c.properties().get("storagePath"));
        String sha = CaptureService.verifiedSha256(c);
        if (sha != null) m.put("fileSha256", sha);
        return m;
    }

}
