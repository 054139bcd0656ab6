package netwatcher.controller.capture;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import netwatcher.arm.ArmError;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.compute.ComputeRepository;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.DatabaseException;
import netwatcher.controller.db.SqlOperations;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;
import netwatcher.controller.operations.OperationResolver;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.controller.watchers.Watcher;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The packet-capture lifecycle on the controller side. Thread-safe: all state is in the database
 * and every change runs in one transaction.
 */
public final class CaptureService {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureService.class);
    public static final String OP_CREATE = "capture.create";
    public static final String OP_STOP = "capture.stop";
    public static final String OP_DELETE = "capture.delete";

    /**
     * How long a stop or delete request waits for the capture's agent to confirm before it answers
     * 202 instead of 200/204: an agent on the lab confirms in about 0.25 s (BENCHMARKS.md, section
     * "Answers as fast as the work"), so a second covers a loaded host and keeps a request short.
     */
    public static final Duration CONFIRM_WAIT = Duration.ofSeconds(1);

    /**
     * How long after a delete the operation still waits for the agent to confirm that the capture
     * stopped; after that the delete is done anyway (the capture is gone from ARM, and the agent stops
     * it when it next fetches its orders).
     */
    public static final Duration DELETE_CONFIRM_LIMIT = Duration.ofSeconds(10);

    /** The time an agent usually needs to act on an order and report (long-poll wake-up, libpcap open, report). */
    static final Duration TYPICAL_AGENT_TURN = Duration.ofMillis(250);
    /** Live sessions per subscription and region, as Azure documents. */
    public static final int SESSION_LIMIT = 10_000;

    /** Settings: how long a capture waits for an agent, and when a silent agent's capture shows Unknown. */
    public record Settings(Duration agentWait, Duration agentLostAfter) {}

    private final Database db;
    private final CaptureRepository repo;
    private final ComputeService compute;
    private final ComputeRepository computeRepo;
    private final StorageService storage;
    private final AgentPresence presence;
    private final Settings settings;
    private final Clock clock;
    private final AccessControl access;
    private final List<Consumer<String>> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final FleetCaptures fleet;
    private final SnapshotService snapshots;

    /**
     * The features a capture works with: its VM (from compute), where its file goes (storage), and its VM's agent (whether it
     * is there, and how to tell it that its orders changed).
     */
    public record Peers(ComputeService compute, StorageService storage, AgentPresence presence) {}

    public CaptureService(Database db, CaptureRepository repo, Peers peers, Settings settings, Clock clock, AccessControl access) {
        this.access = access;
        this.db = db;
        this.repo = repo;
        this.compute = peers.compute();
        this.computeRepo = compute.repository();
        this.storage = peers.storage();
        this.presence = peers.presence();
        this.settings = settings;
        this.clock = clock;
        this.fleet = new FleetCaptures(this, repo, compute, storage);
        this.snapshots = new SnapshotService(this, new SnapshotService.Parts(db, repo, computeRepo, storage, presence, clock));
    }

    /** Snapshots of running captures. */
    public SnapshotService snapshots() { return snapshots; }

    Database database() { return db; }

    FleetCaptures fleet() { return fleet; }

    /** Whether the agent of VM {@code vmKey} is connected now. */
    boolean agentConnected(String vmKey) { return presence.of(vmKey).connected(); }

    /** When the agent of VM {@code vmKey} was last seen, or null (never, or not since this controller started). */
    Instant agentLastSeen(String vmKey) { return presence.of(vmKey).lastSeen(); }

    Clock clock() { return clock; }

    /** Tells the change listeners that capture {@code key} changed. */
    void changed(String key) {
        for (Consumer<String> l : changeListeners) l.accept(key);
    }

    /**
     * Fleet captures' background work (the sweeper, each second): every tenth call, instances whose agent has been away
     * too long are given up and settled fleets made due for their merge; every call, due merges start here when this
     * controller does merge work ({@link #mergeOnlyWhen}).
     */
    public void fleetWork(boolean tenth) {
        if (tenth) {
            fleet.settleLostEverywhere();
            fleet.merges().mergeSettled();
        }
        fleet.merges().runDueMerges();
        snapshots.advanceFleetSnapshots(); // cuts whose agent went away, merges of finished cuts, take-overs, time-outs
    }

    /** Fleet captures' merges run on this controller only while {@code gate} holds (cluster mode: while it leads). */
    public void mergeOnlyWhen(java.util.function.BooleanSupplier gate) {
        fleet.merges().mergeWhen(gate);
    }

    public Settings settings() { return settings; }

    /** Calls {@code listener} with a capture's key after each report on it was recorded (for requests waiting on an agent). */
    public void onChange(Consumer<String> listener) { changeListeners.add(listener); }

    /**
     * Validated intent to create: authorizes {@code caller} on every resource the capture references
     * (before looking any up, so a refusal says nothing about their existence), resolves the VM and
     * the storage, then records everything in one transaction.
     */
    public Capture create(Caller caller, Watcher watcher, ArmResourceId id, CaptureSpec spec, String baseUrl) {
        access.authorizeReferences(caller, id, spec.references());
        if (FleetCaptures.AZURE_VMSS.equals(spec.targetType())) return createFleet(watcher, id, spec, baseUrl);
        Vm vm = compute.findVm(spec.target()).orElseThrow(() -> ArmErrorCode.InvalidResourceReference.exception(
                "Resource " + spec.target() + " referenced by resource " + id + " was not found: no agent has registered that"
                        + " virtual machine. Install the netwatcher agent on the host (see README).", "properties.target"));
        if (!vm.location().equalsIgnoreCase(watcher.location())) {
            throw ArmErrorCode.InvalidParameter.exception("Virtual machine " + vm.id().name() + " is in location '" + vm.location()
                    + "' but network watcher " + watcher.id().name() + " is in '" + watcher.location()
                    + "'; use the network watcher of the VM's location.", "properties.target");
        }
        Instant now = clock.instant();
        String key = "c-" + UUID.randomUUID();
        String accountId = null;
        String blobPath = null;
        Capture.StorageTarget target = null;
        StorageAccount storageAccount = null;
        String storagePath = spec.storagePath();
        if (spec.storageId() != null) {
            ArmResourceId acctId = ArmResourceId.tryParse(spec.storageId()).orElseThrow();
            StorageAccount account = storage.find(acctId).orElseThrow(() -> ArmErrorCode.InvalidResourceReference.exception(
                    "Resource " + spec.storageId() + " referenced by resource " + id + " was not found: it is not one of the"
                            + " controller's configured storage accounts.", "properties.storageLocation.storageId"));
            storage.refusal(account).ifPresent(why -> {
                throw ArmErrorCode.StorageAccountNotShared.exception(why, "properties.storageLocation.storageId");
            });
            accountId = account.id().toString();
            if (spec.storagePath() != null) {
                blobPath = givenBlobPath(spec.storagePath());
                requireUnusedStorageLocation(id, account, blobPath);
            } else {
                blobPath = freeGeneratedPath(account, vm.id(), now);
                storagePath = storage.blobUrl(account, baseUrl, blobPath);
            }
            storageAccount = account;
            target = new Capture.StorageTarget(account.id().key(), blobPath);
        }
        String filePath = spec.filePath() != null ? spec.filePath() : spec.localPath();
        CaptureOrder order = new CaptureOrder(key, id.toString(), true, spec.bytesToCapturePerPacket(), spec.stop().bytes(),
                spec.stop().seconds(), spec.filters(), filePath, null, now, spec.ring()); // its upload target is made when served
        Map<String, Object> props = properties(spec, storagePath, accountId, blobPath);
        Capture capture = Capture.created(new Capture.Intent(id, watcher.id().key(), vm.id().key(), props, order, target), now);
        StorageAccount claimAccount = storageAccount;
        String claimPath = blobPath;
        inClaimingTransaction(id, claimAccount, claimPath, h -> {
            if (!repo.claimName(h, id, key)) throw alreadyExists(id);
            if (claimAccount != null) claimStorageLocation(h, claimAccount, claimPath, key);
            if (repo.countOpen(h, "/subscriptions/" + id.subscriptionId().toLowerCase(java.util.Locale.ROOT) + "/") >= SESSION_LIMIT) {
                throw ArmErrorCode.PacketCaptureSessionLimitReached.exception("The subscription has " + SESSION_LIMIT
                        + " packet capture sessions that have not finished; stop or wait for some first.");
            }
            repo.insert(h, capture);
            computeRepo.bumpGeneration(h, vm.id().key());
            return null;
        });
        presence.signal(vm.id().key());
        LOG.atInfo().addKeyValue("capture", id).addKeyValue("vm", vm.id().key()).addKeyValue("key", key)
                .addKeyValue("upload", claimAccount == null ? "none" : claimAccount.kind() == StorageAccount.Kind.LOCAL ? UploadTarget.LOCAL
                        : UploadTarget.BLOB).log("capture created");
        return capture;
    }

    /**
     * Creates a capture of the scale-set instances {@code scope} chooses: the fleet capture and one instance
     * capture per instance, in one transaction, each instance's agent told at once (see {@link FleetCaptures}).
     */
    private Capture createFleet(Watcher watcher, ArmResourceId id, CaptureSpec spec, String baseUrl) {
        List<netwatcher.controller.compute.ScaleSetInstance> all = compute.instances(spec.target());
        if (all.isEmpty()) {
            throw ArmErrorCode.InvalidResourceReference.exception("Resource " + spec.target() + " referenced by resource " + id
                    + " was not found: no agent has joined that scale set (nw agent --scale-set " + spec.target().name() + ").",
                    "properties.target");
        }
        List<netwatcher.controller.compute.ScaleSetInstance> chosen = FleetCaptures.choose(all, spec);
        for (var instance : chosen) {
            Vm vm = compute.findVm(instance.vmKey()).orElseThrow();
            if (!vm.location().equalsIgnoreCase(watcher.location())) {
                throw ArmErrorCode.InvalidParameter.exception("Instance " + instance.instanceId() + " (VM " + vm.id().name()
                        + ") of scale set " + spec.target().name() + " is in location '" + vm.location() + "' but network watcher "
                        + watcher.id().name() + " is in '" + watcher.location() + "'; use the network watcher of the scale set's location.",
                        "properties.target");
            }
        }
        Instant now = clock.instant();
        String key = "c-" + UUID.randomUUID();
        StorageAccount account = null;
        String blobPath = null;
        String storagePath = spec.storagePath();
        if (spec.storageId() != null) {
            ArmResourceId acctId = ArmResourceId.tryParse(spec.storageId()).orElseThrow();
            account = storage.find(acctId).orElseThrow(() -> ArmErrorCode.InvalidResourceReference.exception(
                    "Resource " + spec.storageId() + " referenced by resource " + id + " was not found: it is not one of the"
                            + " controller's configured storage accounts.", "properties.storageLocation.storageId"));
            if (spec.storagePath() != null) {
                blobPath = givenBlobPath(spec.storagePath());
            } else {
                blobPath = StorageService.generatedPath(spec.target(), now);
                storagePath = storage.blobUrl(account, baseUrl, blobPath);
            }
            if (repo.findLive(db, id).isEmpty()) {
                String merged = FleetCaptures.mergedPath(FleetCaptures.folder(blobPath));
                if (repo.blobClaimed(db, account.id().key(), merged) || storage.exists(account, merged)) {
                    throw storageLocationInUse(merged, account);
                }
            }
        }
        Map<String, Object> props = properties(spec, storagePath, account == null ? null : account.id().toString(), blobPath);
        if (account != null) {
            props.put("mergedStoragePath", storage.blobUrl(account, baseUrl, FleetCaptures.mergedPath(FleetCaptures.folder(blobPath))));
        }
        FleetCaptures.Plan plan = fleet.plan(new FleetCaptures.FleetBase(key, id, watcher.id().key(), props, blobPath, baseUrl),
                spec, chosen, account, now);
        StorageAccount claimAccount = account;
        String claimPath = plan.claims().isEmpty() ? null : plan.claims().getFirst().blobPath();
        inClaimingTransaction(id, claimAccount, claimPath, h -> {
            if (!repo.claimName(h, id, key)) throw alreadyExists(id);
            for (StorageService.LocalTarget claim : plan.claims()) claimStorageLocation(h, claim.account(), claim.blobPath(), claim.owner());
            if (repo.countOpen(h, "/subscriptions/" + id.subscriptionId().toLowerCase(java.util.Locale.ROOT) + "/") + chosen.size()
                    > SESSION_LIMIT) {
                throw ArmErrorCode.PacketCaptureSessionLimitReached.exception("The subscription has too many packet capture sessions"
                        + " that have not finished for " + chosen.size() + " more (limit " + SESSION_LIMIT + "); stop or wait for some first.");
            }
            repo.insert(h, plan.fleet());
            for (Capture instance : plan.instances()) {
                if (!repo.claimName(h, instance.id(), instance.key())) throw alreadyExists(instance.id());
                repo.insert(h, instance);
                computeRepo.bumpGeneration(h, instance.vmKey());
            }
            return null;
        });
        for (Capture instance : plan.instances()) presence.signal(instance.vmKey());
        LOG.atInfo().addKeyValue("capture", id).addKeyValue("scaleSet", spec.target().key()).addKeyValue("key", key)
                .addKeyValue("instances", chosen.stream().map(i -> String.valueOf(i.instanceId())).toList()).log("fleet capture created");
        return plan.fleet();
    }

    // ---------------------------------------------------------------- one capture per stored object

    /** Longest blob name Azure Storage accepts. */
    static final int MAX_BLOB_NAME = 1024;

    /**
     * The blob path (container first) a given storagePath names: one canonical spelling, so that two
     * spellings of one object cannot slip past the one-capture-per-object rule.
     */
    static String givenBlobPath(String storagePath) {
        String field = "properties.storageLocation.storagePath";
        int at = storagePath.indexOf("/" + StorageService.CONTAINER + "/");
        if (at < 0) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' must point into the container '"
                    + StorageService.CONTAINER + "' of the storage account; was '" + storagePath + "'.", field);
        }
        String blobPath = storagePath.substring(at + 1);
        String name = blobPath.substring(StorageService.CONTAINER.length() + 1);
        String problem = null;
        if (name.isEmpty() || name.endsWith("/")) problem = "must name a blob, not a directory";
        else if (name.indexOf('?') >= 0 || name.indexOf('#') >= 0) problem = "must not carry a query or fragment";
        else if (name.indexOf('%') >= 0) problem = "must not contain percent-encoded characters";
        else if (name.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f || ch == '\\')) problem = "must not contain control characters or backslashes";
        else if (("/" + name + "/").contains("//") || ("/" + name + "/").contains("/./") || ("/" + name + "/").contains("/../")
                || name.startsWith(".")) {
            problem = "must not contain empty, '.' or '..' segments, or start with '.'";
        } else if (name.length() > MAX_BLOB_NAME) problem = "names a blob longer than " + MAX_BLOB_NAME + " characters";
        if (problem != null) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' " + problem + "; was '" + storagePath + "'.", field);
        }
        return blobPath;
    }

    /** 409 when another capture writes the object, or it exists in the account already. */
    private void requireUnusedStorageLocation(ArmResourceId id, StorageAccount account, String blobPath) {
        if (repo.findLive(db, id).isPresent()) return; // the transaction answers 'already exists'
        if (repo.blobClaimed(db, account.id().key(), blobPath) || storage.exists(account, blobPath)) {
            throw storageLocationInUse(blobPath, account);
        }
    }

    /** The generated blob path, with a numeric suffix when another capture of the VM got the same instant. */
    private String freeGeneratedPath(StorageAccount account, ArmResourceId vmId, Instant now) {
        String base = StorageService.generatedPath(vmId, now);
        String path = base;
        for (int n = 2; repo.blobClaimed(db, account.id().key(), path) || storage.exists(account, path); n++) {
            path = base.substring(0, base.length() - ".cap".length()) + "_" + n + ".cap";
        }
        return path;
    }

    /**
     * Claims the stored objects of captures created before claims existed, so the one-capture-per-object
     * rule covers them too; run at start-up. A path two old captures shared stays with the older one.
     */
    public void claimExistingStorageLocations() {
        for (Capture c : repo.unclaimed(db)) {
            Capture.StorageTarget legacy = c.storage() != null ? c.storage() : packedStorage(c.order());
            if (legacy == null) continue;
            try {
                db.inTransaction(h -> {
                    if (c.storage() == null) repo.setStorage(h, c.key(), legacy);
                    repo.claimBlob(h, legacy.accountKey(), legacy.blobPath(), c.key());
                    return null;
                });
            } catch (DatabaseException e) {
                if (!e.isUniqueViolation()) throw e; // another controller claimed it at the same moment
            }
        }
    }

    /**
     * The storage target that orders stored before the storage columns existed (V6) packed into their upload URL as
     * {@code account-id|path}; null for any other order. Read only here, at start-up, to fill those columns in.
     */
    private static Capture.StorageTarget packedStorage(CaptureOrder order) {
        UploadTarget u = order.upload();
        if (u == null || u.url() == null) return null;
        int bar = u.url().indexOf('|');
        if (bar < 0) return null;
        return ArmResourceId.tryParse(u.url().substring(0, bar))
                .map(acct -> new Capture.StorageTarget(acct.key(), u.url().substring(bar + 1))).orElse(null);
    }

    /**
     * Runs the create transaction. A concurrent create that won the race (on this controller or another one on the
     * same database) breaks a unique constraint here: answered with the same 409 as a create that came later, for
     * the name or the stored object, whichever the winner holds.
     */
    private void inClaimingTransaction(ArmResourceId id, StorageAccount account, String blobPath,
                                       netwatcher.controller.db.TransactionBody<Void, RuntimeException> body) {
        try {
            db.inTransaction(body);
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) throw e;
            if (repo.nameClaimed(db, id)) throw alreadyExists(id);
            if (account != null && repo.blobClaimed(db, account.id().key(), blobPath)) throw storageLocationInUse(blobPath, account);
            throw e;
        }
    }

    private static netwatcher.arm.ArmException alreadyExists(ArmResourceId id) {
        return ArmErrorCode.Conflict.exception("Packet capture '" + id.name() + "' already exists in network watcher '"
                + id.parent().map(ArmResourceId::name).orElse("") + "'. A packet capture cannot be updated; delete it first or use another name.");
    }

    /** Inside the create transaction: the claim that makes the rule hold under concurrent creates. */
    private void claimStorageLocation(SqlOperations h, StorageAccount account, String blobPath, String key) {
        if (!repo.claimBlob(h, account.id().key(), blobPath, key)) throw storageLocationInUse(blobPath, account);
    }

    private static netwatcher.arm.ArmException storageLocationInUse(String blobPath, StorageAccount account) {
        return ArmErrorCode.Conflict.exception("Property 'properties.storageLocation.storagePath' names blob '" + blobPath
                + "' of storage account '" + account.name() + "', which another packet capture writes or which exists"
                + " already; a capture never overwrites a stored file. Give another storagePath, or omit it to have one generated.",
                "properties.storageLocation.storagePath");
    }

    private Map<String, Object> properties(CaptureSpec spec, String storagePath, String accountId, String blobPath) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", spec.target().toString());
        if (spec.scope() != null) {
            Map<String, Object> scope = new LinkedHashMap<>();
            if (spec.scope().include() != null) scope.put("include", spec.scope().include());
            if (spec.scope().exclude() != null) scope.put("exclude", spec.scope().exclude());
            p.put("scope", scope);
        }
        if (spec.targetType() != null) p.put("targetType", spec.targetType());
        p.put("bytesToCapturePerPacket", spec.bytesToCapturePerPacket());
        p.put("totalBytesPerSession", spec.totalBytesPerSession());
        p.put("timeLimitInSeconds", spec.timeLimitInSeconds());
        Map<String, Object> loc = new LinkedHashMap<>();
        if (spec.storageId() != null) loc.put("storageId", spec.storageId());
        if (storagePath != null) loc.put("storagePath", storagePath);
        if (accountId != null) {
            loc.put("netwatcherAccount", accountId);
            loc.put("netwatcherBlobPath", blobPath);
        }
        if (spec.filePath() != null) loc.put("filePath", spec.filePath());
        if (spec.localPath() != null) loc.put("localPath", spec.localPath());
        p.put("storageLocation", loc);
        List<Map<String, Object>> filters = new ArrayList<>();
        for (CaptureOrder.WireFilter f : spec.filters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", f.protocol());
            m.put("localIPAddress", f.localIPAddress() == null ? "" : f.localIPAddress());
            m.put("remoteIPAddress", f.remoteIPAddress() == null ? "" : f.remoteIPAddress());
            m.put("localPort", f.localPort() == null ? "" : f.localPort());
            m.put("remotePort", f.remotePort() == null ? "" : f.remotePort());
            filters.add(m);
        }
        p.put("filters", filters);
        // absent stays absent (not false): the spec's null, and the storage rule depends on presence
        if (spec.continuousCapture() != null) p.put("continuousCapture", spec.continuousCapture());
        if (spec.captureSettings() != null) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("fileCount", spec.captureSettings().fileCount());
            settings.put("fileSizeInBytes", spec.captureSettings().fileSizeInBytes());
            settings.put("sessionTimeLimitInSeconds", spec.captureSettings().sessionTimeLimitInSeconds());
            p.put("captureSettings", settings);
        }
        return p;
    }

    /** The live capture, with expiry applied; 404 when absent. */
    public Capture require(ArmResourceId id) {
        return repo.findLive(db, id).map(this::expiredIfStale).orElseThrow(() -> notFound(id));
    }

    public static netwatcher.arm.ArmException notFound(ArmResourceId id) {
        return ArmErrorCode.NotFound.exception("Resource " + id + " not found.");
    }

    /** The etag of the live capture, or null when it does not exist (for conditional requests). */
    public String findExisting(ArmResourceId id) {
        return repo.findLive(db, id).map(Capture::etag).orElse(null);
    }

    public List<Capture> list(Watcher watcher) {
        return repo.listLive(db, watcher.id().key()).stream().map(this::expiredIfStale).toList();
    }

    /** The status ARM shows: stored status, or Unknown while a running capture's agent is away. */
    public CaptureStatus visibleStatus(Capture c) {
        // presence applies the agent-lost grace itself (long-poll ended and not back within it)
        return c.visibleStatus(c.status() != CaptureStatus.Running || presence.of(c.vmKey()).connected());
    }

    /** Requests a stop; returns true when the capture must still be stopped by its agent. */
    public boolean stop(ArmResourceId id) {
        Capture c = require(id);
        if (FleetCaptures.isFleet(c)) {
            boolean any = false;
            for (Capture instance : fleet.instancesOf(db, c)) any |= stop(instance.id());
            return any;
        }
        if (c.terminal() || c.finalState()) return false;
        db.inTransaction(h -> {
            Capture locked = repo.lockByKey(h, c.key()).orElseThrow();
            if (locked.stopRequested()) return null;
            repo.updateState(h, locked.withStopRequested());
            computeRepo.bumpGeneration(h, locked.vmKey());
            return null;
        });
        presence.signal(c.vmKey());
        LOG.atInfo().addKeyValue("capture", c.id()).addKeyValue("vm", c.vmKey()).log("capture stop requested");
        return true;
    }

    /** VMs whose agents a delete must wake (the instances of a fleet capture), collected inside its transaction. */
    private final ThreadLocal<java.util.Set<String>> presenceSignals = ThreadLocal.withInitial(java.util.LinkedHashSet::new);

    /** Deletes the capture from ARM (its files stay); empty when it did not exist. */
    public Optional<Capture> delete(ArmResourceId id) {
        Optional<Capture> c = repo.findLive(db, id);
        if (c.isEmpty()) return c;
        presenceSignals.get().clear();
        db.inTransaction(h -> {
            deleteIn(h, c.get());
            return null;
        });
        presenceSignals.get().forEach(presence::signal);
        presenceSignals.get().clear();
        presence.signal(c.get().vmKey());
        LOG.atInfo().addKeyValue("capture", c.get().id()).addKeyValue("vm", c.get().vmKey()).log("capture deleted");
        return c;
    }

    private void deleteIn(SqlOperations h, Capture c) {
        if (FleetCaptures.isFleet(c)) {
            for (Capture instance : fleet.instancesOf(h, c)) {
                deleteIn(h, instance);
                presenceSignals.get().add(instance.vmKey());
            }
        }
        repo.releaseName(h, c.id());
        Capture locked = repo.lockByKey(h, c.key()).orElseThrow();
        boolean settled = locked.finalState() || (locked.reportedAt() == null && !presence.of(locked.vmKey()).enrolled());
        repo.updateState(h, locked.deletedFromArm(settled));
        computeRepo.bumpGeneration(h, locked.vmKey());
    }

    /** Deletes every capture of a watcher that is being deleted (inside its transaction). */
    public void deleteAllOf(SqlOperations h, Watcher watcher) {
        for (Capture c : repo.listLive(h, watcher.id().key())) deleteIn(h, c);
    }

    /** The host captures of {@code c}: its instances for a fleet capture, else {@code c} itself. */
    public List<Capture> hostCaptures(Capture c) {
        return FleetCaptures.isFleet(c) ? fleet.instancesOf(db, c) : List.of(c);
    }

    /** The orders for a VM's agent: every capture it must still act on. */
    public List<CaptureOrder> ordersFor(String vmKey, String controllerBase) {
        List<CaptureOrder> out = new ArrayList<>();
        for (Capture c : repo.openForVm(db, vmKey)) {
            CaptureOrder o = c.order();
            out.add(new CaptureOrder(o.key(), o.captureId(), c.runs(), o.snapLength(), o.totalBytes(), o.timeLimitSeconds(),
                    o.filters(), o.filePath(), resolveUpload(c, controllerBase), o.createdAt(), o.ring()));
        }
        return out;
    }

    /** Where {@code c}'s agent uploads, as a URL it can use from {@code controllerBase}; null when it does not upload. */
    private UploadTarget resolveUpload(Capture c, String controllerBase) {
        if (!c.uploads()) return null;
        String blobPath = c.storage().blobPath();
        Optional<StorageAccount> account = storage.findByKey(c.storage().accountKey());
        if (account.isEmpty()) return null;
        if (c.order().ring() != null) {
            // the base of the ring's files: each goes to <ring directory>/<its name> (UploadTarget.forFile)
            String dir = ringDirectory(blobPath);
            if (account.get().kind() == StorageAccount.Kind.LOCAL) {
                return new UploadTarget(UploadTarget.LOCAL, controllerBase + "/agent/v1/captures/" + c.key() + "/files",
                        storage.blobUrl(account.get(), controllerBase, dir));
            }
            return new UploadTarget(UploadTarget.BLOB, storage.uploadDirectorySasUrl(account.get(), dir, 24),
                    storage.blobUrl(account.get(), controllerBase, dir));
        }
        if (account.get().kind() == StorageAccount.Kind.LOCAL) {
            return new UploadTarget(UploadTarget.LOCAL, controllerBase + "/agent/v1/captures/" + c.key() + "/file",
                    storage.blobUrl(account.get(), controllerBase, blobPath));
        }
        return new UploadTarget(UploadTarget.BLOB, storage.uploadSasUrl(account.get(), blobPath, 24),
                storage.blobUrl(account.get(), controllerBase, blobPath));
    }

    /**
     * The storage directory of a ring capture's files: its blob path without the file extension
     * ({@code .../pc1.cap} → {@code .../pc1/}), each file under it by the name it has on the host.
     */
    public static String ringDirectory(String blobPath) {
        int slash = blobPath.lastIndexOf('/');
        int dot = blobPath.lastIndexOf('.');
        return dot > slash + 1 ? blobPath.substring(0, dot) : blobPath + ".files";
    }

    /** Where ring file {@code name} of capture {@code c} goes in the controller's local account, for the agent upload route. */
    public Optional<StorageService.LocalTarget> localRingFileTarget(Capture c, String name) {
        if (!c.uploads() || c.order().ring() == null) return Optional.empty();
        return storage.findByKey(c.storage().accountKey()).filter(a -> a.kind() == StorageAccount.Kind.LOCAL)
                .map(a -> new StorageService.LocalTarget(a, ringDirectory(c.storage().blobPath()) + "/" + name, ringUploadOwner(c, name)));
    }

    /** A ring file's name as the agent makes it: {@code <stem>_<index>_<start>.<ext>} (docs/captures.md). */
    public static final java.util.regex.Pattern RING_FILE = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9._-]{0,200}_(\\d{6,12})_\\d{8}T\\d{6}\\.\\d{3}Z\\.[A-Za-z0-9]{1,16}");

    /** The owner of a ring file's partial upload: the capture key and the file's index. */
    static String ringUploadOwner(Capture c, String name) {
        java.util.regex.Matcher m = RING_FILE.matcher(name);
        if (!m.matches()) throw new IllegalArgumentException("not a ring file name: " + name);
        return c.key() + "-" + m.group(1);
    }

    /** Every file of ring capture {@code c} (its report lists only the newest), oldest first; empty for one file. */
    public List<netwatcher.model.agent.RingFileReport> ringFiles(Capture c) {
        return c.order().ring() == null ? List.of() : repo.ringFiles(db, c.key());
    }

    /** The storage URL of a ring capture's file directory (each file's is it plus "/" + name), or null. */
    public String ringStoragePath(Capture c) {
        if (!c.uploads() || c.order().ring() == null) return null;
        Object loc = c.properties().get("storageLocation");
        // an instance of a fleet capture has its own path (FleetCaptures' scheme) at the top of its properties
        Object url = loc instanceof Map<?, ?> m ? m.get("storagePath") : c.properties().get("storagePath");
        return url instanceof String s ? ringDirectory(s) : null;
    }

    /** Where a capture's upload goes in the controller's local account, for the agent upload route. */
    public Optional<StorageService.LocalTarget> localUploadTarget(Capture c) {
        if (!c.uploads()) return Optional.empty();
        return storage.findByKey(c.storage().accountKey()).filter(a -> a.kind() == StorageAccount.Kind.LOCAL)
                .map(a -> new StorageService.LocalTarget(a, c.storage().blobPath(), c.key()));
    }

    public Optional<Capture> findByKey(String key) { return repo.findByKey(db, key); }

    /** Applies an agent's report for a capture of its own VM; monotone and idempotent. */
    public void applyReport(String vmKey, CaptureReport r) {
        AtomicReference<Capture> before = new AtomicReference<>();
        boolean changed = db.inTransaction(h -> {
            Optional<Capture> found = repo.lockByKey(h, r.key());
            // a capture whose tombstone was collected: its agent settled it before, nothing to record
            if (found.isEmpty()) return false;
            if (!found.get().vmKey().equals(vmKey)) {
                throw ArmErrorCode.AuthorizationFailed.exception("Capture " + r.key() + " does not belong to this agent's VM.");
            }
            Capture c = found.get();
            if (c.finalState()) return false;
            before.set(c);
            Capture next = c.afterReport(r, clock.instant());
            repo.updateState(h, next);
            if (r.ring() != null) repo.recordRingFiles(h, c.key(), r.ring());
            if (next.finalState() != c.finalState()) computeRepo.bumpGeneration(h, vmKey);
            return next.finalState() != c.finalState();
        });
        if (changed) presence.signal(vmKey);
        if (before.get() != null) CaptureEvents.logReport(before.get(), r);
        if (changed && before.get() != null) repo.findByKey(db, r.key()).ifPresent(fleet::afterInstanceChange);
        changed(r.key());
        if (r.uploadState() == UploadState.DONE) verifyUploadsAsync();
    }

    // ---------------------------------------------------------------- stored-file check

    private final java.util.Set<String> verifying = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> verifyNotBefore = new java.util.concurrent.ConcurrentHashMap<>();
    /** How long after a failed read-back (account unreachable) the next one is tried. */
    static final Duration VERIFY_RETRY = Duration.ofSeconds(30);

    /** Records that a capture's local upload was committed with {@code bytes} (its content is checked when the agent reports done). */
    public void recordCommitted(Capture c, long bytes) {
        repo.recordCommitted(db, c.key(), bytes);
    }

    /** Starts checking, in the background, every finished capture whose agent reported its upload done. */
    public void verifyUploadsAsync() {
        verifyUploadsAsync(true);
    }

    /**
     * Starts checking, in the background, the finished captures whose agent reported its upload done: those
     * in accounts that only this controller reads (a local account in cluster mode: only the controller whose
     * disk holds the file can tell), and with {@code sharedAccounts} also those in accounts every controller
     * reads (a cluster's leader checks those, once). Fleet captures' merged files are made with the shared
     * accounts' checks, so that one controller merges each.
     */
    public void verifyUploadsAsync(boolean sharedAccounts) {
        for (Capture c : repo.finishedUnsettled(db)) {
            if (c.report() == null || c.report().uploadState() != UploadState.DONE || !c.uploads()) continue;
            if (!sharedAccounts && storage.findByKey(c.storage().accountKey()).map(storage::sharedByEveryController).orElse(true)) continue;
            Instant notBefore = verifyNotBefore.get(c.key());
            if (notBefore != null && clock.instant().isBefore(notBefore)) continue;
            if (!verifying.add(c.key())) continue;
            Thread.ofVirtual().name("nw-verify-" + c.key()).start(() -> {
                try {
                    verifyUpload(c);
                    verifyNotBefore.remove(c.key());
                } catch (java.io.IOException | RuntimeException e) {
                    verifyNotBefore.put(c.key(), clock.instant().plus(VERIFY_RETRY));
                    LOG.atWarn().addKeyValue("capture", c.id()).log("cannot check the stored file (will retry): {}", e.getMessage());
                } finally {
                    verifying.remove(c.key());
                }
            });
        }
    }

    /**
     * Reads the stored object of {@code c}'s upload back, hashes it, and settles the upload: VERIFIED
     * when its size equals the agent's bytesWritten and its SHA-256 the agent's, else MISMATCH, which
     * fails the upload (the capture ends Error / UploadFailed / StorageFailed) and is never "done".
     */
    void verifyUpload(Capture c) throws java.io.IOException {
        String blobPath = c.storage().blobPath();
        StorageAccount account = storage.findByKey(c.storage().accountKey()).orElseThrow(() ->
                new java.io.IOException("storage account " + c.storage().accountKey() + " is not configured"));
        if (c.order().ring() != null) {
            verifyRing(c, account);
            return;
        }
        if (!storage.sharedByEveryController(account) && storage.localFile(account, blobPath).isEmpty()) {
            // a local account in cluster mode: the file may be on the disk of the controller that took the
            // upload; only that one can say it is missing, so this one says nothing
            return;
        }
        Optional<StorageService.StoredObject> stored = storage.readBack(account, blobPath);
        boolean changed = db.inTransaction(h -> {
            Capture locked = repo.lockByKey(h, c.key()).orElse(null);
            if (locked == null || locked.finalState() || locked.report() == null || locked.report().uploadState() != UploadState.DONE
                    || (locked.stored() != null && locked.stored().check() != null)) {
                return false;
            }
            CaptureReport r = locked.report();
            String problem = null;
            if (stored.isEmpty()) {
                problem = "the storage account holds no file at " + blobPath;
            } else if (stored.get().bytes() != r.bytes()) {
                problem = "the stored file has " + stored.get().bytes() + " bytes but the capture wrote " + r.bytes();
            } else if (r.fileSha256() != null && !r.fileSha256().equals(stored.get().sha256())) {
                problem = "the stored file's SHA-256 " + stored.get().sha256() + " differs from the capture file's " + r.fileSha256();
            }
            Capture.UploadCheck check = problem == null ? Capture.UploadCheck.VERIFIED : Capture.UploadCheck.MISMATCH;
            repo.recordStored(h, c.key(), new Capture.StoredFile(stored.map(StorageService.StoredObject::bytes).orElse(null),
                    stored.map(StorageService.StoredObject::sha256).orElse(null), check));
            repo.updateState(h, locked.afterUploadCheck(problem));
            computeRepo.bumpGeneration(h, locked.vmKey());
            return true;
        });
        if (changed) {
            presence.signal(c.vmKey());
            repo.findByKey(db, c.key()).ifPresent(fleet::afterInstanceChange);
        }
    }

    /**
     * The check of a ring capture's upload: every file its agent reports stored (and not lost) is read back from
     * {@link #ringDirectory} and must have the size the agent wrote. VERIFIED settles the capture; a missing or
     * different file fails its upload as for one file.
     */
    private void verifyRing(Capture c, StorageAccount account) throws java.io.IOException {
        CaptureReport report = c.report();
        String dir = ringDirectory(c.storage().blobPath());
        List<String> problems = new ArrayList<>();
        long bytes = 0;
        if (report.ring() != null) {
            for (netwatcher.model.agent.RingFileReport f : ringFiles(c)) {
                if (f.lost() || f.open() || f.uploadState() != UploadState.DONE) continue;
                Optional<StorageService.StoredObject> stored = storage.readBack(account, dir + "/" + f.name());
                if (stored.isEmpty()) problems.add("the storage account holds no file at " + dir + "/" + f.name());
                else if (stored.get().bytes() != f.bytes()) {
                    problems.add("the stored " + f.name() + " has " + stored.get().bytes() + " bytes but the capture wrote " + f.bytes());
                }
                bytes += f.bytes();
                if (account.kind() == StorageAccount.Kind.LOCAL && RING_FILE.matcher(f.name()).matches()) {
                    storage.forgetPartial(account, ringUploadOwner(c, f.name()));
                }
            }
        }
        String problem = problems.isEmpty() ? null : String.join("; ", problems);
        long checked = bytes;
        boolean changed = db.inTransaction(h -> {
            Capture locked = repo.lockByKey(h, c.key()).orElse(null);
            if (locked == null || locked.finalState() || locked.report() == null || locked.report().uploadState() != UploadState.DONE
                    || (locked.stored() != null && locked.stored().check() != null)) {
                return false;
            }
            repo.recordStored(h, c.key(), new Capture.StoredFile(checked, null,
                    problem == null ? Capture.UploadCheck.VERIFIED : Capture.UploadCheck.MISMATCH));
            repo.updateState(h, locked.afterUploadCheck(problem));
            computeRepo.bumpGeneration(h, locked.vmKey());
            return true;
        });
        if (changed) {
            presence.signal(c.vmKey());
            repo.findByKey(db, c.key()).ifPresent(fleet::afterInstanceChange);
        }
    }

    /** The verified SHA-256 of the stored capture file, or null. */
    static String verifiedSha256(Capture c) {
        return c.stored() != null && c.stored().check() == Capture.UploadCheck.VERIFIED ? c.stored().sha256() : null;
    }

    /** Deletes the tombstones of deleted captures whose agent has settled them (see {@link CaptureRepository#collectTombstones}). */
    public int collectTombstones() {
        return db.inTransaction(h -> {
            snapshots.collectTombstones(h);
            return repo.collectTombstones(h);
        });
    }

    /** Ends captures that no agent took within the wait: Error / AgentStopped / AgentUnavailable. */
    public void expireUnclaimed() {
        Instant cutoff = clock.instant().minus(settings.agentWait());
        for (Capture c : repo.unclaimedBefore(db, cutoff)) {
            if (!FleetCaptures.isFleet(c)) expire(c);
        }
    }

    /**
     * {@code c} as a reader must see it: expired first when no agent took it within the agent wait.
     * Requests apply expiry to the captures they read (no table scan per request); the sweeper applies
     * it to all once a second.
     */
    private Capture expiredIfStale(Capture c) {
        if (FleetCaptures.isFleet(c)) return c; // no agent takes a fleet capture: its instances expire each on their own
        if (!c.unclaimed() || !c.createdAt().isBefore(clock.instant().minus(settings.agentWait()))) return c;
        expire(c);
        return repo.findByKey(db, c.key()).orElse(c);
    }

    private void expire(Capture c) {
        db.inTransaction(h -> {
            Capture locked = repo.lockByKey(h, c.key()).orElseThrow();
            if (!locked.unclaimed()) return null;
            repo.updateState(h, locked.expiredUnclaimed("No netwatcher agent for " + c.order().captureId().replaceAll("/packetCaptures/.*", "")
                    + "'s target took the capture within " + settings.agentWait().toSeconds() + " s: the VM's agent is not connected."));
            computeRepo.bumpGeneration(h, locked.vmKey());
            LOG.atWarn().addKeyValue("capture", c.id()).addKeyValue("vm", c.vmKey()).addKeyValue("reason", StopReason.AgentUnavailable)
                    .log("capture failed: no agent took it within {} s", settings.agentWait().toSeconds());
            return null;
        });
        repo.findByKey(db, c.key()).ifPresent(fleet::afterInstanceChange); // an instance of a fleet: its merge may be due now
    }

    /** The ARM id of the capture with internal key {@code key} (deleted ones too), for authorizing polls of its operations. */
    public Optional<String> resourceOfKey(String key) {
        return repo.findByKey(db, key).map(c -> c.id().toString());
    }

    /** Resolves capture.create: done when the agent took the capture, failed when it could not. */
    public OperationResolver createResolver() {
        return new OperationResolver() {
            @Override
            public Optional<Outcome> resolve(netwatcher.controller.operations.Operation op) {
                return resolveCreate(op);
            }

            @Override
            public Optional<Duration> expectedRemaining(netwatcher.controller.operations.Operation op) {
                return Optional.of(remainingOfAgentTurn(op.createdAt()));
            }
        };
    }

    private Optional<OperationResolver.Outcome> resolveCreate(netwatcher.controller.operations.Operation op) {
        Optional<Capture> c = repo.findByKey(db, op.targetKey()).map(this::expiredIfStale);
        if (c.isEmpty()) return Optional.of(new OperationResolver.Failure(ArmErrorCode.NotFound.error("The capture was deleted.")));
        if (FleetCaptures.isFleet(c.get())) {
            List<Capture> instances = fleet.instancesOf(db, c.get());
            return switch (fleet.provisioning(instances)) {
                case Succeeded -> Optional.of(new OperationResolver.Success(200, Json.writeString(CaptureRoutes.render(c.get(), this))));
                case Failed -> Optional.of(new OperationResolver.Failure(ArmErrorCode.PacketCaptureFailed.error(fleet.failure(instances))));
                default -> Optional.empty();
            };
        }
        return switch (c.get().provisioningState()) {
            case Succeeded -> Optional.of(new OperationResolver.Success(200, Json.writeString(CaptureRoutes.render(c.get(), this))));
            case Failed -> Optional.of(new OperationResolver.Failure(ArmErrorCode.PacketCaptureFailed.error(
                    c.get().message() == null ? "The packet capture failed to start (" + c.get().stopReason() + ")." : c.get().message())));
            default -> Optional.empty();
        };
    }

    /**
     * Resolves capture.stop: done when the capture is stopped, or when its agent is away (it stops on
     * return). The final answer is 200 without a body: PacketCaptures_Stop lists only 200 and 202.
     */
    public OperationResolver stopResolver() {
        return new OperationResolver() {
            @Override
            public Optional<Outcome> resolve(netwatcher.controller.operations.Operation op) {
                return agentConfirmed(op.targetKey()) ? Optional.of(new Success(200, null)) : Optional.empty();
            }

            @Override
            public Optional<Duration> expectedRemaining(netwatcher.controller.operations.Operation op) {
                // recorded only after the request waited CONFIRM_WAIT in vain: the agent's turn is over
                return Optional.of(remainingOfAgentTurn(op.createdAt().minus(CONFIRM_WAIT)));
            }
        };
    }

    /**
     * Resolves capture.delete: done (204, as PacketCaptures_Delete lists) when the agent confirmed that
     * the capture stopped, its agent is away, or {@link #DELETE_CONFIRM_LIMIT} has passed.
     */
    public OperationResolver deleteResolver() {
        return new OperationResolver() {
            @Override
            public Optional<Outcome> resolve(netwatcher.controller.operations.Operation op) {
                boolean done = agentConfirmed(op.targetKey()) || !clock.instant().isBefore(op.createdAt().plus(DELETE_CONFIRM_LIMIT));
                return done ? Optional.of(new Success(204, null)) : Optional.empty();
            }

            @Override
            public Optional<Duration> expectedRemaining(netwatcher.controller.operations.Operation op) {
                return Optional.of(remainingOfAgentTurn(op.createdAt().minus(CONFIRM_WAIT)));
            }
        };
    }

    /**
     * Whether nothing of capture {@code key} still runs on its host as far as the controller knows:
     * gone, ended (an agent reports a capture it never started as Stopped too), settled, or its agent
     * is away (it stops the capture on return).
     */
    private boolean agentConfirmed(String key) {
        Optional<Capture> c = repo.findByKey(db, key);
        if (c.isPresent() && FleetCaptures.isFleet(c.get())) {
            return repo.listAllOf(db, c.get().key()).stream().allMatch(i -> agentConfirmed(i.key()));
        }
        return c.isEmpty() || c.get().terminal() || c.get().finalState() || !presence.of(c.get().vmKey()).connected();
    }

    /** What is left of an agent's usual turn for work asked for at {@code since}; a full second once that has passed. */
    private Duration remainingOfAgentTurn(Instant since) {
        Duration left = TYPICAL_AGENT_TURN.minus(Duration.between(since, clock.instant()));
        return left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left;
    }

    /** Mutable copy of a capture's state columns, for {@link #with}. */

}
