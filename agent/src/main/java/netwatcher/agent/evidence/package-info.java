/**
 * Probe packets as evidence: while this agent takes part in a connectivity check (as its source or as
 * an observer), it captures the check's own probes with the capture engine ({@link
 * netwatcher.agent.capture.CaptureSession}: libpcap writes the file, no per-packet Java work), bounded in
 * time and bytes, and uploads the finished file to the controller's storage account through the same
 * {@link netwatcher.agent.upload.UploadService} that capture files use. {@link EvidenceFilter} turns the
 * check's flow into a libpcap filter (a pure function), {@link EvidenceRecorder} arms, stops, summarises and
 * uploads, and bounds what stays on the host. The controller's side is {@code netwatcher.controller.evidence}.
 */
package netwatcher.agent.evidence;
