package netwatcher.model.agent;

import netwatcher.model.capture.CaptureError;
import netwatcher.model.capture.CaptureStatus;
import netwatcher.model.capture.StopReason;
import netwatcher.model.capture.UploadState;

import java.time.Instant;
import java.util.List;

/**
 * What the agent observed of one capture; sent in {@link Reports}. Idempotent: the controller keeps
 * the latest report per capture key and never moves a finished capture back to running.
 *
 * @param key          the order's key
 * @param status       ARM's {@code PcStatus} (NotStarted, Running, Stopped, Error; never Unknown, which is the controller's)
 * @param stopReason   why it stopped, or null while running
 * @param errors       ARM's {@code PcError} values
 * @param message      a human sentence about a failure, or null
 * @param startTime    when libpcap was armed, or null
 * @param endTime      when the file was closed, or null
 * @param packets      packets written to the file
 * @param bytes        bytes written to the file (pcap_dump_ftell)
 * @param kernelDrops  ps_drop
 * @param interfaceDrops ps_ifdrop
 * @param kernelReceived ps_recv
 * @param firstPacketTime timestamp of the first packet in the file, or null
 * @param lastPacketTime  timestamp of the last packet in the file, or null
 * @param filePath     the file on the host
 * @param uploadState  where the upload is (never {@code verifying}, which is the controller's)
 * @param uploadedBytes bytes confirmed by the storage account
 * @param fileSha256   SHA-256 (lower-case hex) of the capture file as the agent uploaded it, computed while
 *                     uploading; set with uploadState {@code done}, else null (and null from older agents)
 * @param ring         the capture's file set, or null for a one-file capture
 */
public record CaptureReport(String key, CaptureStatus status, StopReason stopReason, List<CaptureError> errors, String message,
                            Instant startTime, Instant endTime, long packets, long bytes, long kernelDrops,
                            long interfaceDrops, long kernelReceived, Instant firstPacketTime,
                            Instant lastPacketTime, String filePath, UploadState uploadState, long uploadedBytes,
                            String fileSha256, RingReport ring) {
    public CaptureReport {
        errors = errors == null ? List.of() : List.copyOf(errors);
        if (fileSha256 != null && !fileSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("fileSha256 must be 64 lower-case hex digits");
        }
    }

    /** This report with another upload state, confirmed byte count and file hash. */
    public CaptureReport withUpload(UploadState state, long confirmedBytes, String sha256) {
        return new CaptureReport(key, status, stopReason, errors, message, startTime, endTime, packets, bytes, kernelDrops,
                interfaceDrops, kernelReceived, firstPacketTime, lastPacketTime, filePath, state, confirmedBytes, sha256, ring);
    }

    /** This report with {@code value} as its file set. */
    public CaptureReport withRing(RingReport value) {
        return new CaptureReport(key, status, stopReason, errors, message, startTime, endTime, packets, bytes, kernelDrops,
                interfaceDrops, kernelReceived, firstPacketTime, lastPacketTime, filePath, uploadState, uploadedBytes, fileSha256, value);
    }
}
