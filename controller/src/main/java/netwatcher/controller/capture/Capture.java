package netwatcher.controller.capture;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import netwatcher.controller.resources.ArmNames;
import netwatcher.arm.ArmResourceId;
import netwatcher.arm.ProvisioningState;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;

/**
 * A packet capture as stored, and the rules of its life: each change is a method that returns the
 * capture after it (a new etag; this one is never changed), so every rule is tested without a database.
 *
 * @param key           internal stable key (the agent protocol's capture key)
 * @param properties    the ARM properties the PUT asked for, normalised, as GET echoes them
 * @param order         the order sent to the agent (its {@code run} flag is computed when served)
 * @param report        the agent's latest report, or null
 * @param finalState    true once the capture is stopped or failed and its upload is settled
 * @param stored        what the controller found in the storage account for the upload, or null
 * @param storage       where the file is uploaded (storage account and path), or null when it is not
 */
public record Capture(String key, ArmResourceId id, String watcherKey, String vmKey, Map<String, Object> properties,
                      CaptureOrder order, String etag, ProvisioningState provisioningState, Instant createdAt, boolean deleted,
                      boolean stopRequested, CaptureStatus status, StopReason stopReason, List<CaptureError> errors, String message,
                      Instant captureStart, Instant captureEnd, CaptureReport report, Instant reportedAt, boolean finalState,
                      StoredFile stored, StorageTarget storage) {
    /**
     * Where a capture's file is uploaded.
     *
     * @param accountKey the storage account's id key ({@code ArmResourceId.key()})
     * @param blobPath   the path inside the account (container first)
     */
    public record StorageTarget(String accountKey, String blobPath) {
        public StorageTarget {
            if (accountKey == null || accountKey.isBlank() || blobPath == null || blobPath.isBlank()) {
                throw new IllegalArgumentException("a storage target needs an account and a path");
            }
        }
    }

    /** True when the capture's file is uploaded to a storage account. */
    public boolean uploads() {
        return storage != null;
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

    /** True once the capture has ended (Stopped or Error). */
    public boolean terminal() { return status.isTerminal(); }

    /**
     * What a PUT asks for, validated and resolved: the capture's id, its watcher and VM (by key), the ARM properties as GET
     * echoes them, the order for the agent (whose key is the capture's) and where its file is uploaded (or null).
     */
    public record Intent(ArmResourceId id, String watcherKey, String vmKey, Map<String, Object> properties, CaptureOrder order,
                         StorageTarget storage) {}

    /** A new capture, as its PUT records it: Updating and NotStarted until its agent takes it. */
    public static Capture created(Intent intent, Instant now) {
        return new Capture(intent.order().key(), intent.id(), intent.watcherKey(), intent.vmKey(), intent.properties(), intent.order(),
                ArmNames.newEtag(), ProvisioningState.Updating, now, false, false, CaptureStatus.NotStarted, null, List.of(), null, null,
                null, null, null, false, null, intent.storage());
    }

    /** Whether its agent must (still) capture: not deleted, not stopped, not failed, not ended. */
    public boolean runs() {
        return !deleted && !stopRequested && provisioningState != ProvisioningState.Failed && !terminal();
    }

    /** The status ARM shows: the stored one, or Unknown while a running capture's agent is away. */
    public CaptureStatus visibleStatus(boolean agentConnected) {
        return status == CaptureStatus.Running && !agentConnected ? CaptureStatus.Unknown : status;
    }

    /**
     * The upload state ARM clients see: the agent's, except that its {@code done} shows as {@code verifying}
     * until the controller has checked the stored file (and {@code failed} when that check failed). Null before
     * the agent said anything.
     */
    public UploadState visibleUploadState() {
        if (report == null || report.uploadState() == null) return null;
        if (report.uploadState() != UploadState.DONE) return report.uploadState();
        UploadCheck check = stored == null ? null : stored.check();
        // settled without a check: no storage account, or finished before the controller checked uploads
        if (check == null) return !uploads() || finalState ? UploadState.DONE : UploadState.VERIFYING;
        return check == UploadCheck.VERIFIED ? UploadState.DONE : UploadState.FAILED;
    }

    /** The capture with a stop requested. */
    public Capture withStopRequested() {
        return with(b -> b.stopRequested = true);
    }

    /** The capture deleted from ARM; {@code settled} when no agent will report on it again. */
    public Capture deletedFromArm(boolean settled) {
        return with(b -> {
            b.deleted = true;
            b.finalState = settled;
        });
    }

    /**
     * The capture after its agent's report {@code r} arrived at {@code now}. Monotone: an ended capture keeps its
     * status, reason and errors (only a missing end time is filled in); it is {@link #provisioningState} Succeeded once
     * its agent took it (Failed when it ended in Error without ever starting); it is final once ended and its upload
     * settled (no upload, failed, or done and checked by the controller), or ended after a delete.
     */
    public Capture afterReport(CaptureReport r, Instant now) {
        boolean wasTerminal = terminal();
        return with(b -> {
            b.report = r;
            b.reportedAt = now;
            if (!wasTerminal) {
                b.status = r.status();
                b.stopReason = r.stopReason();
                b.errors = r.errors();
                b.message = r.message();
                if (r.startTime() != null) b.captureStart = r.startTime();
                if (r.endTime() != null) b.captureEnd = r.endTime();
            } else if (r.endTime() != null && b.captureEnd == null) {
                b.captureEnd = r.endTime();
            }
            // an end never precedes the start (an agent's clock or a lost file's mtime may say otherwise)
            if (b.captureStart != null && b.captureEnd != null && b.captureEnd.isBefore(b.captureStart)) b.captureEnd = b.captureStart;
            if (b.provisioningState == ProvisioningState.Updating) {
                if (b.status == CaptureStatus.Error && b.captureStart == null) b.provisioningState = ProvisioningState.Failed;
                else if (b.status != CaptureStatus.NotStarted) b.provisioningState = ProvisioningState.Succeeded;
            }
            // "done" settles only once the controller has checked the stored file against the report
            boolean uploadSettled = !uploads() || r.uploadState() == null
                    || r.uploadState() == UploadState.FAILED || r.uploadState() == UploadState.NONE
                    || (r.uploadState() == UploadState.DONE && stored != null && stored.check() != null);
            if (b.status.isTerminal() && (uploadSettled || b.deleted)) b.finalState = true;
        });
    }

    /**
     * The capture after the controller checked its stored file: {@code failure} (null when the file is the one the
     * agent wrote) ends it Error / UploadFailed / StorageFailed. An ended capture is final after the check.
     */
    public Capture afterUploadCheck(String failure) {
        return with(b -> {
            if (failure != null) {
                b.status = CaptureStatus.Error;
                b.stopReason = StopReason.UploadFailed;
                List<CaptureError> errs = new ArrayList<>(b.errors);
                if (!errs.contains(CaptureError.StorageFailed)) errs.add(CaptureError.StorageFailed);
                b.errors = errs;
                String msg = "The upload of the capture file failed its check: " + failure + ".";
                b.message = b.message == null ? msg : b.message + " " + msg;
            }
            if (b.status.isTerminal()) b.finalState = true;
        });
    }

    /** True while no agent has taken the capture (it is Updating and nothing was reported). */
    public boolean unclaimed() {
        return provisioningState == ProvisioningState.Updating && reportedAt == null;
    }

    /** The capture that no agent took in time: Failed, Error / AgentUnavailable, final, with {@code message}. */
    public Capture expiredUnclaimed(String message) {
        return with(b -> {
            b.provisioningState = ProvisioningState.Failed;
            b.status = CaptureStatus.Error;
            b.stopReason = StopReason.AgentUnavailable;
            b.errors = List.of(StopReason.AgentUnavailable.error());
            b.message = message;
            b.finalState = true;
        });
    }

    /**
     * The capture whose agent has been away too long for the controller to wait (an instance of a fleet capture):
     * final. One that still ran ends Error / AgentLost / AgentStopped at {@code lastHeard}; one that had ended keeps
     * its status and reason (its upload never settled). {@code message} says what is known.
     */
    public Capture givenUp(String message, Instant lastHeard) {
        return with(b -> {
            if (!b.status.isTerminal()) {
                b.status = StopReason.AgentLost.status();
                b.stopReason = StopReason.AgentLost;
                List<CaptureError> errs = new ArrayList<>(b.errors);
                if (!errs.contains(StopReason.AgentLost.error())) errs.add(StopReason.AgentLost.error());
                b.errors = errs;
                if (b.captureEnd == null) b.captureEnd = b.captureStart != null && lastHeard.isBefore(b.captureStart) ? b.captureStart : lastHeard;
            }
            if (b.provisioningState == ProvisioningState.Updating) b.provisioningState = b.captureStart == null
                    ? ProvisioningState.Failed : ProvisioningState.Succeeded;
            b.message = b.message == null ? message : b.message + " " + message;
            b.finalState = true;
        });
    }

    /** The fields a lifecycle rule may change. */
    private static final class Builder {
        ProvisioningState provisioningState;
        CaptureStatus status;
        StopReason stopReason;
        String message;
        boolean deleted, stopRequested, finalState;
        List<CaptureError> errors;
        Instant captureStart, captureEnd, reportedAt;
        CaptureReport report;
    }

    private Capture with(Consumer<Builder> change) {
        Builder b = new Builder();
        b.provisioningState = provisioningState;
        b.status = status;
        b.stopReason = stopReason;
        b.message = message;
        b.deleted = deleted;
        b.stopRequested = stopRequested;
        b.finalState = finalState;
        b.errors = errors;
        b.captureStart = captureStart;
        b.captureEnd = captureEnd;
        b.reportedAt = reportedAt;
        b.report = report;
        change.accept(b);
        return new Capture(key, id, watcherKey, vmKey, properties, order, ArmNames.newEtag(), b.provisioningState, createdAt, b.deleted,
                b.stopRequested, b.status, b.stopReason, b.errors, b.message, b.captureStart, b.captureEnd, b.report, b.reportedAt,
                b.finalState, stored, storage);
    }
}
