package netwatcher.controller.capture;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ArmResourceId;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;

/**
 * A packet capture as stored.
 *
 * @param key           internal stable key (the agent protocol's capture key)
 * @param properties    the ARM properties the PUT asked for, normalised, as GET echoes them
 * @param order         the order sent to the agent (its {@code run} flag is computed when served)
 * @param report        the agent's latest report, or null
 * @param finalState    true once the capture is stopped or failed and its upload is settled
 * @param stored        what the controller found in the storage account for the upload, or null
 */
public record Capture(String key, ArmResourceId id, String watcherKey, String vmKey, Map<String, Object> properties,
                      CaptureOrder order, String etag, String provisioningState, Instant createdAt, boolean deleted,
                      boolean stopRequested, String status, String stopReason, List<String> errors, String message,
                      Instant captureStart, Instant captureEnd, CaptureReport report, Instant reportedAt, boolean finalState,
                      StoredFile stored) {
    /** A capture whose upload the controller has not looked at. */
    public Capture(String key, ArmResourceId id, String watcherKey, String vmKey, Map<String, Object> properties,
                   CaptureOrder order, String etag, String provisioningState, Instant createdAt, boolean deleted,
                   boolean stopRequested, String status, String stopReason, List<String> errors, String message,
                   Instant captureStart, Instant captureEnd, CaptureReport report, Instant reportedAt, boolean finalState) {
        this(key, id, watcherKey, vmKey, properties, order, etag, provisioningState, createdAt, deleted, stopRequested, status,
                stopReason, errors, message, captureStart, captureEnd, report, reportedAt, finalState, null);
    }

    public Capture {
        properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
        errors = List.copyOf(errors);
    }

    /**
     * The stored object of a capture's upload, as the controller found it.
     *
     * @param bytes   its size: recorded when a local upload was committed, then as read back; null before
     * @param sha256  SHA-256 (lower-case hex) of the bytes read back, or null before the check
     * @param check   the verdict against the agent's report, or null before the check
     */
    public record StoredFile(Long bytes, String sha256, UploadCheck check) {}

    /** Whether the stored object is exactly the file the agent wrote. */
    public enum UploadCheck { VERIFIED, MISMATCH }

    public boolean terminal() { return "Stopped".equals(status) || "Error".equals(status); }
}
