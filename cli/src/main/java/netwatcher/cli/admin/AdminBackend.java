package netwatcher.cli.admin;

import java.util.List;
import java.util.Map;

/**
 * What {@code nw admin} can do, against a running controller ({@link RemoteAdmin}) or the data
 * directory ({@link LocalAdmin}). Results are the admin API's JSON objects as maps. Failures throw
 * {@link AdminException}. Not thread-safe; one command uses one backend, then closes it.
 */
public interface AdminBackend extends AutoCloseable {
    Map<String, Object> createEnrollmentToken(String subscriptionId, String resourceGroup, long expiresInSeconds, int maxUses);

    List<Map<String, Object>> listEnrollmentTokens();

    void revokeEnrollmentToken(String id);

    Map<String, Object> createServicePrincipal(String displayName);

    List<Map<String, Object>> listServicePrincipals();

    void revokeServicePrincipal(String clientId);

    Map<String, Object> resetServicePrincipalSecret(String clientId);

    Map<String, Object> assignRole(String principalId, String role, String scope);

    List<Map<String, Object>> listRoleAssignments();

    void removeRoleAssignment(String id);

    Map<String, Object> createSubscription(String id, String displayName);

    List<Map<String, Object>> listSubscriptions();

    List<Map<String, Object>> listAgents();

    void revokeAgent(String agentId);

    /**
     * Rotates the admin token (the old one verifies {@code graceSeconds} longer); the answer carries the new token and
     * where it was written. The data directory's {@code admin.token} holds the new token afterwards.
     */
    Map<String, Object> rotateAdminToken(long graceSeconds);

    @Override
    void close();
}
