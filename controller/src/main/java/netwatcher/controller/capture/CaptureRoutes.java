package netwatcher.controller.capture;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.Json;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.operations.Operation;
import netwatcher.controller.operations.OperationResolver;
import netwatcher.controller.operations.OperationService;
import netwatcher.controller.resources.ArmNames;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.watchers.Watcher;
import netwatcher.controller.watchers.WatcherRoutes;
import netwatcher.controller.watchers.WatcherService;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureStatus;

/** The ARM routes of {@code networkWatchers/{nw}/packetCaptures}. */
public final class CaptureRoutes {
    private static final String PCS = WatcherRoutes.NW + "/packetCaptures";
    private static final String PC = PCS + "/{pc}";
    private final CaptureService captures;
    private final WatcherService watchers;
    private final SubscriptionService subscriptions;
    private final OperationService operations;

    public CaptureRoutes(CaptureService captures, WatcherService watchers, SubscriptionService subscriptions, OperationService operations) {
        this.captures = captures;
        this.watchers = watchers;
        this.subscriptions = subscriptions;
        this.operations = operations;
    }

    public void register(Router router) {
        router.add("PUT", PC, Router.Kind.ARM, this::create);
        router.add("GET", PC, Router.Kind.ARM, this::get);
        router.add("DELETE", PC, Router.Kind.ARM, this::delete);
        router.add("GET", PCS, Router.Kind.ARM, this::list);
        router.add("POST", PC + "/queryStatus", Router.Kind.ARM, this::queryStatus);
        router.add("POST", PC + "/stop", Router.Kind.ARM, this::stop);
        router.add("POST", PC + "/snapshot", Router.Kind.ARM, this::snapshot);
    }

    /**
     * Registers with the operation service how capture operations are answered and authorized when
     * polled; separate from the routes, which need no service to be listed.
     */
    public void registerOperations() {
        operations.registerComputed(QUERY_STATUS_TAG, this::queryStatusResult);
        operations.registerComputed(STOP_DONE_TAG, this::stopDoneResult);
        // a poll of any capture operation needs read access to the capture, as its GET would
        for (String kind : new String[] {CaptureService.OP_CREATE, CaptureService.OP_STOP, CaptureService.OP_DELETE, OP_QUERY_STATUS}) {
            operations.registerResource(kind, captures::resourceOfKey);
        }
        operations.register(SnapshotService.OP_SNAPSHOT, captures.snapshots().resolver());
        operations.registerResource(SnapshotService.OP_SNAPSHOT, captures.snapshots()::resourceOf);
        captures.snapshots().onChange(operations::targetChanged);
    }

    /**
     * Tag of a stop that had nothing to do (the capture had ended): answered 200 without a body when
     * polled (PacketCaptures_Stop lists only 200 and 202), stores nothing. Stops answer such a case at
     * once now; the tag stays so that operations handed out before still answer.
     */
    static final String STOP_DONE_TAG = "sd";

    private java.util.Optional<Operation> stopDoneResult(String opId, String captureKey, java.time.Instant startedAt) {
        return captures.findByKey(captureKey).flatMap(c -> c.id().parent().flatMap(watchers::find).map(w ->
                OperationService.computedResult(opId, new Operation.Subject(c.id().subscriptionId(), w.location(), CaptureService.OP_STOP,
                        c.id().key()), startedAt, 200, null)));
    }

    /**
     * Tag of queryStatus operations: computed when polled, so a queryStatus stores nothing. queryStatus
     * answers 200 with the status at once now; the tag stays so that operations handed out before still answer.
     */
    static final String QUERY_STATUS_TAG = "qs";
    static final String OP_QUERY_STATUS = "capture.queryStatus";

    /** A queryStatus operation's answer: the capture's status as of the poll; gone with the capture. */
    private java.util.Optional<Operation> queryStatusResult(String opId, String captureKey, java.time.Instant startedAt) {
        return captures.findByKey(captureKey).filter(c -> !c.deleted()).flatMap(c -> {
            var watcher = c.id().parent().flatMap(watchers::find);
            return watcher.map(w -> OperationService.computedResult(opId, new Operation.Subject(c.id().subscriptionId(), w.location(),
                    OP_QUERY_STATUS, c.id().key()), startedAt, 200, Json.writeString(status(c, captures))));
        });
    }

