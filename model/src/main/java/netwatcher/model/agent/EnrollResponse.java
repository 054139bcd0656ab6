package netwatcher.model.agent;

/**
 * The agent's credential: it authenticates as {@code Bearer nwa.<agentId>.<secret>} from now on
 * and may act only for {@code vmId}. The controller keeps only a hash of the secret.
 */
public record EnrollResponse(String agentId, String secret, String vmId) {
    /** The bearer token value for the Authorization header. */
    public String bearer() { return ProtocolVersion.CREDENTIAL_PREFIX + agentId + "." + secret; }
}
