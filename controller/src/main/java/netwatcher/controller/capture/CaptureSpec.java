package netwatcher.controller.capture;

import java.util.ArrayList;
import java.util.List;
import netwatcher.arm.ArmResourceId;
import netwatcher.controller.http.AccessControl.Permission;
import netwatcher.controller.http.AccessControl.Reference;
import netwatcher.model.agent.CaptureOrder.WireFilter;
import netwatcher.model.agent.RingOrder;

/**
 * A validated PacketCaptureParameters: what the PUT asked for, with ARM's defaults applied. Fields an
 * api-version does not define are null here (the parser refuses or ignores them as that version did).
 *
 * @param target                  the VM
 * @param targetType              as given ({@code AzureVM}), or null
 * @param scope                   {@code scope} as given, or null when absent
 * @param bytesToCapturePerPacket snap length, 0 = whole packet
 * @param totalBytesPerSession    byte limit
 * @param timeLimitInSeconds      time limit
 * @param storageId               storage account id, or null
 * @param storagePath             blob URL (given or generated), or null
 * @param filePath                path on the host, or null
 * @param localPath               path on the host (continuous-capture spelling), or null
 * @param filters                 filters in wire notation (normalised)
 * @param continuousCapture       {@code continuousCapture} as given: null when absent, which is not false
 * @param captureSettings         {@code captureSettings} with its defaults filled in, or null when absent
 * @param stop                    the limits the agent is told, from all of the above
 */
public record CaptureSpec(ArmResourceId target, String targetType, Scope scope,
                          long bytesToCapturePerPacket, long totalBytesPerSession, long timeLimitInSeconds,
                          String storageId, String storagePath, String filePath, String localPath,
                          List<WireFilter> filters, Boolean continuousCapture, CaptureSettings captureSettings, Stop stop) {
    public CaptureSpec {
        filters = List.copyOf(filters);
        if (stop == null) throw new IllegalArgumentException("a capture spec needs its stop limits");
    }

    /**
     * When the agent ends the capture's one file (0 = no limit). Without captureSettings: totalBytesPerSession and
     * timeLimitInSeconds. With them, the file's own limits, fileSizeInBytes and sessionTimeLimitInSeconds (up to
     * 7 days, which the 5 h timeLimitInSeconds could never allow), and totalBytesPerSession and timeLimitInSeconds
     * too when the body gave them: whichever is reached first.
     *
     * @param bytes   bytes written
     * @param seconds seconds since the capture was created
     */
    public record Stop(long bytes, long seconds) {}

    /**
     * PacketCaptureMachineScope as given: each list null when the body did not have it.
     *
     * @param include instances to capture on, or null
     * @param exclude instances to skip, or null
     */
    public record Scope(List<String> include, List<String> exclude) {
        public Scope {
            include = include == null ? null : List.copyOf(include);
            exclude = exclude == null ? null : List.copyOf(exclude);
        }
    }

    /**
     * PacketCaptureSettings with the spec's defaults for the fields not given.
     *
     * @param fileCount                 files (0-10000, default 10)
     * @param fileSizeInBytes           bytes per file (0-4294967295, default 104857600)
     * @param sessionTimeLimitInSeconds seconds (0-604800, default 86400)
     */
    public record CaptureSettings(long fileCount, long fileSizeInBytes, long sessionTimeLimitInSeconds) {
        public static final long DEFAULT_FILE_COUNT = 10;
        public static final long MAX_FILE_COUNT = 10_000;
        public static final long DEFAULT_FILE_SIZE = 104_857_600L;
        public static final long DEFAULT_SESSION_TIME_LIMIT = 86_400;
        public static final long MAX_SESSION_TIME_LIMIT = 604_800;
    }

    /**
     * Whether the agent writes a file set rather than one file: continuousCapture true, or captureSettings (given,
     * or defaulted by continuousCapture false) with a fileCount other than 1.
     */
    public static boolean isRing(Boolean continuous, CaptureSettings settings) {
        if (Boolean.TRUE.equals(continuous)) return true;
        if (continuous == null && settings == null) return false;
        return (settings == null ? CaptureSettings.DEFAULT_FILE_COUNT : settings.fileCount()) != 1;
    }

    /** The file set the agent writes, or null for one file. */
    public RingOrder ring() {
        if (!isRing(continuousCapture, captureSettings)) return null;
        CaptureSettings s = captureSettings != null ? captureSettings
                : new CaptureSettings(CaptureSettings.DEFAULT_FILE_COUNT, CaptureSettings.DEFAULT_FILE_SIZE,
                        CaptureSettings.DEFAULT_SESSION_TIME_LIMIT);
        return new RingOrder((int) s.fileCount(), s.fileSizeInBytes(), Boolean.TRUE.equals(continuousCapture));
    }

    /** The VMSS instances to include ({@code scope.include}), empty when none were named. */
    public List<String> scopeInclude() {
        return scope == null || scope.include() == null ? List.of() : scope.include();
    }

    /** The VMSS instances to exclude ({@code scope.exclude}), empty when none were named. */
    public List<String> scopeExclude() {
        return scope == null || scope.exclude() == null ? List.of() : scope.exclude();
    }

    /**
     * Every resource this capture acts on besides its watcher: the target VM (Contributor: a capture
     * records that host's traffic; in the watcher's subscription) and the storage account the file is
     * written to (Contributor; any subscription).
     */
    public List<Reference> references() {
        List<Reference> refs = new ArrayList<>();
        refs.add(Reference.local("properties.target", target, Permission.WRITE));
        if (storageId != null) {
            refs.add(Reference.anywhere("properties.storageLocation.storageId",
                    ArmResourceId.parse(storageId, "properties.storageLocation.storageId"), Permission.WRITE));
        }
        return List.copyOf(refs);
    }
}
