package netwatcher.controller.capture;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.arm.ArmResourceId;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.RingOrder;
import netwatcher.model.agent.CaptureOrder.WireFilter;
import netwatcher.model.capture.BpfFilters;
import netwatcher.model.capture.CaptureFilter;
import netwatcher.model.capture.FilterNotationException;

/**
 * Validates a packet-capture PUT body against the reference: required fields, types, defaults,
 * minimums and maximums, filter notation, storage location rules, per api-version (a field is read
 * from the first api-version whose spec defines it), and the features netwatcher does not have yet
 * (a ring of files, several files), which are refused with a clear error instead of being ignored.
 * A scale-set target ({@code targetType: AzureVMSS}) must be a scale set, and its {@code scope} lists
 * instance ids (which exist is checked on create, {@code FleetCaptures}). Stateless.
 */
public final class CaptureSpecParser {
    public static final long MAX_UINT32 = CaptureOrder.MAX_BYTES;
    public static final long DEFAULT_TOTAL_BYTES = 1073741824L;
    /** timeLimitInSeconds' maximum (and default): 5 h. */
    public static final long MAX_TIME_LIMIT = 18_000;
    public static final String CAPTURES_ROOT = "/var/captures";

    private CaptureSpecParser() {}

    /** The first api-version whose spec defines {@code targetType} and {@code scope}. */
    public static final String SCOPE_SINCE = "2022-01-01";
    /** The first api-version whose spec defines {@code continuousCapture}, {@code captureSettings} and {@code storageLocation.localPath}. */
    public static final String CONTINUOUS_SINCE = "2023-11-01";

