package netwatcher.controller.capture;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import netwatcher.controller.db.Database;
import netwatcher.controller.operations.Operation;
import netwatcher.controller.operations.OperationResolver;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.SnapshotOrder;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.agent.UploadTarget;
import netwatcher.model.capture.CaptureStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of running captures (docs/captures.md "Snapshots"): a validated {@link SnapshotRequest} becomes a row of
 * {@code nw_capture_snapshot} and an order to the capture's agent (its orders' generation bumped and its long-poll woken,
 * as for a stop); the agent cuts the window out of the capture's files, uploads it to
 * {@code <capture's storage folder>/snapshots/<id>.cap} and reports; the report finishes the row, and the operation
 * ({@link #OP_SNAPSHOT}) with it. Every state is in the database, so any controller of a cluster takes the request, the
 * agent's upload, its report or a poll.
 *
 * <p>Thread-safety: thread-safe; each change runs in one transaction, the capture's row locked so that two requests
 * cannot both pass the one-at-a-time rule ({@link SnapshotRequest#MAX_RUNNING_PER_CAPTURE}).
 */
public final class SnapshotService {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);
    /** The operation kind of a snapshot; its target key is the snapshot's id. */
    public static final String OP_SNAPSHOT = "capture.snapshot";
    /** How long a snapshot's operation waits for its agent before it fails {@code OperationTimedOut}. */
    public static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(10);
    /** The storage folder of a capture's snapshots, under its own folder ({@link CaptureService#ringDirectory}). */
    public static final String FOLDER = "snapshots";

    private final Database db;
    private final CaptureService captures;
    private final CaptureRepository captureRepo;
    private final SnapshotRepository repo = new SnapshotRepository();
    private final ComputeRepository computeRepo;
    private final StorageService storage;
    private final AgentPresence presence;
    private final Clock clock;
    private final List<Consumer<String>> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final FleetSnapshots fleet;

    /** The capture feature's parts a snapshot works with. */
    record Parts(Database db, CaptureRepository captureRepo, ComputeRepository computeRepo, StorageService storage,
                 AgentPresence presence, Clock clock) {}

    SnapshotService(CaptureService captures, Parts parts) {
        this.captures = captures;
        this.db = parts.db();
        this.captureRepo = parts.captureRepo();
        this.computeRepo = parts.computeRepo();
        this.storage = parts.storage();
        this.presence = parts.presence();
        this.clock = parts.clock();
        this.fleet = new FleetSnapshots(new FleetSnapshots.Parts(this, captures, repo, parts, this::changed));
    }

    private void changed(String snapshotId) {
        for (Consumer<String> l : changeListeners) l.accept(snapshotId);
    }

    /** The sweep's share (each second, on the leader): fleet snapshots are moved on ({@link FleetSnapshots#advanceAll}). */
    public void advanceFleetSnapshots() { fleet.advanceAll(); }

    /** Calls {@code listener} with a snapshot's id once its final report was recorded (for requests waiting on it). */
    public void onChange(Consumer<String> listener) { changeListeners.add(listener); }

    /**
     * Validates and records a snapshot of capture {@code id}, and orders it from the capture's agent. Refusals change
     * nothing: no row, no order.
     */
    public Snapshot request(ArmResourceId id, byte[] body) {
        Instant now = clock.instant();
        SnapshotRequest window = SnapshotRequest.parse(body, now);
        Capture c = captures.require(id);
        if (FleetCaptures.isFleet(c)) return fleet.request(c, window, now);
        requireAgent(c, id.name());
        checkWindow(c, window, now);
        String snapshotId = "s-" + UUID.randomUUID();
        Snapshot s = new Snapshot(snapshotId, c.key(), c.vmKey(), window, now, null,
                new SnapshotReport(snapshotId, c.key(), SnapshotReport.State.Running, 0, 0, null, null, null, null, null),
                Snapshot.Part.SINGLE);
        db.inTransaction(h -> {
            Capture locked = captureRepo.lockByKey(h, c.key()).orElseThrow(() -> CaptureService.notFound(id));
            CaptureStatus status = locked.stopRequested() || locked.terminal() ? CaptureStatus.Stopped : captures.visibleStatus(locked);
            SnapshotRequest.requireSnapshottable(id.name(), status, repo.countRunning(h, c.key()));
            repo.insert(h, s);
            computeRepo.bumpGeneration(h, c.vmKey());
            return null;
        });
        presence.signal(c.vmKey());
        LOG.atInfo().addKeyValue("capture", c.id()).addKeyValue("snapshot", snapshotId).addKeyValue("from", window.from())
                .addKeyValue("to", window.to()).log("snapshot requested");
        return s;
    }

    /** A running capture whose agent is away cannot be cut now: say so, naming the cause. */
    private void requireAgent(Capture c, String name) {
        if (c.status() == CaptureStatus.Running && !c.stopRequested() && !captures.agentConnected(c.vmKey())) {
            throw ArmErrorCode.AgentStopped.exception("The netwatcher agent of packet capture '" + name + "''s VM is not"
                    + " connected, so nothing can cut its files now; the capture's status shows Unknown until it is back.", "name");
        }
    }

    /**
     * Refuses a window that holds nothing the capture's files hold as of its last report: wholly before its oldest
     * packet (a ring replaced those files). A window after the last reported packet is not refused here, since the capture
     * runs and its report is up to a report interval old; the agent checks the files themselves.
     */
    static void checkWindow(Capture c, SnapshotRequest window, Instant now) {
        CaptureReport r = c.report();
        if (r == null) return;
        Instant from = r.ring() != null ? r.ring().coveredFrom() : r.firstPacketTime();
        if (from != null) window.requireCovered(from, now);
    }

    /** The snapshots of capture {@code c}, oldest first, rendered. */
    public List<Map<String, Object>> rendered(Capture c) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Snapshot s : repo.ofCapture(db, c.key())) out.add(render(s));
        return out;
    }

    /** A snapshot's extension JSON; a fleet snapshot's with its per-instance results ({@code instances}). */
    private Map<String, Object> render(Snapshot s) {
        Map<String, Object> m = s.render();
        if (s.part().fleet()) m.put("instances", fleet.instances(s));
        return m;
    }

    /** The snapshots a VM's agent must still cut or report, with where each goes (as reachable from {@code controllerBase}). */
    public List<SnapshotOrder> ordersFor(String vmKey, String controllerBase) {
        List<SnapshotOrder> out = new ArrayList<>();
        for (Snapshot s : repo.runningOnVm(db, vmKey)) {
            Capture c = captureRepo.findByKey(db, s.captureKey()).orElse(null);
            if (c == null) continue;
            out.add(new SnapshotOrder(s.id(), s.captureKey(), s.window().from(), s.window().to(), upload(c, s.id(), controllerBase)));
        }
        return out;
    }

    /** The blob path of a snapshot: {@code <capture's folder>/snapshots/<id>.cap}. */
    static String blobPath(Capture c, String snapshotId) {
        return CaptureService.ringDirectory(c.storage().blobPath()) + "/" + FOLDER + "/" + snapshotId + ".cap";
    }

    private UploadTarget upload(Capture c, String snapshotId, String controllerBase) {
        if (!c.uploads()) return null;
        Optional<StorageAccount> account = storage.findByKey(c.storage().accountKey());
        if (account.isEmpty()) return null;
        String blobPath = blobPath(c, snapshotId);
        String storagePath = storage.blobUrl(account.get(), controllerBase, blobPath);
        if (account.get().kind() == StorageAccount.Kind.LOCAL) {
            return new UploadTarget(UploadTarget.LOCAL, controllerBase + "/agent/v1/captures/" + c.key() + "/" + FOLDER + "/"
                    + snapshotId + ".cap", storagePath);
        }
        return new UploadTarget(UploadTarget.BLOB, storage.uploadSasUrl(account.get(), blobPath, 24), storagePath);
    }

    /**
     * Where the agent of capture {@code c} uploads snapshot file {@code name} in the controller's local account: only a
     * snapshot of that capture that is still running, under the capture's own folder.
     */
    public Optional<StorageService.LocalTarget> localTarget(Capture c, String name) {
        if (name == null || !name.matches(SnapshotOrder.ID_PATTERN + "\\.cap") || !c.uploads()) return Optional.empty();
        String snapshotId = name.substring(0, name.length() - ".cap".length());
        Optional<Snapshot> s = repo.find(db, snapshotId).filter(x -> x.captureKey().equals(c.key()) && x.running());
        if (s.isEmpty()) return Optional.empty();
        return storage.findByKey(c.storage().accountKey()).filter(a -> a.kind() == StorageAccount.Kind.LOCAL)
                .map(a -> new StorageService.LocalTarget(a, blobPath(c, snapshotId), owner(snapshotId)));
    }

    private static String owner(String snapshotId) { return "snapshot-" + snapshotId; }

    /** Applies an agent's report on a snapshot of its own VM's capture: the first final one finishes it. */
    public void applyReport(String vmKey, SnapshotReport r) {
        if (!r.state().isFinal()) return;
        Optional<Snapshot> finished = db.inTransaction(h -> {
            Optional<Snapshot> s = repo.lock(h, r.id());
            if (s.isEmpty()) return Optional.<Snapshot>empty();
            if (!s.get().vmKey().equals(vmKey) || !s.get().captureKey().equals(r.captureKey())) {
                throw ArmErrorCode.AuthorizationFailed.exception("Snapshot " + r.id() + " is not one of this agent's.");
            }
            if (!s.get().running()) return Optional.<Snapshot>empty();
            repo.finish(h, r.id(), r, clock.instant());
            return s;
        });
        if (finished.isEmpty()) return;
        LOG.atInfo().addKeyValue("snapshot", r.id()).addKeyValue("capture", r.captureKey()).addKeyValue("state", r.state())
                .addKeyValue("packets", r.packets()).addKeyValue("code", r.errorCode())
                .addKeyValue("ms", Duration.between(finished.get().requestedAt(), clock.instant()).toMillis()).log("snapshot finished");
        captureRepo.findByKey(db, r.captureKey()).flatMap(c -> c.uploads() ? storage.findByKey(c.storage().accountKey()) : Optional.empty())
                .filter(a -> a.kind() == StorageAccount.Kind.LOCAL).ifPresent(a -> {
                    try {
                        storage.forgetPartial(a, owner(r.id()));
                    } catch (java.io.IOException e) {
                        LOG.atDebug().addKeyValue("snapshot", r.id()).log("partial upload not forgotten: {}", e.getMessage());
                    }
                });
        changed(r.id());
        if (finished.get().part().parentId() != null) fleet.advance(finished.get().part().parentId());
    }

    /** Removes the snapshots of captures whose tombstones are collected. */
    void collectTombstones(netwatcher.controller.db.SqlOperations h) { repo.collectTombstones(h); }

    /** The ARM id of the capture a snapshot cuts, for authorizing polls of its operation. */
    public Optional<String> resourceOf(String snapshotId) {
        return repo.find(db, snapshotId).flatMap(s -> captures.resourceOfKey(s.captureKey()));
    }

    /**
     * Resolves {@link #OP_SNAPSHOT}: 200 with the snapshot once its agent reported it stored; failed with the agent's
     * cause, or when the agent went away or the capture ended before the snapshot was cut (recorded, so GET says so).
     */
    public OperationResolver resolver() {
        return new OperationResolver() {
            @Override
            public Optional<Outcome> resolve(Operation op) {
                return outcome(op.targetKey());
            }

            @Override
            public Optional<Duration> expectedRemaining(Operation op) {
                Duration left = Duration.ofMillis(500).minus(Duration.between(op.createdAt(), clock.instant()));
                return Optional.of(left.isNegative() || left.isZero() ? Duration.ofMillis(250) : left);
            }
        };
    }

    private Optional<OperationResolver.Outcome> outcome(String snapshotId) {
        Optional<Snapshot> found = repo.find(db, snapshotId);
        if (found.isEmpty()) return Optional.of(new OperationResolver.Failure(ArmErrorCode.NotFound.error("The snapshot is gone.")));
        Snapshot s = found.get();
        if (s.running() && s.part().fleet()) {
            fleet.advance(snapshotId);
            s = repo.find(db, snapshotId).orElse(s);
            if (s.running()) return Optional.empty();
        }
        if (s.running()) {
            Optional<SnapshotReport> failure = stuck(s);
            if (failure.isEmpty()) return Optional.empty();
            db.inTransaction(h -> {
                repo.finish(h, snapshotId, failure.get(), clock.instant());
                return null;
            });
            s = repo.find(db, snapshotId).orElse(s);
            if (s.running()) return Optional.empty();
        }
        if (s.result().state() == SnapshotReport.State.Succeeded) {
            return Optional.of(new OperationResolver.Success(200, Json.writeString(render(s))));
        }
        return Optional.of(new OperationResolver.Failure(error(s)));
    }

    /**
     * The failure of running snapshot {@code s} that can no longer be cut: its capture ended, or its agent went away before
     * it reported; empty while it may still come.
     */
    Optional<SnapshotReport> stuck(Snapshot s) {
        Optional<Capture> c = captureRepo.findByKey(db, s.captureKey());
        String code;
        String why;
        if (c.isEmpty() || c.get().terminal() || c.get().finalState()) {
            code = "CaptureNotRunning";
            why = "The capture ended before its agent cut the snapshot.";
        } else if (!presence.of(s.vmKey()).connected()) {
            code = "AgentUnavailable";
            why = "The capture's agent went away before it reported the snapshot.";
        } else {
            return Optional.empty();
        }
        return Optional.of(new SnapshotReport(s.id(), s.captureKey(), SnapshotReport.State.Failed, 0, 0, null, null, null, code, why));
    }

    /** The ARM error of a failed snapshot: the agent's cause, with the field it concerns. */
    static ArmError error(Snapshot s) {
        String message = s.result().message() == null ? "The snapshot failed." : s.result().message();
        String windowField = s.window().lastSeconds() > 0 ? "lastSeconds" : "from";
        return switch (s.result().errorCode()) {
            case "DiskSpaceLow" -> ArmErrorCode.DiskSpaceLow.error(message, "name");
            case "WindowNotCovered" -> ArmErrorCode.InvalidParameter.error(message, windowField);
            case "CaptureNotRunning" -> ArmErrorCode.Conflict.error(message, "name");
            case "AgentUnavailable" -> ArmErrorCode.AgentStopped.error(message, "name");
            case FleetSnapshots.EMPTY -> ArmErrorCode.FleetSnapshotEmpty.error(message, "name");
            case "OperationTimedOut" -> ArmErrorCode.OperationTimedOut.error(message, "name");
            case "MergeFailed" -> ArmErrorCode.SnapshotFailed.error(message, "name");
            case "UploadFailed" -> ArmErrorCode.SnapshotFailed.error("The snapshot was cut but not stored: " + message,
                    "properties.storageLocation");
            default -> ArmErrorCode.SnapshotFailed.error(message, "name");
        };
    }
}