    private Watcher watcher(Map<String, String> v) {
        subscriptions.require(v.get("sub"));
        return watchers.require(WatcherService.id(v.get("sub"), ArmNames.resourceGroup(v.get("rg")), v.get("nw")));
    }

    private static ArmResourceId id(Watcher w, Map<String, String> v) {
        return w.id().child("packetCaptures", ArmNames.networkResource("packet capture", v.get("pc")));
    }

    private void create(Exchange ex, Map<String, String> v) {
        Watcher w = watcher(v);
        ArmResourceId id = id(w, v);
        CaptureSpec spec = CaptureSpecParser.parse(ex.body(Long.MAX_VALUE), ex.apiVersion());
        ArmNames.checkPreconditions(ex, captures.findExisting(id));
        Capture c = captures.create(ex.caller(), w, id, spec, ex.baseUrl());
        Operation op = operations.start(ex, id.subscriptionId(), w.location(), CaptureService.OP_CREATE, c.key(),
                captures.settings().agentWait().plus(Duration.ofSeconds(30)));
        operations.setPollingHeaders(ex, op, false);
        Map<String, Object> body = render(c, captures);
        body.remove("etag");
        ex.json(201, body);
    }

    private void get(Exchange ex, Map<String, String> v) {
        Watcher w = watcher(v);
        Capture c = captures.require(id(w, v));
        ex.setHeader("ETag", c.etag());
        ex.json(200, render(c, captures));
    }

    private void list(Exchange ex, Map<String, String> v) {
        Watcher w = watcher(v);
        ex.json(200, Exchange.list(captures.list(w).stream().map(c -> render(c, captures)).toList()));
    }

    /**
     * DELETE: 204 when there is nothing (left) to delete, or when the capture's agent confirms within
     * {@link CaptureService#CONFIRM_WAIT} that the capture no longer runs; else 202 with an operation
     * whose Location answers 204 once it does (PacketCaptures_Delete lists 202 and 204).
     */
    private void delete(Exchange ex, Map<String, String> v) throws InterruptedException {
        Watcher w = watcher(v);
        ArmResourceId id = id(w, v);
        var existing = captures.findExisting(id);
        if (existing == null) {
            ex.empty(204);
            return;
        }
        ArmNames.checkPreconditions(ex, existing);
        var deleted = captures.delete(id);
        if (deleted.isEmpty()) {
            ex.empty(204);
            return;
        }
        answer(ex, id, w, CaptureService.OP_DELETE, deleted.get().key(), Duration.ofSeconds(30));
    }

    /** queryStatus: the controller holds the status, so it answers 200 with it at once (PacketCaptures_GetStatus lists 200). */
    private void queryStatus(Exchange ex, Map<String, String> v) {
        ex.noBody();
        Watcher w = watcher(v);
        Capture c = captures.require(id(w, v));
        ex.json(200, status(c, captures));
    }

    /**
     * stop: 200 without a body when the capture has ended already or its agent confirms the stop within
     * {@link CaptureService#CONFIRM_WAIT}; else 202 with an operation whose Location answers 200 once it
     * has (PacketCaptures_Stop lists only 200 and 202).
     */
    private void stop(Exchange ex, Map<String, String> v) throws InterruptedException {
        ex.noBody();
        Watcher w = watcher(v);
        ArmResourceId id = id(w, v);
        Capture c = captures.require(id);
        if (!captures.stop(id)) {
            ex.empty(200);
            return;
        }
        answer(ex, id, w, CaptureService.OP_STOP, c.key(), Duration.ofSeconds(60));
    }

