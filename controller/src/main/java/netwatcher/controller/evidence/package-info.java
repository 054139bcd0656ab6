/**
 * Probe packets as evidence, the controller's side: every connectivity check whose caller came through
 * the ARM API gets an {@code nw_evidence} row (the client's base URL, so that {@code storagePath}s are
 * the URLs that client downloads from); its source and observer orders carry an
 * {@link netwatcher.model.check.EvidenceSpec} (filter addresses, limits, where to upload); agents
 * upload the finished files to {@code /agent/v1/checks/{key}/evidence} ({@link EvidenceRoutes}, the same
 * resumable, create-only protocol as capture files, section 5 of docs/agent-protocol.md), where the stored
 * object is read back and its size and SHA-256 compared with what the agent announced; and
 * {@link EvidenceService#entries} lists one entry per host in the check's result ({@code evidence}, an
 * extension property of ConnectivityInformation that ARM clients ignore). Files are named in the default local
 * storage account under {@code network-watcher-logs/connectivity-evidence/{checkKey}/}, readable with the
 * rights a capture file needs (Reader on the account); {@link EvidenceService#collectExpired} bounds them.
 * Where the bytes are is {@link EvidenceFiles}: the account's directory with one controller
 * ({@link LocalEvidenceFiles}), the database in cluster mode ({@link DatabaseEvidenceFiles},
 * {@code nw_evidence_file}, mounted into the account's download route), so that an upload resumes and a
 * download succeeds through any controller; their retention then runs on the leader.
 */
package netwatcher.controller.evidence;
