package netwatcher.controller.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.IpLiteral;
import netwatcher.controller.compute.Nic;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.SqlOperations;
import netwatcher.controller.evidence.EvidenceRepository.EvidenceRow;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.check.CheckOrder;
import netwatcher.model.check.CheckReport;
import netwatcher.model.check.EvidenceReport;
import netwatcher.model.check.EvidenceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what each agent of a connectivity check captures and where its file goes, and lists the
 * stored files in the check's result. Thread-safe.
 *
 * <p><b>Which hosts.</b> Every source and observer part captures (observers arm before the source's
 * order exists, so before the first probe). The result lists the source, the destination's host (the VM
 * that owns the resolved destination address, even when no probe reached it: an empty file there is the
 * proof), the hosts that own an address of the trace, and every other host whose capture saw packets of
 * the flow (so the host where the probes stopped, and hosts that forwarded them). A host off the path
 * sees none and is not listed; its empty file is never uploaded. A listed host that could not capture
 * is listed with {@code state: "unavailable"} and the reason.
 *
 * <p><b>When.</b> Files are small (the limits below) and uploaded as soon as a part ends; the check
 * waits at most {@link Settings#collectWait()} for them after its last part, then answers anyway: an
 * entry whose file is not stored yet says {@code uploadState: "pending"} with its final
 * {@code storagePath}, where the file appears once its upload completes.
 */
public final class EvidenceService {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceService.class);
    /** The folder of the storage account's container that holds evidence, one sub-folder per check. */
    public static final String FOLDER = "connectivity-evidence";

    /**
     * Limits and retention.
     *
     * @param snapLength  bytes kept of each packet (headers; payloads are not evidence)
     * @param maxBytes    a file's size limit: with at least 16 + 40 bytes per record it also bounds the
     *                    packets of a file (about 18,700 at 1 MiB)
     * @param maxSeconds  a capture ends by itself this long after it was armed
     * @param collectWait how long a check waits for its files after its last part before answering
     * @param retention   files (and their rows) of checks older than this are deleted
     * @param maxChecks   the files of at most this many checks are kept; older ones are deleted first
     */
    public record Settings(int snapLength, long maxBytes, int maxSeconds, Duration collectWait, Duration retention, int maxChecks) {
        public static Settings defaults() {
            return new Settings(256, 1L << 20, 120, Duration.ofSeconds(1), Duration.ofDays(7), 1000);
        }
    }

    private final Database db;
    private final EvidenceRepository repo;
    private final StorageService storage;
    private final StorageAccount account;
    private final ComputeService compute;
    private final Settings settings;
    private final Clock clock;

    /**
     * Where evidence files go: the storage feature and its default local account, whose download route serves every
     * evidence file ({@code storagePath}), and whether the files are kept in the database rather than the account's
     * directory (cluster mode: any controller then takes the upload and serves the file; docs/architecture.md).
     */
    public record Destination(StorageService storage, StorageAccount account, boolean inDatabase) {
        public Destination {
            if (account.kind() != StorageAccount.Kind.LOCAL) throw new IllegalArgumentException("evidence goes to a local storage account");
        }

        /** Files in the account's directory (one controller). */
        public Destination(StorageService storage, StorageAccount account) {
            this(storage, account, false);
        }
    }

    private final EvidenceFiles files;

    public EvidenceService(Database db, EvidenceRepository repo, Destination destination, ComputeService compute, Settings settings,
                           Clock clock) {
        this.db = db;
        this.repo = repo;
        this.storage = destination.storage();
        this.account = destination.account();
        this.compute = compute;
        this.settings = settings;
        this.clock = clock;
        if (destination.inDatabase()) {
            DatabaseEvidenceFiles inDb = new DatabaseEvidenceFiles(db, maxUploadBytes());
            storage.mount(account, StorageService.CONTAINER + "/" + FOLDER, inDb::read);
            this.files = inDb;
        } else {
            this.files = new LocalEvidenceFiles(storage, account);
        }
    }

    /** Where this controller keeps evidence files. */
    EvidenceFiles files() { return files; }

    /** Whether the files are shared state (in the database): then their retention runs on the cluster's leader only. */
    public boolean shared() { return files instanceof DatabaseEvidenceFiles; }

    public StorageAccount account() { return account; }

    /** Records that check {@code checkKey} captures evidence, for a client that called {@code clientBaseUrl}. */
    public void record(SqlOperations h, String checkKey, String clientBaseUrl, Instant now) {
        repo.insert(h, new EvidenceRow(checkKey, clientBaseUrl, now));
    }

    /** True when check {@code checkKey} captures evidence (its files may be uploaded). */
    public boolean captures(String checkKey) {
        return repo.find(db, checkKey).isPresent();
    }

    /** The largest file an agent may upload: the byte limit, which a capture passes by at most one record. */
    public long maxUploadBytes() {
        return settings.maxBytes() + 16 + Math.max(settings.snapLength(), 64);
    }

    /** The blob path (container first) of {@code vm}'s file of a check. */
    public static String blobPath(String checkKey, ArmResourceId vm) {
        return StorageService.CONTAINER + "/" + FOLDER + "/" + checkKey + "/" + vm.resourceGroup().toLowerCase(Locale.ROOT) + "/"
                + vm.name() + ".pcap";
    }

    /** The owner name of an upload in progress (a partial file of the account): one per check and VM. */
    static String uploadOwner(String checkKey, String vmKey) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(vmKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "ev-" + checkKey + "-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The evidence part of a source or observer order, or null when the check has none.
     *
     * @param keep           upload even an empty file (the destination's observer, once the flow is resolved)
     * @param controllerBase the controller's URL as the agent reached it
     */
    public EvidenceSpec spec(String checkKey, String sourceVmKey, String vmKey, boolean keep, String controllerBase) {
        Optional<EvidenceRow> row = repo.find(db, checkKey);
        Optional<Vm> vm = compute.findVm(vmKey);
        if (row.isEmpty() || vm.isEmpty()) return null;
        List<String> sources = new ArrayList<>();
        for (Nic n : compute.nicsOf(sourceVmKey)) for (String cidr : n.addresses()) {
            IpLiteral.prefix(cidr).filter(IpLiteral::pathAddress).ifPresent(a -> sources.add(a.canonical()));
        }
        if (sources.isEmpty()) return null;
        return new EvidenceSpec(sources, settings.snapLength(), settings.maxBytes(), settings.maxSeconds(), keep,
                controllerBase + "/agent/v1/checks/" + checkKey + "/evidence",
                storage.blobUrl(account, row.get().clientBaseUrl(), blobPath(checkKey, vm.get().id())));
    }

    /** True when {@code vmKey}'s host owns {@code address} (a registered path address). */
    public boolean owns(String vmKey, String address) {
        if (address == null) return false;
        Optional<IpLiteral> wanted = IpLiteral.address(address);
        if (wanted.isEmpty()) return false;
        for (Nic n : compute.nicsOf(vmKey)) for (String cidr : n.addresses()) {
            Optional<IpLiteral> a = IpLiteral.prefix(cidr).filter(IpLiteral::pathAddress);
            if (a.isPresent() && a.get().address().equals(wanted.get().address())) return true;
        }
        return false;
    }

    /** True when every file the parts' reports promise ({@code upload: pending}) is stored. */
    public boolean settled(String checkKey, List<Map.Entry<String, CheckReport>> reports) {
        for (var e : reports) {
            EvidenceReport ev = e.getValue().evidence();
            if (ev == null || !EvidenceReport.UPLOAD_PENDING.equals(ev.upload())) continue;
            Optional<Vm> vm = compute.findVm(e.getKey());
            if (vm.isEmpty()) continue;
            try {
                if (files.storedSize(checkKey, blobPath(checkKey, vm.get().id())).isEmpty()) return false;
            } catch (IOException ex) {
                return false;
            }
        }
        return true;
    }

    /** How long a check waits for its files after its last part. */
    public Duration collectWait() { return settings.collectWait(); }

    /**
     * The {@code evidence} entries of a check's result, source first, then by VM id: one per listed host
     * (see the class comment), each with {@code vmId}, {@code role} (Source, Destination, Path),
     * {@code packets}, {@code bytes}, {@code firstPacketTime}/{@code lastPacketTime}, {@code sha256},
     * {@code filter}, {@code storagePath} and {@code uploadState} ({@code stored}: in the account and its
     * size and SHA-256 verified; {@code pending}; {@code none}; {@code failed}), and {@code reason} when
     * something is missing.
     *
     * @param pathAddresses the addresses that answered the source's trace
     * @param reports (VM key, final report) of the source and the observers
     */
    public List<Map<String, Object>> entries(String checkKey, String sourceVmKey, String destinationAddress,
                                             List<String> pathAddresses, List<Map.Entry<String, CheckReport>> reports) {
        Optional<EvidenceRow> row = repo.find(db, checkKey);
        if (row.isEmpty()) return List.of();
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : reports) {
            CheckReport r = e.getValue();
            EvidenceReport ev = r.evidence();
            if (ev == null) continue;
            boolean source = r.role() == netwatcher.model.check.CheckRole.SOURCE && e.getKey().equals(sourceVmKey);
            boolean destination = !source && owns(e.getKey(), destinationAddress);
            boolean traced = pathAddresses.stream().anyMatch(a -> owns(e.getKey(), a));
            if (!source && !destination && !traced && ev.packets() == 0) continue; // off the path: it saw nothing of the flow
            Optional<Vm> vm = compute.findVm(e.getKey());
            if (vm.isEmpty()) continue;
            String blob = blobPath(checkKey, vm.get().id());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("vmId", vm.get().id().toString());
            m.put("role", source ? "Source" : destination ? "Destination" : "Path");
            m.put("state", ev.state());
            m.put("packets", ev.packets());
            m.put("bytes", ev.bytes());
            if (ev.firstPacketTime() != null) m.put("firstPacketTime", ev.firstPacketTime().toString());
            if (ev.lastPacketTime() != null) m.put("lastPacketTime", ev.lastPacketTime().toString());
            if (ev.sha256() != null) m.put("sha256", ev.sha256());
            if (ev.filter() != null) m.put("filter", ev.filter());
            String upload = EvidenceReport.UPLOAD_NONE;
            String reason = ev.reason();
            if (EvidenceReport.UPLOAD_PENDING.equals(ev.upload())) {
                m.put("storagePath", storage.blobUrl(account, row.get().clientBaseUrl(), blob));
                upload = "pending";
                try {
                    Optional<StorageService.StoredObject> stored = files.readBack(checkKey, blob);
                    if (stored.isPresent()) {
                        boolean same = stored.get().bytes() == ev.bytes() && stored.get().sha256().equals(ev.sha256());
                        upload = same ? "stored" : "failed";
                        if (!same) reason = "the stored file (" + stored.get().bytes() + " bytes, SHA-256 " + stored.get().sha256()
                                + ") is not the file the agent captured (" + ev.bytes() + " bytes, SHA-256 " + ev.sha256() + ")";
                    }
                } catch (IOException ex) {
                    reason = "the stored file cannot be read: " + ex.getMessage();
                }
            }
            m.put("uploadState", upload);
            if (reason != null) m.put("reason", reason);
            out.add(m);
        }
        out.sort(Comparator.comparing((Map<String, Object> m) -> !"Source".equals(m.get("role"))).thenComparing(m -> (String) m.get("vmId")));
        return out;
    }

    /**
     * Checks whether a completed upload is the file the agent announced; deletes it when not (so the agent's
     * retry stores it again).
     *
     * @return null when it is, else why not
     */
    public String verifyStored(String checkKey, ArmResourceId vm, long total, String sha256) throws IOException {
        String blob = blobPath(checkKey, vm);
        Optional<StorageService.StoredObject> stored = files.readBack(checkKey, blob);
        if (stored.isEmpty()) return "the stored file is missing";
        if (stored.get().bytes() == total && (sha256 == null || stored.get().sha256().equals(sha256))) return null;
        try {
            files.deleteStored(checkKey, blob);
        } catch (IOException e) {
            // reported below; the retry meets the same file and fails again, which the agent reports
        }
        return "the stored file has " + stored.get().bytes() + " bytes and SHA-256 " + stored.get().sha256() + "; the agent sent "
                + total + " bytes with SHA-256 " + sha256;
    }

    /** The size of {@code vm}'s stored evidence file of a check, if stored (wherever files are kept). */
    public java.util.OptionalLong storedSize(String checkKey, ArmResourceId vm) throws IOException {
        return files.storedSize(checkKey, blobPath(checkKey, vm));
    }

    /** The local file of the account that holds {@code vm}'s evidence of a check, if stored there (one controller). */
    public Optional<Path> storedFile(String checkKey, ArmResourceId vm) {
        return storage.localFile(account, blobPath(checkKey, vm));
    }

    public StorageService storage() { return storage; }

    /**
     * Deletes the files and rows of checks older than {@link Settings#retention()} and of every check beyond
     * the newest {@link Settings#maxChecks()}. Returns how many checks' evidence was deleted.
     */
    public int collectExpired() {
        Instant now = clock.instant();
        List<String> doomed = new ArrayList<>(repo.createdBefore(db, now.minus(settings.retention())));
        for (String k : repo.beyondNewest(db, settings.maxChecks())) if (!doomed.contains(k)) doomed.add(k);
        int deleted = 0;
        for (String key : doomed) {
            try {
                files.deleteAll(key);
                db.inTransaction(h -> {
                    repo.delete(h, key);
                    return null;
                });
                deleted++;
            } catch (IOException | RuntimeException e) {
                LOG.atWarn().addKeyValue("check", key)
                        .log("cannot delete the evidence (will retry): {}", e.getMessage());
            }
        }
        return deleted;
    }
}
