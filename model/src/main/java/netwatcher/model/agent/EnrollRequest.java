package netwatcher.model.agent;

/**
 * POST {@code /agent/v1/enroll}: trade an admin-issued enrollment token for the agent's own
 * credential, naming the VM the agent will act for.
 */
public record EnrollRequest(String enrollmentToken, String subscriptionId, String resourceGroup,
                            String vmName, String location, String hostname) {}
