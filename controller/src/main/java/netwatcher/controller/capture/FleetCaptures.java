package netwatcher.controller.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.ProvisioningState;
import netwatcher.controller.capture.merge.MergeInput;
import netwatcher.controller.capture.merge.MergeResult;
import netwatcher.controller.capture.merge.PcapMerger;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.compute.ScaleSetInstance;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureStatus;
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
 * written once every instance capture has settled (file checked, or ended without one). Thread-safe:
 * state is in the database; merges run on virtual threads, one per fleet capture at a time.
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
    private final Set<String> merging = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FleetCaptures(CaptureService service, CaptureRepository repo, ComputeService compute, StorageService storage) {
        this.service = service;
        this.repo = repo;
        this.compute = compute;
        this.storage = storage;
    }

    static boolean isFleet(Capture c) {
        return AZURE_VMSS.equals(c.properties().get("targetType"));
    }

    /** Whether {@code c} is the capture of one instance of a fleet capture. */
    static boolean isInstance(Capture c) {
        return c.id().types().size() > 2 && c.id().types().getLast().equalsIgnoreCase(INSTANCES);
    }

    /** The instances {@code scope} chooses: include (by instance id; empty = all) minus exclude; refused when none is left. */
    static List<ScaleSetInstance> choose(List<ScaleSetInstance> instances, CaptureSpec spec) {
        Set<String> known = new LinkedHashSet<>();
        instances.forEach(i -> known.add(String.valueOf(i.instanceId())));
        List<String> include = spec.scopeInclude();
        for (int n = 0; n < include.size(); n++) {
            if (!known.contains(include.get(n))) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.scope.include[" + n + "]' is '" + include.get(n)
                        + "', which is not an instance id of scale set " + instances.getFirst().scaleSetId().name() + " (instances: "
                        + String.join(", ", known) + ").", "properties.scope.include[" + n + "]");
            }
        }
        List<ScaleSetInstance> chosen = instances.stream()
                .filter(i -> include.isEmpty() || include.contains(String.valueOf(i.instanceId())))
                .filter(i -> !spec.scopeExclude().contains(String.valueOf(i.instanceId()))).toList();
        if (chosen.isEmpty()) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.scope' leaves no instance of scale set "
                    + instances.getFirst().scaleSetId().name() + " to capture on (instances: " + String.join(", ", known) + ").",
                    "properties.scope");
        }
        return chosen;
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
                    spec.stop().seconds(), spec.filters(), filePath, null, now, null);
            instances.add(Capture.created(new Capture.Intent(id, base.key(), vm.id().key(), props, order, target), now));
        }
        return new Plan(fleet, instances, claims);
    }

    /** The fleet capture's own values, for {@link #plan}. */
    record FleetBase(String key, ArmResourceId id, String watcherKey, Map<String, Object> properties, String blobPath, String baseUrl) {}

    /** The instance captures of a fleet capture, by instance id. */
    List<Capture> instancesOf(netwatcher.controller.db.SqlOperations sql, Capture fleet) {
        return repo.listLive(sql, fleet.key()).stream()
                .sorted(Comparator.comparingInt(c -> Integer.parseInt(c.id().name()))).toList();
    }

    /** Whether an instance capture's agent is away: it is reported as such and not waited for. */
    private boolean agentDown(Capture c) {
        return !service.agentConnected(c.vmKey()) && !c.terminal();
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

    private String vmName(Capture c) {
        Object vm = c.properties().get("virtualMachine");
        return vm == null ? c.vmKey() : ArmResourceId.tryParse(vm.toString()).map(ArmResourceId::name).orElse(vm.toString());
    }

    /** The queryStatus body of a fleet capture: sums, the aggregate status, and per-instance detail ({@code instances}). */
    Map<String, Object> status(Capture fleet) {
        List<Capture> instances = instancesOf(service.database(), fleet);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", fleet.id().name());
        s.put("id", fleet.id().toString());
        instances.stream().map(Capture::captureStart).filter(java.util.Objects::nonNull).min(Instant::compareTo)
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
            boolean down = agentDown(c);
            if (down) problems.add("instance " + c.id().name() + " (" + vmName(c) + "): agent not connected");
            if (r != null) {
                packets += r.packets();
                bytes += r.bytes();
                kernelDrops += r.kernelDrops();
                interfaceDrops += r.interfaceDrops();
            }
            if (c.captureEnd() != null && (end == null || c.captureEnd().isAfter(end))) end = c.captureEnd();
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
            if (r != null) {
                m.put("packetsCaptured", r.packets());
                m.put("bytesWritten", r.bytes());
                m.put("kernelDrops", r.kernelDrops());
                if (r.filePath() != null) m.put("filePath", r.filePath());
                if (r.uploadState() != null) m.put("uploadState", c.visibleUploadState().wire());
            }
            if (c.properties().get("storagePath") != null) m.put("storagePath", c.properties().get("storagePath"));
            String sha = CaptureService.verifiedSha256(c);
            if (sha != null) m.put("fileSha256", sha);
            detail.add(m);
        }
        if (!problems.isEmpty()) s.put("message", String.join("; ", problems));
        if (status.isTerminal() && end != null) s.put("captureEndTime", end.toString());
        s.put("packetsCaptured", packets);
        s.put("bytesWritten", bytes);
        s.put("kernelDrops", kernelDrops);
        s.put("interfaceDrops", interfaceDrops);
        merged(fleet).ifPresent(m -> s.put("mergedFile", m));
        s.put("instances", detail);
        return s;
    }

    /** The merged file's extension field: where it goes and whether it is there. */
    Optional<Map<String, Object>> merged(Capture fleet) {
        if (fleet.storage() == null) return Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        Object url = fleet.properties().get("mergedStoragePath");
        if (url != null) m.put("storagePath", url);
        Capture.StoredFile stored = fleet.stored();
        if (stored == null) {
            m.put("state", "Waiting");
        } else if (stored.check() == Capture.UploadCheck.VERIFIED) {
            m.put("state", "Done");
            m.put("bytes", stored.bytes());
            m.put("fileSha256", stored.sha256());
        } else {
            m.put("state", "Failed");
        }
        return Optional.of(m);
    }

    /**
     * The sweep's share (every 10 s on each controller, beside the upload check): fleet captures whose
     * instances have all settled but that have no merged file yet, e.g. because the controller restarted
     * between the last instance's settling and the merge.
     */
    void mergeSettled() {
        for (Capture fleet : repo.fleetsAwaitingMerge(service.database())) {
            if (!isFleet(fleet) || fleet.storage() == null || storage.findByKey(fleet.storage().accountKey()).isEmpty()) continue;
            instancesOf(service.database(), fleet).stream().findFirst().ifPresent(this::afterInstanceChange);
        }
    }

    /** After an instance capture changed: merges its fleet's files once every instance has settled. */
    void afterInstanceChange(Capture instance) {
        if (!isInstance(instance)) return;
        Optional<Capture> fleet = repo.findByKey(service.database(), instance.watcherKey());
        if (fleet.isEmpty() || fleet.get().storage() == null || fleet.get().stored() != null) return;
        List<Capture> instances = instancesOf(service.database(), fleet.get());
        if (instances.isEmpty() || !instances.stream().allMatch(Capture::finalState)) return;
        if (!merging.add(fleet.get().key())) return;
        Thread.ofVirtual().name("nw-merge-" + fleet.get().key()).start(() -> {
            try {
                merge(fleet.get(), instances);
            } finally {
                merging.remove(fleet.get().key());
            }
        });
    }

    private void merge(Capture fleet, List<Capture> instances) {
        StorageAccount account = storage.findByKey(fleet.storage().accountKey()).orElse(null);
        Capture.StoredFile result;
        if (account == null) {
            result = new Capture.StoredFile(null, null, Capture.UploadCheck.MISMATCH);
        } else {
            List<MergeInput> inputs = new ArrayList<>();
            for (Capture c : instances) {
                if (CaptureService.verifiedSha256(c) == null) continue; // no file came in (ended before, or its upload failed)
                String vmName = vmName(c);
                List<Nic> nics = compute.nicsOf(c.vmKey());
                // the agent writes one classic pcap per capture: one NIC's frames, or several NICs' as LINUX_SLL2 (which names
                // each packet's interface itself), shown as vm/any
                String nic = nics.size() == 1 ? nics.getFirst().interfaceName() : "any";
                String path = c.storage().blobPath();
                inputs.add(new MergeInput(vmName, nic, "host " + vmName + ", instance " + c.id().name() + " of "
                        + c.properties().get("target").toString().replaceAll("/virtualMachines/.*", "") + ", VM " + c.properties().get("virtualMachine"),
                        () -> Channels.newChannel(storage.openRead(account, path))));
            }
            result = write(fleet, account, inputs);
        }
        Capture.StoredFile stored = result;
        service.database().inTransaction(h -> {
            // once: a second merge (another controller, a sweep racing a report) finds the object there and fails
            Capture locked = repo.lockByKey(h, fleet.key()).orElse(null);
            if (locked != null && locked.stored() == null) repo.recordStored(h, fleet.key(), stored);
            return null;
        });
    }

    private Capture.StoredFile write(Capture fleet, StorageAccount account, List<MergeInput> inputs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long[] bytes = new long[1];
            storage.writeNew(account, fleet.storage().blobPath(), "merge-" + fleet.key(), out -> {
                OutputStream digesting = new DigestOutputStream(out, sha);
                MergeResult r = PcapMerger.merge(inputs, digesting);
                digesting.flush();
                bytes[0] = r.bytes();
                LOG.atInfo().addKeyValue("capture", fleet.id()).addKeyValue("files", inputs.size()).addKeyValue("packets", r.packets())
                        .addKeyValue("bytes", r.bytes()).log("fleet capture files merged");
            });
            return new Capture.StoredFile(bytes[0], HexFormat.of().formatHex(sha.digest()), Capture.UploadCheck.VERIFIED);
        } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
            LOG.atWarn().addKeyValue("capture", fleet.id()).log("cannot merge the fleet capture's files: {}", e.toString());
            return new Capture.StoredFile(null, null, Capture.UploadCheck.MISMATCH);
        }
    }
}
