package netwatcher.controller.evidence;

import java.io.InputStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.compute.Vm;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.storage.ContentRange;
import netwatcher.controller.storage.StorageService;

/**
 * The agent route that takes a check's evidence file: {@code HEAD|GET /agent/v1/checks/{key}/evidence}
 * (the resume point) and {@code PUT} with {@code Content-Range}, exactly as a capture's local upload
 * (docs/agent-protocol.md section 5), into the file of the calling agent's VM; only an agent whose VM
 * takes part in a check that captures evidence may upload, only its own file, and at most the byte
 * limit (plus one record). The agent names the file's SHA-256 in
 * the query ({@code ?sha256=}); once the upload is complete the stored object is read back and a size
 * or hash that differs is deleted and answered {@code 409} (the agent's retry sends it again).
 * Stateless and thread-safe.
 */
public final class EvidenceRoutes {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final EvidenceService evidence;
    private final ComputeService compute;
    private final BiPredicate<String, String> takesPart;
    private final Consumer<String> stored;

    /**
     * @param takesPart (check key, VM key): whether the VM has a source or observer part in the check
     * @param stored    told the check key when a file is stored and verified (the check may answer now)
     */
    public EvidenceRoutes(EvidenceService evidence, ComputeService compute, BiPredicate<String, String> takesPart, Consumer<String> stored) {
        this.evidence = evidence;
        this.compute = compute;
        this.takesPart = takesPart;
        this.stored = stored;
    }

    public void register(Router router) {
        router.add("GET", "/agent/v1/checks/{key}/evidence", Router.Kind.AGENT, this::status);
        router.add("PUT", "/agent/v1/checks/{key}/evidence", Router.Kind.AGENT, this::upload);
    }

    private Vm vmOf(Exchange ex, String key) {
        String vmKey = ex.caller().vmKey();
        if (vmKey == null || !evidence.captures(key) || !takesPart.test(key, vmKey)) {
            throw ArmErrorCode.NotFound.exception("Check " + key + " has no part for this agent's VM.");
        }
        return compute.findVm(vmKey).orElseThrow(() -> ArmErrorCode.NotFound.exception("This agent's VM is not registered."));
    }

    private void status(Exchange ex, Map<String, String> v) throws Exception {
        String key = v.get("key");
        Vm vm = vmOf(ex, key);
        EvidenceFiles files = evidence.files();
        OptionalLong done = evidence.storedSize(key, vm.id());
        long have = done.isPresent() ? done.getAsLong()
                : files.received(key, EvidenceService.blobPath(key, vm.id()), EvidenceService.uploadOwner(key, vm.id().key()));
        if ("HEAD".equals(ex.method())) {
            ex.head(200, have);
            return;
        }
        ex.json(200, Map.of("received", have, "complete", done.isPresent()));
    }

    private void upload(Exchange ex, Map<String, String> v) throws Exception {
        String key = v.get("key");
        Vm vm = vmOf(ex, key);
        String sha256 = ex.query("sha256");
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw ArmErrorCode.InvalidParameter.exception("Query parameter 'sha256' must be 64 lower-case hex digits.", "sha256");
        }
        ContentRange range = ContentRange.parse(ex.header("Content-Range"));
        long start = range.start();
        long end = range.end();
        long total = range.total();
        if (total > evidence.maxUploadBytes()) {
            throw ArmErrorCode.InvalidParameter.exception("An evidence file has at most " + evidence.maxUploadBytes() + " bytes; this one has "
                    + total + ".", "Content-Range");
        }
        EvidenceFiles files = evidence.files();
        String blob = EvidenceService.blobPath(key, vm.id());
        String owner = EvidenceService.uploadOwner(key, vm.id().key());
        OptionalLong done = evidence.storedSize(key, vm.id());
        if (done.isPresent()) {
            // stored earlier (the answer was lost): the same file again completes; any other is refused
            long size = done.getAsLong();
            ex.bodyStream().close();
            String problem = evidence.verifyStored(key, vm.id(), total, sha256);
            if (problem != null || size != total) {
                throw ArmErrorCode.Conflict.exception("Evidence of check " + key + " for " + vm.id().name() + " is stored already with "
                        + size + " bytes; a stored file is never overwritten.");
            }
            files.forgetPartial(key, owner);
            ex.json(200, Map.of("received", size, "complete", true));
            return;
        }
        try (InputStream in = ex.bodyStream()) {
            StorageService.UploadProgress p = files.append(key, new StorageService.LocalTarget(evidence.account(), blob, owner),
                    new EvidenceFiles.Chunk(start, end, total), in);
            if (p.complete()) {
                files.forgetPartial(key, owner);
                String problem = evidence.verifyStored(key, vm.id(), total, sha256);
                if (problem != null) {
                    throw ArmErrorCode.Conflict.exception("Evidence of check " + key + " for " + vm.id().name() + " was not stored: "
                            + problem + ".");
                }
                stored.accept(key);
            }
            ex.json(200, Map.of("received", p.received(), "complete", p.complete()));
        }
    }
}