    /**
     * Parses a PUT body sent with {@code version}: the fields that version's spec defines are read and
     * checked; those it does not define are treated as netwatcher always treated them (README, "Continuous capture,
     * file sets and scale sets").
     */
    public static CaptureSpec parse(byte[] json, ApiVersion version) {
        ArmBody root = ArmBody.root(json);
        ArmBody p = root.object("properties").orElseThrow(() -> root.missing("properties"));

        String targetText = p.requireString("target");
        ArmResourceId target = ArmResourceId.parse(targetText, "properties.target");
        String targetType = p.string("targetType").orElse(null);
        if (targetType != null) {
            if (targetType.equalsIgnoreCase("AzureVMSS")) {
                targetType = "AzureVMSS";
            } else if (targetType.equalsIgnoreCase("AzureVM")) {
                targetType = "AzureVM";
            } else {
                throw p.badValue("targetType", "must be AzureVM or AzureVMSS; was '" + targetType + "'");
            }
        }
        if ("AzureVMSS".equals(targetType)) {
            // a scale set: every instance scope chooses (FleetCaptures); which ids exist is checked on create
            if (!target.isType("Microsoft.Compute/virtualMachineScaleSets")) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.target' must be the id of a virtual machine scale"
                        + " set (Microsoft.Compute/virtualMachineScaleSets) when targetType is AzureVMSS; was a " + target.type() + ".",
                        "properties.target");
            }
        } else if (!target.isType("Microsoft.Compute/virtualMachines")) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.target' must be the id of a virtual machine"
                    + " (Microsoft.Compute/virtualMachines); was a " + target.type() + ".", "properties.target");
        }
        CaptureSpec.Scope scope = "AzureVMSS".equals(targetType) ? scaleSetScope(p) : scope(p, target, version.atLeast(SCOPE_SINCE));

        long snap = p.integer("bytesToCapturePerPacket", 0, MAX_UINT32, 0);
        long total = p.integer("totalBytesPerSession", 0, MAX_UINT32, DEFAULT_TOTAL_BYTES);
        long time = p.integer("timeLimitInSeconds", 0, MAX_TIME_LIMIT, MAX_TIME_LIMIT);

        Optional<Boolean> continuous = p.bool("continuousCapture");
        Optional<CaptureSpec.CaptureSettings> settings = p.object("captureSettings").map(CaptureSpecParser::settings);

        ArmBody storage = p.object("storageLocation").orElseThrow(() -> p.missing("storageLocation"));
        String storageId = storage.string("storageId").filter(s -> !s.isBlank()).orElse(null);
        String storagePath = storage.string("storagePath").filter(s -> !s.isBlank()).orElse(null);
        String filePath = storage.string("filePath").filter(s -> !s.isBlank()).orElse(null);
        String localPath = storage.string("localPath").filter(s -> !s.isBlank()).orElse(null);
        boolean fileSets = version.atLeast(CONTINUOUS_SINCE);
        if (storageId == null && filePath == null && localPath == null) {
            String path = fileSets && continuous.isPresent() ? "localPath" : "filePath";
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation' needs a storageId (a storage"
                    + " account) or a " + path + " on the VM under /var/captures, or both.", "properties.storageLocation");
        }
        if (storageId != null) {
            ArmResourceId account = ArmResourceId.parse(storageId, "properties.storageLocation.storageId");
            if (!account.isType("Microsoft.Storage/storageAccounts")) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation.storageId' must be the id of a"
                        + " storage account (Microsoft.Storage/storageAccounts); was a " + account.type() + ".",
                        "properties.storageLocation.storageId");
            }
            storageId = account.toString();
        }
        if (storagePath != null) {
            if (storageId == null) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation.storagePath' needs a storageId.",
                        "properties.storageLocation.storagePath");
            }
            try {
                URI u = new URI(storagePath);
                if (!u.isAbsolute() || u.getHost() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
                    throw new URISyntaxException(storagePath, "not an absolute http(s) URL");
                }
            } catch (URISyntaxException e) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation.storagePath' must be a"
                        + " well-formed absolute URL; was '" + storagePath + "'.", "properties.storageLocation.storagePath");
            }
        }
        if (filePath != null) filePath = hostPath(filePath, "properties.storageLocation.filePath");
        if (localPath != null) localPath = hostPath(localPath, "properties.storageLocation.localPath");
        if (fileSets) pathMatchesMode(continuous.isPresent(), filePath, localPath);
        if (filePath != null && localPath != null && !filePath.equals(localPath)) {
            throw ArmErrorCode.InvalidParameter.exception("Properties 'storageLocation.filePath' and 'storageLocation.localPath'"
                    + " name different files; give one.", "properties.storageLocation.localPath");
        }
        if (fileSets) {
            requireSupportedSet(continuous.orElse(null), settings.orElse(null));
        } else {
            // before 2023-11-01 these fields are not in the spec: refused as netwatcher always refused them
            if (continuous.isPresent() && filePath != null) {
                throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation.filePath' is invalid when"
                        + " continuousCapture is given (true or false); use localPath.", "properties.storageLocation.filePath");
            }
            if (continuous.orElse(false) || settings.isPresent()) {
                throw ArmErrorCode.UnsupportedFeature.exception("Continuous (ring-buffer) capture ('properties.continuousCapture'"
                        + " and 'properties.captureSettings') needs api-version " + CONTINUOUS_SINCE + " or later; omit both for a"
                        + " single-file capture.", continuous.orElse(false) ? "properties.continuousCapture" : "properties.captureSettings");
            }
            continuous = Optional.empty();
            settings = Optional.empty();
        }

        List<WireFilter> filters = new ArrayList<>();
        List<CaptureFilter> parsedFilters = new ArrayList<>();
        List<ArmBody> given = p.objects("filters");
        Optional<String> tooMany = BpfFilters.countProblem(given.size());
        if (tooMany.isPresent()) throw filterLimit(tooMany);
        for (ArmBody f : given) {
            String protocol = f.string("protocol").orElse(null);
            String lip = f.string("localIPAddress").orElse(null);
            String rip = f.string("remoteIPAddress").orElse(null);
            String lport = f.string("localPort").orElse(null);
            String rport = f.string("remotePort").orElse(null);
            CaptureFilter parsed;
            try {
                parsed = CaptureFilter.parse(f.path(), protocol, lip, rip, lport, rport);
            } catch (FilterNotationException e) {
                throw ArmErrorCode.InvalidParameter.exception("Property '" + e.field() + "' is invalid: "
                        + e.getMessage().substring(e.getMessage().indexOf(": ") + 2) + ".", e.field());
            }
            parsedFilters.add(parsed);
            filters.add(new WireFilter(parsed.protocol().wire(),
                    parsed.localAddresses() == null ? null : parsed.localAddresses().notation(),
                    parsed.remoteAddresses() == null ? null : parsed.remoteAddresses().notation(),
                    parsed.localPorts() == null ? null : parsed.localPorts().notation(),
                    parsed.remotePorts() == null ? null : parsed.remotePorts().notation()));
        }
        // with no host addresses: the shortest text the agent can make of these filters (it checks again with its own)
        Optional<String> tooLarge = BpfFilters.limitProblem(parsedFilters, List.of());
        if (tooLarge.isPresent()) throw filterLimit(tooLarge);
        boolean ring = CaptureSpec.isRing(continuous.orElse(null), settings.orElse(null));
        // a file set without captureSettings has the spec's defaults (10 files of 100 MiB, 24 h)
        Optional<CaptureSpec.CaptureSettings> limits = settings.isPresent() || !ring ? settings
                : Optional.of(new CaptureSpec.CaptureSettings(CaptureSpec.CaptureSettings.DEFAULT_FILE_COUNT,
                        CaptureSpec.CaptureSettings.DEFAULT_FILE_SIZE, CaptureSpec.CaptureSettings.DEFAULT_SESSION_TIME_LIMIT));
        CaptureSpec.Stop stop = limits.map(s -> new CaptureSpec.Stop(
                        // a file set's files have their own size; totalBytesPerSession, when given, bounds them all
                        ring ? (p.has("totalBytesPerSession") ? total : 0)
                                : firstReached(s.fileSizeInBytes(), p.has("totalBytesPerSession") ? total : 0),
                        firstReached(s.sessionTimeLimitInSeconds(), p.has("timeLimitInSeconds") ? time : 0)))
                .orElse(new CaptureSpec.Stop(total, time));
        return new CaptureSpec(target, targetType, scope, snap, total, time, storageId, storagePath, filePath,
                localPath, filters, continuous.orElse(null), settings.orElse(null), stop);
    }

    /** The smaller of two limits where 0 means none. */
    private static long firstReached(long a, long b) {
        if (a == 0) return b;
        if (b == 0) return a;
        return Math.min(a, b);
    }

    /**
     * {@code scope}: VMSS instances to include or exclude. A VM target takes none, or (from 2022-01-01, where the spec
     * defines scope) an include list that names only the target VM itself (by name or id) and nothing to exclude.
     */
    private static CaptureSpec.Scope scope(ArmBody p, ArmResourceId target, boolean defined) {
        Optional<ArmBody> given = p.object("scope");
        if (given.isEmpty()) return null;
        ArmBody s = given.get();
        List<String> include = s.has("include") ? s.strings("include") : null;
        List<String> exclude = s.has("exclude") ? s.strings("exclude") : null;
        boolean onlyTheVm = defined && include != null && !include.isEmpty() && (exclude == null || exclude.isEmpty())
                && include.stream().allMatch(name -> name.equalsIgnoreCase(target.name())
                        || ArmResourceId.tryParse(name).map(id -> id.key().equals(target.key())).orElse(false));
        boolean empty = (include == null || include.isEmpty()) && (exclude == null || exclude.isEmpty());
        if (!empty && !onlyTheVm) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.scope' applies only to AzureVMSS targets;"
                    + " a virtual machine target takes no exclude list and includes only itself ('" + target.name() + "').",
                    "properties.scope");
        }
        return defined ? new CaptureSpec.Scope(include, exclude) : null;
    }

    /**
     * {@code scope} of a scale-set target: instances to include and exclude, each an instance id ({@code 0}) or an
     * instance name ({@code SET_0}, as Azure's PowerShell docs write them); which exist is checked on create.
     */
    private static CaptureSpec.Scope scaleSetScope(ArmBody p) {
        Optional<ArmBody> given = p.object("scope");
        if (given.isEmpty()) return null;
        ArmBody s = given.get();
        List<String> include = s.has("include") ? s.strings("include") : null;
        List<String> exclude = s.has("exclude") ? s.strings("exclude") : null;
        for (String list : new String[] {"include", "exclude"}) {
            List<String> ids = list.equals("include") ? include : exclude;
            if (ids == null) continue;
            for (int i = 0; i < ids.size(); i++) {
                if (ids.get(i) == null || !ids.get(i).matches("([A-Za-z0-9][A-Za-z0-9._-]{0,79}_)?[0-9]{1,9}")) {
                    throw ArmErrorCode.InvalidParameter.exception("Property 'properties.scope." + list + "[" + i + "]' must be an instance"
                            + " id (0, 1, ...) or instance name (SET_0, ...) of the scale set; was '" + ids.get(i) + "'.", "properties.scope." + list + "[" + i + "]");
                }
            }
        }
        return new CaptureSpec.Scope(include, exclude);
    }

    /** {@code captureSettings}, each field checked against the spec's bounds, absent ones at the spec's default. */
    private static CaptureSpec.CaptureSettings settings(ArmBody s) {
        return new CaptureSpec.CaptureSettings(
                s.integer("fileCount", 0, CaptureSpec.CaptureSettings.MAX_FILE_COUNT, CaptureSpec.CaptureSettings.DEFAULT_FILE_COUNT),
                s.integer("fileSizeInBytes", 0, MAX_UINT32, CaptureSpec.CaptureSettings.DEFAULT_FILE_SIZE),
                s.integer("sessionTimeLimitInSeconds", 0, CaptureSpec.CaptureSettings.MAX_SESSION_TIME_LIMIT,
                        CaptureSpec.CaptureSettings.DEFAULT_SESSION_TIME_LIMIT));
    }

    /**
     * The spec's storage rule (2023-11-01 on): "filePath: This path is invalid if 'Continuous Capture' is provided with
     * 'true' or 'false'", "localPath: This path is valid if 'Continuous Capture' is provided with 'true' or 'false'".
     * So whether continuousCapture is present, not its value, decides which of the two a body may name.
     */
    private static void pathMatchesMode(boolean continuousGiven, String filePath, String localPath) {
        if (continuousGiven && filePath != null) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation.filePath' is invalid when"
                    + " continuousCapture is given (true or false); use localPath.", "properties.storageLocation.filePath");
        }
        if (!continuousGiven && localPath != null) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.storageLocation.localPath' is valid only when"
                    + " continuousCapture is given (true or false); without it, use filePath.", "properties.storageLocation.localPath");
        }
    }

    /**
     * What the agent does with the file settings (docs/captures.md): one file when neither continuousCapture nor
     * captureSettings is given, or continuousCapture false with fileCount 1; else a file set
     * ({@link CaptureSpec#isRing}): a ring with continuousCapture true, a set that ends when full otherwise. A
     * fileCount of 0 names no file and is refused, as is a file size too small to hold the pcap header and packets.
     */
    private static void requireSupportedSet(Boolean continuous, CaptureSpec.CaptureSettings settings) {
        if (!CaptureSpec.isRing(continuous, settings)) return;
        long files = settings == null ? CaptureSpec.CaptureSettings.DEFAULT_FILE_COUNT : settings.fileCount();
        long size = settings == null ? CaptureSpec.CaptureSettings.DEFAULT_FILE_SIZE : settings.fileSizeInBytes();
        if (files == 0) {
            throw ArmErrorCode.UnsupportedFeature.exception("Property 'properties.captureSettings.fileCount' is 0: a capture"
                    + " with continuousCapture or captureSettings writes 1 to " + CaptureSpec.CaptureSettings.MAX_FILE_COUNT
                    + " files; give at least 1.", "properties.captureSettings.fileCount");
        }
        if (size < RingOrder.MIN_FILE_SIZE) {
            throw ArmErrorCode.InvalidParameter.exception("Property 'properties.captureSettings.fileSizeInBytes' is " + size
                    + ": each file of a file set holds at least " + RingOrder.MIN_FILE_SIZE + " bytes (the pcap header and"
                    + " some packets).", "properties.captureSettings.fileSizeInBytes");
        }
    }

    private static ArmException filterLimit(Optional<String> problem) {
        return ArmErrorCode.PacketCaptureFilterLimitExceeded.exception("Property 'properties.filters' " + problem.orElseThrow()
                + ".", "properties.filters");
    }

    /** A Linux host path for a capture file: absolute, under /var/captures, naming a file, no traversal. */
    static String hostPath(String path, String field) {
        String p = path.trim();
        // The az CLI's Azure Stack profiles write every filePath Windows-style ("\var\captures\x.cap"
        // for --file-path /var/captures/x.cap); a rooted all-backslash path means the same path on a Linux host.
        if (p.startsWith("\\") && p.indexOf('/') < 0) p = p.replace('\\', '/');
        String problem = null;
        if (!p.startsWith(CAPTURES_ROOT + "/")) problem = "must be an absolute path under " + CAPTURES_ROOT + "/ (Linux hosts)";
        else if (p.endsWith("/")) problem = "must name a file, not a directory";
        else if (p.contains("/../") || p.endsWith("/..") || p.contains("/./") || p.contains("//")) problem = "must not contain '..', '.' or empty segments";
        else if (p.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) problem = "must not contain control characters or backslashes";
        else if (p.length() > 4096) problem = "is longer than 4096 characters";
        else {
            String name = p.substring(p.lastIndexOf('/') + 1);
            if (name.equals(".") || name.equals("..") || name.isEmpty()) problem = "must end with a file name";
            else if (name.length() > 255) problem = "has a file name longer than 255 characters";
        }
        if (problem != null) {
            throw ArmErrorCode.InvalidParameter.exception("Property '" + field + "' " + problem + "; was '" + path + "'.", field);
        }
        return p;
    }
}
