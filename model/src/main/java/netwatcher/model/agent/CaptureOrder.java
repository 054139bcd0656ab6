package netwatcher.model.agent;

import java.time.Instant;
import java.util.List;

/**
 * A capture the controller wants on this agent's host.
 *
 * @param key            stable id of the capture across restarts (the controller's, not ARM's name)
 * @param captureId      the ARM id, for messages
 * @param run            true while it should run; false once stopped by request or deleted
 * @param snapLength     bytesToCapturePerPacket (0 = whole packet)
 * @param totalBytes     totalBytesPerSession (0 = no byte limit)
 * @param timeLimitSeconds timeLimitInSeconds (0 = no time limit)
 * @param filters        ARM filters in wire notation (protocol, local/remote IP and port strings)
 * @param filePath       the host path under /var/captures to write, or null to let the agent choose
 * @param upload         where to upload the finished file, or null for host-only captures
 * @param createdAt      when the controller accepted the PUT
 * @param ring           the file set (ring) to write instead of one file, or null for one file; with a ring,
 *                       {@code filePath} names the capture (the files are named after it, docs/captures.md) and
 *                       {@code upload} is the base each file's name is appended to ({@link UploadTarget#forFile})
 */
public record CaptureOrder(String key, String captureId, boolean run, long snapLength, long totalBytes,
                           long timeLimitSeconds, List<WireFilter> filters, String filePath,
                           UploadTarget upload, Instant createdAt, RingOrder ring) {
    /** Largest {@code snapLength} and {@code totalBytes}: ARM's uint32 bytesToCapturePerPacket and totalBytesPerSession. */
    public static final long MAX_BYTES = 4294967295L;
    /**
     * Largest {@code timeLimitSeconds}: the longest limit ARM can set, captureSettings.sessionTimeLimitInSeconds
     * (7 days; timeLimitInSeconds stops at 18000).
     */
    public static final long MAX_TIME_LIMIT_SECONDS = 604_800;

    public CaptureOrder {
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    /** An ARM filter as sent on the wire; the agent parses it with {@code CaptureFilter.parse}. */
    public record WireFilter(String protocol, String localIPAddress, String remoteIPAddress,
                             String localPort, String remotePort) {}
}
