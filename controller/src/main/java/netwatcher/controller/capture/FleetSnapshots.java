package netwatcher.controller.capture;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.capture.merge.MergeInput;
import netwatcher.controller.capture.merge.MergeResult;
import netwatcher.controller.capture.merge.PcapMerger;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.compute.ComputeRepository;
import netwatcher.controller.db.Database;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.agent.SnapshotReport;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of fleet captures ({@code targetType: AzureVMSS}; docs/captures.md "Snapshots of a scale-set capture"): the
 * fleet's snapshot is a row of its own, and each instance the capture runs on gets a <em>cut</em>, an ordinary snapshot
 * of its instance capture that its agent takes exactly as for a single VM (order, cut, upload, report). An instance that
 * cannot be asked (its capture does not run, its agent is not connected, its files do not cover the window) gets a cut
 * that is failed at once with the reason, so the result lists every instance. Once every cut is final, the stored cuts
 * are merged ({@link PcapMerger}, the fleet merge's inputs: one interface block per host interface {@code vm/eth0}, the
 * host in its comment) into {@code <fleet folder>/snapshots/<id>.pcapng}, and the fleet's snapshot succeeds; none stored
 * fails it {@code FleetSnapshotEmpty}.
 *
 * <p>Durable: every state is in the database. A cut whose capture ends, or whose agent has been away for the agent wait
 * (the rule the fleet's instances follow), fails with that reason, a fleet snapshot older than {@link SnapshotService#OPERATION_TIMEOUT} fails {@code OperationTimedOut},
 * and the merge is leased ({@link #MERGE_LEASE}) to one controller run: a run that stopped mid-merge leaves a lease that
 * expires, and the sweep ({@link #advanceAll}, each second on the leader) or the next poll merges again (writes are atomic,
 * so a merged file already there is complete and is taken as it is). Thread-safe: state is in the database; merges run on
 * virtual threads, one per snapshot at a time in each controller.
 */
final class FleetSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSnapshots.class);
    /** How long a merge is leased to the run that started it before another run may take it over. */
    static final Duration MERGE_LEASE = Duration.ofSeconds(60);
    /** The error code of a fleet snapshot no instance contributed a cut to. */
    static final String EMPTY = "FleetSnapshotEmpty";
    /** Cuts by instance id (numbers: shorter first, then as text). */
    private static final Comparator<Snapshot> BY_INSTANCE = Comparator.comparing((Snapshot c) -> c.part().instanceId().length())
            .thenComparing(c -> c.part().instanceId());

    private final SnapshotService snapshots;
    private final CaptureService captures;
    private final CaptureRepository captureRepo;
    private final SnapshotRepository repo;
    private final StorageService storage;
    private final ComputeRepository computeRepo;
    private final AgentPresence presence;
    private final Database db;
    private final Clock clock;
    private final Consumer<String> changed;
    private final Set<String> merging = ConcurrentHashMap.newKeySet();
    /** This controller run: the owner of the merge leases it takes. */
    private final String run = "run-" + UUID.randomUUID();
    /** When this run began: an agent counts as heard of no earlier (presence is not kept across restarts). */
    private final Instant runStart;

    /** The parts it works with: the snapshot feature's (repository, listeners) and the capture feature's. */
    record Parts(SnapshotService snapshots, CaptureService captures, SnapshotRepository repo, SnapshotService.Parts capture,
                 Consumer<String> changed) {}

    FleetSnapshots(Parts parts) {
        this.snapshots = parts.snapshots();
        this.captures = parts.captures();
        this.captureRepo = parts.capture().captureRepo();
        this.computeRepo = parts.capture().computeRepo();
        this.presence = parts.capture().presence();
        this.repo = parts.repo();
        this.storage = parts.capture().storage();
        this.db = captures.database();
        this.clock = captures.clock();
        this.changed = parts.changed();
        this.runStart = clock.instant();
    }

    /** The blob path of a fleet snapshot's merged file: {@code <fleet folder>/snapshots/<id>.pcapng}, beside {@code merged.pcapng}. */
    static String blobPath(Capture fleet, String snapshotId) {
        String merged = fleet.storage().blobPath();
        return merged.substring(0, merged.lastIndexOf('/') + 1) + SnapshotService.FOLDER + "/" + snapshotId + ".pcapng";
    }

    /** Its storage URL, beside the fleet's {@code mergedStoragePath}. */
    private static String storageUrl(Capture fleet, String snapshotId) {
        Object merged = fleet.properties().get("mergedStoragePath");
        if (merged == null) return null;
        String m = merged.toString();
        return m.substring(0, m.lastIndexOf('/') + 1) + SnapshotService.FOLDER + "/" + snapshotId + ".pcapng";
    }

    /**
     * Records fleet snapshot of {@code fleet} and one cut per instance, ordering the cuts from the instances that can
     * take them. Refused, changing nothing, when the capture stores no file (the merged file goes to its storage
     * account), does not run, has a snapshot being cut, or no instance can be asked.
     */
    Snapshot request(Capture fleet, SnapshotRequest window, Instant now) {
        String name = fleet.id().name();
        if (fleet.storage() == null) {
            throw ArmErrorCode.UnsupportedFeature.exception("Packet capture '" + name + "' runs on a scale set and stores no"
                    + " file in a storage account (storageLocation has no storageId): a scale-set snapshot is one merged file in"
                    + " the capture's storage account.", "properties.storageLocation.storageId");
        }
        List<Capture> instances = captures.fleet().instancesOf(db, fleet);
        String id = "s-" + UUID.randomUUID();
        List<Snapshot> cuts = new ArrayList<>();
        List<ArmException> windowRefusals = new ArrayList<>();
        for (Capture instance : instances) {
            String cutId = "s-" + UUID.randomUUID();
            SnapshotReport running = new SnapshotReport(cutId, instance.key(), SnapshotReport.State.Running, 0, 0, null, null, null, null, null);
            Snapshot cut = new Snapshot(cutId, instance.key(), instance.vmKey(), window, now, null, running,
                    Snapshot.Part.cutOf(id, instance.id().name()));
            String[] refused = refusal(instance, window, now, windowRefusals);
            cuts.add(refused == null ? cut : cut.finished(new SnapshotReport(cutId, instance.key(), SnapshotReport.State.Failed, 0, 0,
                    null, null, null, refused[0], refused[1]), now));
        }
        if (cuts.stream().noneMatch(Snapshot::running)) {
            if (!windowRefusals.isEmpty()) throw windowRefusals.getFirst(); // the running instances' files do not cover it
            throw ArmErrorCode.Conflict.exception("No instance of packet capture '" + name + "' can cut a snapshot now: "
                    + reasons(cuts) + ".", "name");
        }
        SnapshotReport running = new SnapshotReport(id, fleet.key(), SnapshotReport.State.Running, 0, 0, null, null, null, null, null);
        Snapshot s = new Snapshot(id, fleet.key(), fleet.vmKey(), window, now, null, running, new Snapshot.Part(true, null, null));
        db.inTransaction(h -> {
            Capture locked = captureRepo.lockByKey(h, fleet.key()).orElseThrow(() -> CaptureService.notFound(fleet.id()));
            CaptureStatus status = locked.stopRequested() || locked.terminal() ? CaptureStatus.Stopped
                    : captures.fleet().aggregate(captures.fleet().instancesOf(h, locked));
            SnapshotRequest.requireSnapshottable(name, status, repo.countRunning(h, fleet.key()));
            repo.insert(h, s);
            for (Snapshot cut : cuts) {
                repo.insert(h, cut.running() ? cut : cut.finished(new SnapshotReport(cut.id(), cut.captureKey(),
                        SnapshotReport.State.Running, 0, 0, null, null, null, null, null), null));
                if (cut.running()) {
                    computeRepo.bumpGeneration(h, cut.vmKey());
                } else {
                    repo.finish(h, cut.id(), cut.result(), now);
                }
            }
            return null;
        });
        for (Snapshot cut : cuts) if (cut.running()) presence.signal(cut.vmKey());
        LOG.atInfo().addKeyValue("capture", fleet.id()).addKeyValue("snapshot", id).addKeyValue("from", window.from())
                .addKeyValue("to", window.to()).addKeyValue("instances", cuts.stream().filter(Snapshot::running).count())
                .log("fleet snapshot requested");
        return s;
    }

    /** Why instance capture {@code c} cannot take a cut now (code, message), or null when it can. */
    private String[] refusal(Capture c, SnapshotRequest window, Instant now, List<ArmException> windowRefusals) {
        if (c.finalState() || c.terminal() || c.stopRequested() || c.status() != CaptureStatus.Running) {
            return new String[] {"CaptureNotRunning", "the instance's capture is " + captures.visibleStatus(c)
                    + (c.stopReason() == null ? "" : " (" + c.stopReason() + ")") + ", not running"};
        }
        if (!captures.agentConnected(c.vmKey())) {
            return new String[] {"AgentUnavailable", "the instance's agent is not connected: reported, not waited for"};
        }
        try {
            SnapshotService.checkWindow(c, window, now);
        } catch (ArmException e) {
            windowRefusals.add(e);
            return new String[] {"WindowNotCovered", e.error().message()};
        }
        return null;
    }

    /** The cuts of fleet snapshot {@code id}, by instance id. */
    private List<Snapshot> cutsOf(String id) {
        List<Snapshot> cuts = new ArrayList<>(repo.cutsOf(db, id));
        cuts.sort(BY_INSTANCE);
        return cuts;
    }

    /** "instance 0 (db): message; ..." for the cuts that failed. */
    private String reasons(List<Snapshot> unordered) {
        List<Snapshot> cuts = new ArrayList<>(unordered);
        cuts.sort(BY_INSTANCE);
        List<String> parts = new ArrayList<>();
        for (Snapshot cut : cuts) {
            if (cut.result().state() != SnapshotReport.State.Failed) continue;
            parts.add("instance " + cut.part().instanceId() + " (" + vmName(cut) + "): " + cut.result().errorCode()
                    + (cut.result().message() == null ? "" : " — " + cut.result().message()));
        }
        return String.join("; ", parts);
    }

    private String vmName(Snapshot cut) {
        return captureRepo.findByKey(db, cut.captureKey()).map(FleetCaptures::vmName).orElse(cut.vmKey());
    }

    /** The sweep's share (each second, on the leader): advances every running fleet snapshot. */
    void advanceAll() {
        for (String id : repo.runningFleetSnapshots(db)) {
            try {
                advance(id);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("snapshot", id).log("fleet snapshot not advanced: {}", e.toString());
            }
        }
    }

    /**
     * Moves fleet snapshot {@code id} on: fails the cuts whose agent went away or whose capture ended, fails the whole
     * after {@link SnapshotService#OPERATION_TIMEOUT}, and once every cut is final fails it {@link #EMPTY} (none stored)
     * or starts the merge here if its lease is free.
     */
    void advance(String id) {
        Optional<Snapshot> found = repo.find(db, id);
        if (found.isEmpty() || !found.get().running() || !found.get().part().fleet()) return;
        Snapshot s = found.get();
        Instant now = clock.instant();
        boolean timedOut = Duration.between(s.requestedAt(), now).compareTo(SnapshotService.OPERATION_TIMEOUT) > 0;
        boolean waiting = false;
        for (Snapshot cut : cutsOf(id)) {
            if (!cut.running()) continue;
            Optional<SnapshotReport> failure = timedOut
                    ? Optional.of(failure(cut, "OperationTimedOut", "the instance's agent did not report its cut within "
                            + SnapshotService.OPERATION_TIMEOUT.toMinutes() + " minutes"))
                    : stuck(cut, now);
            if (failure.isEmpty()) {
                waiting = true;
                continue;
            }
            finish(cut.id(), failure.get());
        }
        if (waiting) return;
        if (timedOut) {
            finish(id, failure(s, "OperationTimedOut", "the merge of the instances' cuts did not end within "
                    + SnapshotService.OPERATION_TIMEOUT.toMinutes() + " minutes"));
            return;
        }
        List<Snapshot> cuts = cutsOf(id);
        if (cuts.stream().noneMatch(c -> c.result().state() == SnapshotReport.State.Succeeded)) {
            finish(id, failure(s, EMPTY, "No instance contributed a cut: " + reasons(cuts) + "."));
            return;
        }
        if (!db.inTransaction(h -> repo.leaseMerge(h, id, run, now.plus(MERGE_LEASE), now))) return;
        if (!merging.add(id)) return;
        Thread.ofVirtual().name("nw-snapshot-merge-" + id).start(() -> {
            try {
                merge(s, cuts);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("snapshot", id).log("fleet snapshot merge failed to run: {}", e.toString());
            } finally {
                merging.remove(id);
            }
        });
    }

    /**
     * Why running cut {@code cut} will not come: its instance's capture ended (AgentUnavailable when it was given up for
     * its agent), or its agent has been away for the controller's agent wait (the rule a fleet capture's instances
     * follow: reported, not waited for longer; counted from its last contact, the request, or this controller run's
     * start, since presence is not kept across restarts). Empty while it may still come.
     */
    private Optional<SnapshotReport> stuck(Snapshot cut, Instant now) {
        Optional<Capture> c = captureRepo.findByKey(db, cut.captureKey());
        if (c.isEmpty() || c.get().terminal() || c.get().finalState()) {
            boolean lost = c.isPresent() && (c.get().stopReason() == StopReason.AgentLost || c.get().stopReason() == StopReason.AgentUnavailable);
            return Optional.of(lost ? failure(cut, "AgentUnavailable", "the instance's agent went away (" + c.get().stopReason()
                    + ") before it reported its cut") : failure(cut, "CaptureNotRunning", "the instance's capture ended before its agent cut the window"));
        }
        if (captures.agentConnected(cut.vmKey())) return Optional.empty();
        Instant heard = cut.requestedAt().isAfter(runStart) ? cut.requestedAt() : runStart;
        Instant seen = captures.agentLastSeen(cut.vmKey());
        if (seen != null && seen.isAfter(heard)) heard = seen;
        Duration wait = captures.settings().agentWait();
        if (Duration.between(heard, now).compareTo(wait) < 0) return Optional.empty();
        return Optional.of(failure(cut, "AgentUnavailable", "the instance's agent has not been connected for "
                + wait.toSeconds() + " s (the controller's agent wait) since " + heard + ": reported, not waited for"));
    }

    private static SnapshotReport failure(Snapshot s, String code, String message) {
        return new SnapshotReport(s.id(), s.captureKey(), SnapshotReport.State.Failed, 0, 0, null, null, null, code, message);
    }

    /** Records {@code r} on snapshot {@code id} if it still runs, and tells the listeners. */
    private void finish(String id, SnapshotReport r) {
        boolean done = db.inTransaction(h -> {
            Optional<Snapshot> locked = repo.lock(h, id);
            if (locked.isEmpty() || !locked.get().running()) return false;
            repo.finish(h, id, r, clock.instant());
            return true;
        });
        if (done) {
            LOG.atInfo().addKeyValue("snapshot", id).addKeyValue("state", r.state()).addKeyValue("code", r.errorCode())
                    .addKeyValue("packets", r.packets()).log("fleet snapshot part finished");
            changed.accept(id);
        }
    }

    /** Merges the stored cuts into the fleet snapshot's file and records the result (success, or the merge's failure). */
    private void merge(Snapshot s, List<Snapshot> cuts) {
        Capture fleet = captureRepo.findByKey(db, s.captureKey()).orElse(null);
        if (fleet == null || fleet.storage() == null) {
            finish(s.id(), failure(s, "SnapshotFailed", "the fleet capture or its storage location is gone"));
            return;
        }
        List<Snapshot> stored = cuts.stream().filter(c -> c.result().state() == SnapshotReport.State.Succeeded).toList();
        String path = blobPath(fleet, s.id());
        long started = System.nanoTime();
        try {
            StorageAccount account = storage.findByKey(fleet.storage().accountKey())
                    .orElseThrow(() -> new IOException("storage account " + fleet.storage().accountKey() + " is not configured"));
            if (!storage.exists(account, path)) { // there already: an earlier run's complete file (writes are atomic)
                List<MergeInput> inputs = new ArrayList<>();
                for (Snapshot cut : stored) {
                    Capture instance = captureRepo.findByKey(db, cut.captureKey())
                            .orElseThrow(() -> new IOException("instance capture " + cut.captureKey() + " is gone"));
                    inputs.add(captures.fleet().merges().inputOf(instance, account, SnapshotService.blobPath(instance, cut.id())));
                }
                String section = "netwatcher snapshot " + s.id() + " of " + fleet.id() + ", " + s.window().from() + " to "
                        + s.window().to() + ": " + stored.size() + " of " + cuts.size() + " instances"
                        + (stored.size() == cuts.size() ? "" : "; not in this file: " + reasons(cuts));
                storage.writeNew(account, path, "snapshot-" + s.id(), out -> {
                    MergeResult r = PcapMerger.merge(inputs, out, section);
                    LOG.atDebug().addKeyValue("snapshot", s.id()).addKeyValue("packets", r.packets()).log("fleet snapshot cuts merged");
                });
            }
            long bytes = storage.readBack(account, path).map(StorageService.StoredObject::bytes)
                    .orElseThrow(() -> new IOException("the merged snapshot " + path + " vanished after it was written"));
            long packets = stored.stream().mapToLong(c -> c.result().packets()).sum(); // the merge keeps every packet of every cut
            Instant first = stored.stream().map(c -> c.result().firstPacket()).filter(t -> t != null).min(Instant::compareTo).orElse(null);
            Instant last = stored.stream().map(c -> c.result().lastPacket()).filter(t -> t != null).max(Instant::compareTo).orElse(null);
            finish(s.id(), new SnapshotReport(s.id(), s.captureKey(), SnapshotReport.State.Succeeded, packets, bytes, first, last,
                    storageUrl(fleet, s.id()), null, null));
            LOG.atInfo().addKeyValue("capture", fleet.id()).addKeyValue("snapshot", s.id()).addKeyValue("instances", stored.size())
                    .addKeyValue("packets", packets).addKeyValue("bytes", bytes)
                    .addKeyValue("mergeMs", (System.nanoTime() - started) / 1_000_000).log("fleet snapshot stored");
        } catch (IOException | RuntimeException e) {
            String cause = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.atWarn().addKeyValue("snapshot", s.id()).log("cannot merge the fleet snapshot's cuts: {}", cause);
            finish(s.id(), failure(s, "MergeFailed", "the instances' cuts were stored but could not be merged: " + cause
                    + "; each instance's cut is in the storage account (instances[].storagePath)"));
        }
    }

    /** The per-instance results of fleet snapshot {@code s}: instance, VM, state, and its packets or why it has none. */
    List<Map<String, Object>> instances(Snapshot s) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Snapshot cut : cutsOf(s.id())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instanceId", cut.part().instanceId());
            m.put("virtualMachine", vmName(cut));
            Map<String, Object> r = cut.render();
            for (String k : List.of("state", "finishedTime", "packets", "bytes", "firstPacketTime", "lastPacketTime", "storagePath", "error")) {
                if (r.containsKey(k)) m.put(k, r.get(k));
            }
            out.add(m);
        }
        return out;
    }
}
