package netwatcher.controller.agents;

import java.time.Instant;

/** An enrolled agent: its id, the hash of its secret, and the VM it acts for. */
public record AgentRecord(String agentId, String secretHash, String vmKey, Instant enrolledAt, Instant lastSeenAt,
                          String agentVersion, boolean revoked) {}
