package netwatcher.controller.agents;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.Json;
import netwatcher.controller.capture.Capture;
import netwatcher.controller.capture.CaptureService;
import netwatcher.controller.http.Caller;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.Router;
import netwatcher.controller.storage.ContentRange;
import netwatcher.controller.storage.StorageService;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.Reports;

/** The agent protocol routes under {@code /agent/v1}. */
public final class AgentRoutes {
    /** {@code bytes start-end/total}; 18 digits at most, so the numbers never overflow a long. */
    private final AgentService agents;
    private final CaptureService captures;
    private final StorageService storage;

    public AgentRoutes(AgentService agents, CaptureService captures, StorageService storage) {
        this.agents = agents;
        this.captures = captures;
        this.storage = storage;
    }

    public void register(Router router) {
        String p = ProtocolVersion.PREFIX;
        router.add("POST", p + "/enroll", Router.Kind.PUBLIC, (ex, v) -> {
            checkVersion(ex);
            ex.json(200, agents.enroll(read(ex, EnrollRequest.class)));
        });
        router.add("PUT", p + "/host", Router.Kind.AGENT, (ex, v) -> {
            checkVersion(ex);
            ex.json(200, agents.registerHost(ex.caller(), read(ex, HostReport.class)));
        });
        router.add("GET", p + "/orders", Router.Kind.AGENT, (ex, v) -> {
            checkVersion(ex);
            long after = parseLong(ex.query("after"), "after", -1);
            long wait = Math.min(ProtocolVersion.MAX_WAIT_SECONDS, Math.max(0, parseLong(ex.query("waitSeconds"), "waitSeconds", 25)));
            ex.json(200, agents.orders(ex.caller(), after, Duration.ofSeconds(wait), ex.baseUrl()));
        });
        router.add("POST", p + "/reports", Router.Kind.AGENT, (ex, v) -> {
            checkVersion(ex);
            agents.reports(ex.caller(), read(ex, Reports.class));
            ex.empty(204);
        });
        router.add("GET", p + "/captures/{key}/file", Router.Kind.AGENT, this::uploadStatus);
        router.add("PUT", p + "/captures/{key}/file", Router.Kind.AGENT, this::upload);
        router.add("GET", p + "/captures/{key}/files/{name}", Router.Kind.AGENT, this::ringFileStatus);
        router.add("PUT", p + "/captures/{key}/files/{name}", Router.Kind.AGENT, this::ringFileUpload);
        router.add("GET", p + "/captures/{key}/snapshots/{name}", Router.Kind.AGENT, this::snapshotStatus);
        router.add("PUT", p + "/captures/{key}/snapshots/{name}", Router.Kind.AGENT, this::snapshotUpload);
    }

    private static void checkVersion(Exchange ex) {
        String v = ex.header(ProtocolVersion.HEADER);
        if (v != null && !v.trim().equals(Integer.toString(ProtocolVersion.CURRENT))) {
            throw ArmErrorCode.UnsupportedAgentProtocol.exception("This controller speaks agent protocol " + ProtocolVersion.CURRENT
                    + "; the agent sent " + v + ". Upgrade the agent or the controller.");
        }
    }

    private static <T> T read(Exchange ex, Class<T> type) {
        return parse(ex.body(MAX_BODY), type);
    }

    /** Largest agent request body (a host report, a batch of reports). */
    static final int MAX_BODY = 1 << 20;

