package netwatcher.controller.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import netwatcher.controller.capture.merge.MergeInput;
import netwatcher.controller.capture.merge.MergeResult;
import netwatcher.controller.capture.merge.PcapMerger;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.agent.RingFileReport;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merged file of a fleet capture, as durable work: due once every instance capture is final
 * ({@link CaptureRepository#markMergeDue}), started only where {@link #mergeWhen} allows (the leader in
 * cluster mode), claimed in a transaction that counts the attempt and names this controller run as its
 * owner, retried after {@link #MERGE_BACKOFF} doubling, given up ({@link MergeState#MergeFailed}) after
 * {@link #MAX_MERGE_ATTEMPTS}; an attempt owned by another run (a restarted controller, a former leader) is
 * taken over at once. It merges the files that are there: each instance's checked file, or what its ring
 * held when it ended (its newest {@code fileCount} stored files; a file set's all), and says in the file's
 * section comment and in {@code mergedFile} which instances it lacks and why. Thread-safe: state is in the
 * database; attempts run on virtual threads, one per fleet capture at a time in each controller.
 */
final class FleetMerges {
    private static final Logger LOG = LoggerFactory.getLogger(FleetMerges.class);

    /** Merge attempts before the merged file is given up ({@code MergeFailed}). */
    static final int MAX_MERGE_ATTEMPTS = 5;
    /** The wait after the first failed attempt; doubled after each further one (2, 4, 8, 16 s). */
    static final Duration MERGE_BACKOFF = Duration.ofSeconds(2);
    /** How long a started attempt holds its merge before the same run may start another (a hung store). */
    static final Duration MERGE_LEASE = Duration.ofMinutes(10);

    private final CaptureService service;
    private final CaptureRepository repo;
    private final ComputeService compute;
    private final StorageService storage;
    private final FleetCaptures fleets;
    private final Set<String> merging = ConcurrentHashMap.newKeySet();
    /** This controller run: the owner of the merge attempts it starts (another run takes over an attempt it finds). */
    private final String run = "run-" + UUID.randomUUID();
    /** Whether this controller does merge work now (the leader in cluster mode; always alone). */
    private volatile BooleanSupplier mergesHere = () -> true;

    FleetMerges(CaptureService service, CaptureRepository repo, ComputeService compute, StorageService storage, FleetCaptures fleets) {
        this.service = service;
        this.repo = repo;
        this.compute = compute;
        this.storage = storage;
        this.fleets = fleets;
    }

    /** Merge work runs here only while {@code gate} says so (cluster mode: while this controller leads). */
    void mergeWhen(BooleanSupplier gate) {
        this.mergesHere = gate;
    }

    /** The merged file's extension field (for a GET, which reads the instances itself). */
    Optional<Map<String, Object>> merged(Capture fleet) {
        if (fleet.storage() == null) return Optional.empty();
        return merged(fleet, fleets.instancesOf(service.database(), fleet));
    }

    /**
     * The merged file's extension field: where it goes, its state ({@code Waiting} for instances without a final state,
     * {@code Pending}, {@code Merging}, {@code Retrying} after a failed attempt, {@code Done}, {@code MergeFailed} after the
     * last attempt, with the cause), the attempts, and which instances' files it holds and which it does not, and why.
     */
    Optional<Map<String, Object>> merged(Capture fleet, List<Capture> instances) {
        if (fleet.storage() == null) return Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        Object url = fleet.properties().get("mergedStoragePath");
        if (url != null) m.put("storagePath", url);
        Capture.StoredFile stored = fleet.stored();
        CaptureRepository.MergeWork work = repo.mergeWork(service.database(), fleet.key());
        List<String> waiting = instances.stream().filter(c -> !c.finalState()).map(c -> c.id().name()).toList();
        MergeState state = MergeState.of(stored, work, !waiting.isEmpty());
        m.put("state", state.name());
        switch (state) {
            case Done -> {
                m.put("bytes", stored.bytes());
                m.put("fileSha256", stored.sha256());
            }
            case MergeFailed -> m.put("error", work.error() == null ? "the merge failed" : work.error());
            case Waiting -> m.put("waitingFor", waiting);
            case Retrying -> {
                m.put("error", work.error());
                if (work.dueAt() != null) m.put("nextAttemptTime", work.dueAt().toString());
            }
            case Pending, Merging -> { }
        }
        m.put("attempts", work.attempts());
        m.put("maxAttempts", MAX_MERGE_ATTEMPTS);
        if (waiting.isEmpty()) {
            List<String> in = new ArrayList<>();
            List<Map<String, Object>> missing = new ArrayList<>();
            for (Capture c : instances) {
                String why = missingReason(c);
                if (why == null) {
                    in.add(c.id().name());
                } else {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("instanceId", c.id().name());
                    x.put("virtualMachine", c.properties().get("virtualMachine"));
                    x.put("reason", c.stopReason() == null ? "NoFile" : c.stopReason().name());
                    x.put("message", why);
                    missing.add(x);
                }
            }
            m.put("instancesMerged", in);
            m.put("instancesMissing", missing);
            m.put("complete", missing.isEmpty());
        }
        return Optional.of(m);
    }

    /** Why a final instance's packets are not in the merged file, or null when its file (files) is (are) there. */
    private String missingReason(Capture c) {
        if (!inputsOf(c).isEmpty()) return null;
        String what = c.order().ring() == null ? "its capture file" : "no file of its ring";
        if (c.stopReason() == StopReason.AgentLost || c.stopReason() == StopReason.AgentUnavailable) {
            return what + " reached the storage account: " + c.stopReason() + (c.message() == null ? "" : " (" + c.message() + ")");
        }
        if (c.stored() != null && c.stored().check() == Capture.UploadCheck.MISMATCH) {
            return what + " failed the controller's check" + (c.message() == null ? "" : ": " + c.message());
        }
        return what + " is not in the storage account (" + c.status() + (c.stopReason() == null ? "" : " / " + c.stopReason())
                + (c.message() == null ? "" : ": " + c.message()) + ")";
    }

    /**
     * The stored files of an instance that the merged file reads, oldest first: its checked file; for a ring, the files
     * it held when it ended (the newest {@code fileCount} that were stored), for a file set every stored file.
     */
    private List<String> inputsOf(Capture c) {
        if (c.storage() == null) return List.of();
        if (c.order().ring() == null) return CaptureService.verifiedSha256(c) == null ? List.of() : List.of(c.storage().blobPath());
        if (c.stored() == null || c.stored().check() != Capture.UploadCheck.VERIFIED) return List.of();
        String dir = CaptureService.ringDirectory(c.storage().blobPath());
        List<String> files = service.ringFiles(c).stream()
                .filter(f -> !f.lost() && !f.open() && f.uploadState() == UploadState.DONE)
                .map(f -> dir + "/" + f.name()).toList();
        int keep = c.order().ring().continuous() ? c.order().ring().fileCount() : files.size();
        return files.subList(Math.max(0, files.size() - keep), files.size());
    }

    /**
     * The sweep's share (every 10 s on each controller): fleet captures whose instances are all final but whose merge
     * is not due yet (a controller stopped between the last instance's end and recording it, or a capture older than
     * the merge columns) are made due.
     */
    void mergeSettled() {
        for (Capture fleet : repo.fleetsAwaitingMerge(service.database())) {
            if (!FleetCaptures.isFleet(fleet) || fleet.storage() == null) continue;
            List<Capture> instances = fleets.instancesOf(service.database(), fleet);
            if (!instances.isEmpty() && instances.stream().allMatch(Capture::finalState)) {
                service.database().inTransaction(h -> {
                    repo.markMergeDue(h, fleet.key(), service.clock().instant());
                    return null;
                });
            }
        }
    }

    /** After an instance capture changed: makes its fleet's merge due once every instance is final, and starts it here if it may. */
    void afterInstanceChange(Capture instance) {
        if (!FleetCaptures.isInstance(instance)) return;
        Optional<Capture> fleet = repo.findByKey(service.database(), instance.watcherKey());
        if (fleet.isEmpty() || fleet.get().storage() == null || fleet.get().stored() != null) return;
        List<Capture> instances = fleets.instancesOf(service.database(), fleet.get());
        if (instances.isEmpty() || !instances.stream().allMatch(Capture::finalState)) return;
        service.database().inTransaction(h -> {
            repo.markMergeDue(h, fleet.get().key(), service.clock().instant());
            return null;
        });
        runDueMerges();
    }

    /** Starts every merge that is due (the leader's sweep, each second; and at once after the last instance ended). */
    void runDueMerges() {
        if (!mergesHere.getAsBoolean()) return;
        for (Capture fleet : repo.mergesDue(service.database(), service.clock().instant(), run)) {
            if (!FleetCaptures.isFleet(fleet) || fleet.storage() == null) continue;
            if (!merging.add(fleet.key())) continue;
            Thread.ofVirtual().name("nw-merge-" + fleet.key()).start(() -> {
                try {
                    attempt(fleet.key());
                } catch (RuntimeException e) {
                    LOG.atWarn().addKeyValue("capture", fleet.id()).log("merge attempt failed to run: {}", e.toString());
                } finally {
                    merging.remove(fleet.key());
                }
            });
        }
    }

    /** One attempt: claims it in the database (an attempt more, owned by this run), merges, records the result. */
    private void attempt(String key) {
        Instant now = service.clock().instant();
        Capture fleet = service.database().inTransaction(h -> {
            Capture locked = repo.lockByKey(h, key).orElse(null);
            if (locked == null || locked.stored() != null || locked.deleted()) return null;
            CaptureRepository.MergeWork work = repo.mergeWork(h, key);
            boolean takeOver = work.owner() != null && !work.owner().equals(run);
            if (work.dueAt() == null || (work.dueAt().isAfter(now) && !takeOver)) return null;
            repo.startMergeAttempt(h, key, run, now.plus(MERGE_LEASE));
            return locked;
        });
        if (fleet == null) return;
        int attempt = repo.mergeWork(service.database(), key).attempts();
        List<Capture> instances = fleets.instancesOf(service.database(), fleet);
        String failure;
        Capture.StoredFile result = null;
        try {
            result = merge(fleet, instances);
            failure = null;
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.atWarn().addKeyValue("capture", fleet.id()).addKeyValue("attempt", attempt)
                    .log("cannot merge the fleet capture's files: {}", failure);
        }
        Capture.StoredFile stored = result;
        String cause = failure;
        boolean last = attempt >= MAX_MERGE_ATTEMPTS;
        Instant next = service.clock().instant().plus(MERGE_BACKOFF.multipliedBy(1L << Math.min(20, attempt - 1)));
        service.database().inTransaction(h -> {
            Capture locked = repo.lockByKey(h, key).orElse(null);
            if (locked == null || locked.stored() != null) return null; // another run recorded it first
            if (cause == null) {
                repo.recordStored(h, key, stored);
                repo.endMergeAttempt(h, key, null, null);
            } else if (last) {
                repo.recordStored(h, key, new Capture.StoredFile(null, null, Capture.UploadCheck.MISMATCH));
                repo.endMergeAttempt(h, key, "after " + attempt + " attempts: " + cause, null);
            } else {
                repo.endMergeAttempt(h, key, "attempt " + attempt + " of " + MAX_MERGE_ATTEMPTS + ": " + cause, next);
            }
            return null;
        });
        service.changed(key);
    }

    /**
     * The merge input of {@code file}, a stored file of instance capture {@code c}: its packets on {@code vm/eth0} (the
     * VM's one NIC) or {@code vm/any}, the host, instance and VM in the interface block's comment. Fleet snapshots merge
     * their cuts with it too ({@link FleetSnapshots}).
     */
    MergeInput inputOf(Capture c, StorageAccount account, String file) {
        String vmName = FleetCaptures.vmName(c);
        List<Nic> nics = compute.nicsOf(c.vmKey());
        // the agent writes classic pcap: one NIC's frames, or several NICs' as LINUX_SLL2 (which names each packet's
        // interface itself), shown as vm/any; a ring's files share their interface block (PcapMerger)
        String nic = nics.size() == 1 ? nics.getFirst().interfaceName() : "any";
        String comment = "host " + vmName + ", instance " + c.id().name() + " of "
                + c.properties().get("target").toString().replaceAll("/virtualMachines/.*", "") + ", VM " + c.properties().get("virtualMachine");
        return new MergeInput(vmName, nic, comment, () -> Channels.newChannel(storage.openRead(account, file)));
    }

    /** Merges the instances' stored files into the fleet's merged file; the object already there is an earlier attempt's. */
    private Capture.StoredFile merge(Capture fleet, List<Capture> instances) throws IOException {
        StorageAccount account = storage.findByKey(fleet.storage().accountKey())
                .orElseThrow(() -> new IOException("storage account " + fleet.storage().accountKey() + " is not configured"));
        String path = fleet.storage().blobPath();
        if (storage.exists(account, path)) {
            // writes are atomic (a local file moved in place, a blob committed at close): this is a complete merged file
            // of an attempt whose controller stopped before recording it
            StorageService.StoredObject o = storage.readBack(account, path)
                    .orElseThrow(() -> new IOException("the merged file " + path + " vanished while it was read"));
            return new Capture.StoredFile(o.bytes(), o.sha256(), Capture.UploadCheck.VERIFIED);
        }
        List<MergeInput> inputs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Capture c : instances) {
            List<String> files = inputsOf(c);
            if (files.isEmpty()) {
                missing.add("instance " + c.id().name() + " (" + FleetCaptures.vmName(c) + "): " + missingReason(c));
                continue;
            }
            for (String file : files) inputs.add(inputOf(c, account, file));
        }
        String section = "netwatcher merge of " + fleet.id() + ": " + (instances.size() - missing.size()) + " of " + instances.size()
                + " instances" + (missing.isEmpty() ? "" : "; not in this file: " + String.join("; ", missing));
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long[] bytes = new long[1];
        storage.writeNew(account, path, "merge-" + fleet.key(), out -> {
            OutputStream digesting = new DigestOutputStream(out, sha);
            MergeResult r = PcapMerger.merge(inputs, digesting, section);
            digesting.flush();
            bytes[0] = r.bytes();
            LOG.atInfo().addKeyValue("capture", fleet.id()).addKeyValue("files", inputs.size()).addKeyValue("packets", r.packets())
                    .addKeyValue("bytes", r.bytes()).addKeyValue("missing", missing.size()).log("fleet capture files merged");
        });
        return new Capture.StoredFile(bytes[0], HexFormat.of().formatHex(sha.digest()), Capture.UploadCheck.VERIFIED);
    }}