    /**
     * snapshot (a netwatcher extension action, docs/captures.md "Snapshots"): validates the window, records the snapshot
     * and orders it from the capture's agent; 200 with the snapshot when the agent stored it within
     * {@link CaptureService#CONFIRM_WAIT}, else 202 with an operation whose Location answers 200 with it (or its
     * failure), like stop.
     */
    private void snapshot(Exchange ex, Map<String, String> v) throws InterruptedException {
        Watcher w = watcher(v);
        ArmResourceId id = id(w, v);
        byte[] body = ex.body(64 * 1024);
        Snapshot s;
        try {
            s = captures.snapshots().request(id, body);
        } catch (netwatcher.arm.ArmException e) {
            // the one-at-a-time limit: a snapshot is cut within seconds, so tell the client when to try again
            if (e.code() == netwatcher.arm.ArmErrorCode.AnotherOperationInProgress) {
                ex.setHeader("Retry-After", Long.toString(SnapshotRequest.RETRY_AFTER.toSeconds()));
            }
            throw e;
        }
        var outcome = operations.awaitOutcome(SnapshotService.OP_SNAPSHOT, id.subscriptionId(), w.location(), s.id(),
                CaptureService.CONFIRM_WAIT);
        if (outcome.isPresent() && outcome.get() instanceof OperationResolver.Success done) {
            ex.json(done.httpStatus(), Json.tree(done.resultJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return;
        }
        operations.accepted(ex, operations.start(ex, id.subscriptionId(), w.location(), SnapshotService.OP_SNAPSHOT, s.id(),
                SnapshotService.OPERATION_TIMEOUT));
    }

    /** Waits for the agent to confirm the work of {@code kind}: answers it synchronously, or records an operation and answers 202. */
    private void answer(Exchange ex, ArmResourceId id, Watcher w, String kind, String captureKey, Duration timeout)
            throws InterruptedException {
        var outcome = operations.awaitOutcome(kind, id.subscriptionId(), w.location(), captureKey, CaptureService.CONFIRM_WAIT);
        if (outcome.isPresent() && outcome.get() instanceof OperationResolver.Success s) {
            ex.empty(s.httpStatus());
            return;
        }
        operations.accepted(ex, operations.start(ex, id.subscriptionId(), w.location(), kind, captureKey, timeout));
    }

    /** The PacketCaptureResult body. */
    public static Map<String, Object> render(Capture c, CaptureService service) {
        Map<String, Object> props = new LinkedHashMap<>(c.properties());
        @SuppressWarnings("unchecked")
        Map<String, Object> loc = new LinkedHashMap<>((Map<String, Object>) props.getOrDefault("storageLocation", Map.of()));
        loc.remove("netwatcherAccount");
        loc.remove("netwatcherBlobPath");
        props.put("storageLocation", loc);
        props.put("provisioningState", c.provisioningState());
        if (FleetCaptures.isFleet(c)) {
            props.remove("mergedStoragePath");
            props.put("provisioningState", service.fleet().provisioning(service.fleet().instancesOf(service.database(), c)));
            service.fleet().merges().merged(c).ifPresent(m -> props.put("mergedFile", m));
        }
        String sha = CaptureService.verifiedSha256(c);
        if (sha != null) props.put("fileSha256", sha);
        var snapshots = service.snapshots().rendered(c); // a fleet capture's: with each instance's cut (docs/captures.md)
        if (!snapshots.isEmpty()) props.put("snapshots", snapshots);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", c.id().name());
        body.put("id", c.id().toString());
        body.put("etag", c.etag());
        body.put("properties", props);
        return body;
    }

    /** The PacketCaptureQueryStatusResult body, with netwatcher's extra counters. */
    public static Map<String, Object> status(Capture c, CaptureService service) {
        if (FleetCaptures.isFleet(c)) return service.fleet().status(c);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", c.id().name());
        s.put("id", c.id().toString());
        if (c.captureStart() != null) s.put("captureStartTime", c.captureStart().toString());
        CaptureStatus status = service.visibleStatus(c);
        s.put("packetCaptureStatus", status.name());
        if (c.stopReason() != null && status.isTerminal()) s.put("stopReason", c.stopReason().name());
        s.put("packetCaptureError", c.errors().stream().map(Enum::name).toList());
        CaptureReport r = c.report();
        if (c.message() != null) s.put("message", c.message());
        if (c.captureEnd() != null) s.put("captureEndTime", c.captureEnd().toString());
        if (r != null) {
            s.put("packetsCaptured", r.packets());
            s.put("bytesWritten", r.bytes());
            s.put("kernelDrops", r.kernelDrops());
            s.put("interfaceDrops", r.interfaceDrops());
            s.put("kernelReceived", r.kernelReceived());
            if (r.firstPacketTime() != null) s.put("firstPacketTime", r.firstPacketTime().toString());
            if (r.lastPacketTime() != null) s.put("lastPacketTime", r.lastPacketTime().toString());
            if (r.filePath() != null) s.put("filePath", r.filePath());
            if (r.uploadState() != null) {
                s.put("uploadState", c.visibleUploadState().wire());
                s.put("uploadedBytes", r.uploadedBytes());
                String sha = CaptureService.verifiedSha256(c);
                if (sha != null) s.put("fileSha256", sha);
            }
            if (r.ring() != null) s.put("ring", ring(c, r.ring(), service));
            s.put("lastReportTime", c.reportedAt() == null ? null : c.reportedAt().toString());
        }
        var snapshots = service.snapshots().rendered(c);
        if (!snapshots.isEmpty()) s.put("snapshots", snapshots);
        return s;
    }

    /**
     * The extension field {@code ring} of a file-set capture: its files (name, index, bytes, packets, first and last
     * packet time, whether it is still written, its upload, whether it is still on the host or was lost) and the time
     * span the files on the host cover; {@code restarts} and {@code gaps}, the spans in which nothing was captured
     * because the agent restarted and resumed the ring (from, to, seconds, cause).
     */
    static Map<String, Object> ring(Capture c, netwatcher.model.agent.RingReport ring, CaptureService service) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("continuous", c.order().ring() != null && c.order().ring().continuous());
        if (c.order().ring() != null) {
            m.put("fileCount", c.order().ring().fileCount());
            m.put("fileSizeInBytes", c.order().ring().fileSizeBytes());
        }
        m.put("filesWritten", ring.filesWritten());
        m.put("filesLost", ring.filesLost());
        if (ring.coveredFrom() != null) m.put("coveredFrom", ring.coveredFrom().toString());
        if (ring.coveredTo() != null) m.put("coveredTo", ring.coveredTo().toString());
        if (ring.coveredFrom() != null && ring.coveredTo() != null) {
            m.put("coveredSeconds", java.time.Duration.between(ring.coveredFrom(), ring.coveredTo()).toMillis() / 1000.0);
        }
        // the spans an agent restart left uncaptured (the ring was resumed each time): docs/captures.md
        m.put("restarts", ring.gaps().size());
        java.util.List<Map<String, Object>> gaps = new java.util.ArrayList<>();
        for (netwatcher.model.agent.CaptureGap g : ring.gaps()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("from", g.from().toString());
            e.put("to", g.to().toString());
            e.put("seconds", java.time.Duration.between(g.from(), g.to()).toMillis() / 1000.0);
            e.put("cause", g.cause());
            gaps.add(e);
        }
        m.put("gaps", gaps);
        String base = service.ringStoragePath(c);
        java.util.List<Map<String, Object>> files = new java.util.ArrayList<>();
        // the stored rows: every file, also those older than the report's newest 200; the report's when none are stored
        java.util.List<netwatcher.model.agent.RingFileReport> all = service.ringFiles(c);
        for (netwatcher.model.agent.RingFileReport f : all.isEmpty() ? ring.files() : all) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", f.name());
            e.put("index", f.index());
            e.put("bytes", f.bytes());
            e.put("packets", f.packets());
            if (f.firstPacketTime() != null) e.put("firstPacketTime", f.firstPacketTime().toString());
            if (f.lastPacketTime() != null) e.put("lastPacketTime", f.lastPacketTime().toString());
            e.put("open", f.open());
            e.put("uploadState", f.uploadState() == null ? null : f.uploadState().wire());
            e.put("uploaded", f.uploadState() == netwatcher.model.capture.UploadState.DONE);
            if (base != null && f.uploadState() == netwatcher.model.capture.UploadState.DONE) e.put("storagePath", base + "/" + f.name());
            e.put("onHost", f.onHost());
            e.put("lost", f.lost());
            files.add(e);
        }
        m.put("files", files);
        return m;
    }
}
