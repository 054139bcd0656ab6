package netwatcher.model.check;

import java.time.Instant;

/**
 * What an agent captured of a check's probes, sent with its final {@link CheckReport}.
 *
 * @param state       {@code captured} (the file is closed; see {@code upload}) or {@code unavailable}
 *                    (this host could not capture: {@code reason} says why, e.g. no libpcap, no space)
 * @param reason      why nothing was captured, or why the file is not uploaded; null otherwise
 * @param packets     packets in the file (counted from the closed file)
 * @param bytes       the file's size in bytes
 * @param firstPacketTime kernel time of the first packet, or null when none matched
 * @param lastPacketTime  kernel time of the last packet, or null when none matched
 * @param sha256      SHA-256 (lower-case hex) of the file, or null when nothing was captured
 * @param upload      {@code pending} (the agent uploads it to the spec's {@code uploadUrl}) or {@code none}
 *                    (not uploaded: no packet matched and the spec did not ask to keep an empty file, or
 *                    nothing was captured)
 * @param filter      the libpcap filter that was installed, for the reader of the file
 */
public record EvidenceReport(String state, String reason, long packets, long bytes, Instant firstPacketTime,
                             Instant lastPacketTime, String sha256, String upload, String filter) {
    public static final String CAPTURED = "captured";
    public static final String UNAVAILABLE = "unavailable";
    public static final String UPLOAD_PENDING = "pending";
    public static final String UPLOAD_NONE = "none";

    public EvidenceReport {
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
        }
    }

    /** A host that could not capture, and why. */
    public static EvidenceReport unavailable(String reason) {
        return new EvidenceReport(UNAVAILABLE, reason, 0, 0, null, null, null, UPLOAD_NONE, null);
    }
}