    /**
     * Parses an agent body into {@code type}: a JSON object, else 400; a field of the wrong shape is
     * a 400 naming the field (never the parser's own message, which names classes).
     */
    static <T> T parse(byte[] body, Class<T> type) {
        com.fasterxml.jackson.databind.JsonNode tree = Json.tree(body);
        if (!tree.isObject()) {
            throw ArmErrorCode.InvalidRequestContent.exception("The body must be a JSON object (" + type.getSimpleName() + ").");
        }
        String nullEntry = nullEntry(tree, "");
        if (nullEntry != null) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + nullEntry + "' must not be null.", nullEntry);
        }
        try {
            return Json.read(body, type);
        } catch (RuntimeException e) {
            String field = fieldOf(e);
            String allowed = allowedValues(e);
            if (field != null && allowed != null) {
                // a word outside the protocol's (a check role, a report state): say which words there are
                throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' is not valid: " + allowed + ".", field);
            }
            throw ArmErrorCode.InvalidRequestContent.exception("The body is not a valid " + type.getSimpleName()
                    + (field == null ? "." : ": property '" + field + "' has the wrong type or value."), field);
        }
    }

    /** The path of the first null list entry (lists of the agent protocol never hold nulls), or null. */
    private static String nullEntry(com.fasterxml.jackson.databind.JsonNode node, String path) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String at = path + "[" + i + "]";
                if (node.get(i).isNull()) return at;
                String inner = nullEntry(node.get(i), at);
                if (inner != null) return inner;
            }
        } else if (node.isObject()) {
            for (var e : node.properties()) {
                String inner = nullEntry(e.getValue(), path.isEmpty() ? AgentInput.shown(e.getKey()) : path + "." + AgentInput.shown(e.getKey()));
                if (inner != null) return inner;
            }
        }
        return null;
    }

    /** The protocol's own words for a value its enum refused ("a check role is one of ..."), or null. */
    private static String allowedValues(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.databind.exc.ValueInstantiationException v
                    && v.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
                return iae.getMessage();
            }
            if (t instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f && f.getTargetType() != null
                    && f.getTargetType().isEnum()) {
                return "it is one of " + java.util.Arrays.stream(f.getTargetType().getEnumConstants()).map(String::valueOf)
                        .sorted().collect(java.util.stream.Collectors.joining(", "));
            }
        }
        return null;
    }

    private static String fieldOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonMappingException m && !m.getPath().isEmpty()) {
                StringBuilder b = new StringBuilder();
                for (var ref : m.getPath()) {
                    if (ref.getIndex() >= 0) b.append('[').append(ref.getIndex()).append(']');
                    else if (ref.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(AgentInput.shown(ref.getFieldName()));
                }
                return b.isEmpty() ? null : b.toString();
            }
        }
        return null;
    }

    private static long parseLong(String v, String name, long dflt) {
        if (v == null || v.isBlank()) return dflt;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw ArmErrorCode.InvalidParameter.exception("Query parameter '" + name + "' must be an integer; was '" + v + "'.", name);
        }
    }

    private Capture capture(Caller agent, String key) {
        return captures.findByKey(key).filter(x -> x.vmKey().equals(agent.vmKey()))
                .orElseThrow(() -> ArmErrorCode.NotFound.exception("Capture " + key + " is not one of this agent's captures."));
    }

    private StorageService.LocalTarget target(Capture c) {
        return captures.localUploadTarget(c).orElseThrow(() -> ArmErrorCode.NotFound.exception(
                "Capture " + c.key() + " has no local storage account to upload to."));
    }

    /** The local-account target of one file of a ring capture; its name must be one the agent's ring scheme makes. */
    private StorageService.LocalTarget ringTarget(Capture c, String name) {
        if (name == null || !CaptureService.RING_FILE.matcher(name).matches()) {
            throw ArmErrorCode.InvalidParameter.exception("A ring file name is <stem>_<index>_<start>.<ext>; was '" + name + "'.", "name");
        }
        return captures.localRingFileTarget(c, name).orElseThrow(() -> ArmErrorCode.NotFound.exception(
                "Capture " + c.key() + " is not a ring capture with a local storage account to upload to."));
    }

    /**
     * The local-account target of a snapshot file ({@code <snapshot id>.cap}) of one of the calling agent's captures:
     * only a snapshot of that capture that is still running, confined to {@code <capture's folder>/snapshots/}.
     */
    private StorageService.LocalTarget snapshotTarget(Capture c, String name) {
        return captures.snapshots().localTarget(c, name).orElseThrow(() -> ArmErrorCode.NotFound.exception("Capture " + c.key()
                + " has no running snapshot '" + name + "' to upload to a local storage account."));
    }

    private void snapshotStatus(Exchange ex, Map<String, String> v) throws Exception {
        received(ex, snapshotTarget(capture(ex.caller(), v.get("key")), v.get("name")));
    }

    /** One range of a snapshot file, as {@link #ringFileUpload} for a ring file. */
    private void snapshotUpload(Exchange ex, Map<String, String> v) throws Exception {
        appendRange(ex, snapshotTarget(capture(ex.caller(), v.get("key")), v.get("name")));
    }

    /** Answers how many bytes of {@code t}'s upload arrived so far (in a header, and as JSON but for HEAD). */
    private void received(Exchange ex, StorageService.LocalTarget t) throws Exception {
        long have = storage.received(t.account(), t.blobPath(), t.owner());
        ex.setHeader("X-Netwatcher-Received", Long.toString(have));
        if ("HEAD".equals(ex.method())) {
            ex.head(200, have);
            return;
        }
        ex.json(200, Map.of("received", have));
    }

    /** Appends the request's Content-Range to {@code t}'s upload and answers what arrived. */
    private void appendRange(Exchange ex, StorageService.LocalTarget t) throws Exception {
        ContentRange range = ContentRange.parse(ex.header("Content-Range"));
        try (InputStream in = ex.bodyStream()) {
            StorageService.UploadProgress p = storage.append(t, range.start(), range.end(), range.total(), in);
            ex.json(200, Map.of("received", p.received(), "complete", p.complete()));
        }
    }

    /** Bytes of a ring file received so far: all of them once its file is in place. */
    private void ringFileStatus(Exchange ex, Map<String, String> v) throws Exception {
        received(ex, ringTarget(capture(ex.caller(), v.get("key")), v.get("name")));
    }

    /**
     * One range of one ring file, as {@link #upload} for a one-file capture. The partial file stays a second name
     * of the completed file (so a repeated last request is answered complete) until the capture is settled.
     */
    private void ringFileUpload(Exchange ex, Map<String, String> v) throws Exception {
        appendRange(ex, ringTarget(capture(ex.caller(), v.get("key")), v.get("name")));
    }

    /** The size of the capture's committed upload, or -1 while it is not committed. */
    private static long committed(Capture c) {
        return c.stored() != null && c.stored().bytes() != null ? c.stored().bytes() : -1;
    }

    private void uploadStatus(Exchange ex, Map<String, String> v) throws Exception {
        Capture c = capture(ex.caller(), v.get("key"));
        StorageService.LocalTarget t = target(c);
        long done = committed(c);
        long have = done >= 0 ? done : storage.received(t.account(), t.blobPath(), t.owner());
        ex.setHeader("X-Netwatcher-Received", Long.toString(have));
        if ("HEAD".equals(ex.method())) {
            ex.head(200, have);
            return;
        }
        ex.json(200, Map.of("received", have, "complete", done >= 0));
    }

    private void upload(Exchange ex, Map<String, String> v) throws Exception {
        Capture c = capture(ex.caller(), v.get("key"));
        StorageService.LocalTarget t = target(c);
        ContentRange range = ContentRange.parse(ex.header("Content-Range"));
        long start = range.start();
        long end = range.end();
        long total = range.total();
        long done = committed(c);
        if (done >= 0) {
            // committed earlier (the answer was lost): the same upload again completes; any other is refused
            if (done != total) {
                throw ArmErrorCode.Conflict.exception("Capture " + c.key() + "'s upload was completed with " + done
                        + " bytes; a stored file is never overwritten.");
            }
            ex.bodyStream().close();
            storage.forgetPartial(t.account(), t.owner());
            ex.json(200, Map.of("received", done, "complete", true));
            return;
        }
        try (InputStream in = ex.bodyStream()) {
            StorageService.UploadProgress p = storage.append(t, start, end, total, in);
            if (p.complete()) {
                captures.recordCommitted(c, p.received());
                storage.forgetPartial(t.account(), t.owner());
            }
            ex.json(200, Map.of("received", p.received(), "complete", p.complete()));
        }
    }
}
