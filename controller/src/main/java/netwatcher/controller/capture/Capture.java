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
 * @param accountId     the storage account's id, or null
 * @param blobPath      the path inside the storage account, or null
 * @param report        the agent's latest report, or null
 * @param finalState    true once the capture is stopped or failed and its upload is settled
 */
public record Capture(String key, ArmResourceId id, String watcherKey, String vmKey, Map<String, Object> properties,
                      CaptureOrder order, String etag, String provisioningState, Instant createdAt, boolean deleted,
                      boolean stopRequested, String status, String stopReason, List<String> errors, String message,
                      Instant captureStart, Instant captureEnd, CaptureReport report, Instant reportedAt, boolean finalState) {
    public Capture {
        properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
        errors = List.copyOf(errors);
    }

    public boolean terminal() { return "Stopped".equals(status) || "Error".equals(status); }
}
