package netwatcher.cli.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import netwatcher.arm.ArmException;
import netwatcher.controller.ControllerConfig;
import netwatcher.controller.admin.AdminViews;
import netwatcher.controller.agents.AgentRepository;
import netwatcher.controller.auth.AdminToken;
import netwatcher.controller.auth.AdminTokenRepository;
import netwatcher.controller.auth.JdbcEnrollmentTokenRepository;
import netwatcher.controller.auth.JdbcRoleAssignmentRepository;
import netwatcher.controller.auth.JdbcServicePrincipalRepository;
import netwatcher.controller.auth.Role;
import netwatcher.controller.auth.Scope;
import netwatcher.controller.auth.SecurityAdmin;
import netwatcher.controller.db.Database;
import netwatcher.controller.subscriptions.SubscriptionRepository;
import netwatcher.controller.subscriptions.SubscriptionService;

/**
 * {@link AdminBackend} on the data directory's database, for when no controller runs. The same
 * rules as the admin API (ranges, role names, scopes). Not thread-safe; close it to release the
 * database (the embedded H2 file admits one process).
 */
public final class LocalAdmin implements AdminBackend {
    private final Path dataDir;
    private final Clock clock;
    private final Database db;
    private final SecurityAdmin security;
    private final SubscriptionService subscriptions;
    private final AgentRepository agents = new AgentRepository();

    private LocalAdmin(Path dataDir, Database db, Clock clock) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.db = db;
        this.security = new SecurityAdmin(new JdbcServicePrincipalRepository(db), new JdbcRoleAssignmentRepository(db, clock),
                new JdbcEnrollmentTokenRepository(db, clock), clock);
        this.subscriptions = new SubscriptionService(db, new SubscriptionRepository(), clock);
    }

    /**
     * Opens the database the controller of {@code dataDir} uses.
     *
     * @param noController why no running controller is used, as a sentence start for messages
     *                     ({@code "No controller answers at https://127.0.0.1:8443"})
     * @throws AdminException when the directory holds no controller state, or another process (a
     *     controller) holds the embedded database
     */
    public static LocalAdmin open(Path dataDir, String noController, Clock clock) {
        ControllerConfig config;
        try {
            config = ControllerConfig.load(dataDir, null);
        } catch (Exception e) {
            throw new AdminException("Cannot read " + dataDir.resolve("controller.properties") + ": " + e.getMessage(), e);
        }
        boolean embedded = config.database().jdbcUrl().startsWith("jdbc:h2:");
        if (embedded && !Files.isDirectory(dataDir.resolve("state"))) {
            throw new AdminException(noController + ", and " + dataDir.toAbsolutePath()
                    + " holds no controller state. Start one with 'nw up --data-dir " + dataDir + "', or pass --controller/--data-dir.");
        }
        try {
            return new LocalAdmin(dataDir, Database.open(config.database()), clock);
        } catch (RuntimeException e) {
            if (embedded && isLocked(e)) {
                throw new AdminException("The database under " + dataDir.toAbsolutePath().resolve("state")
                        + " is in use by another process (a running controller that is not recorded in " + dataDir.resolve("controller.json")
                        + "). " + noController + ". The embedded database admits one process at a time: pass --controller with the URL"
                        + " that 'nw up' printed, or stop that controller first.", e);
            }
            throw new AdminException("Cannot open the database of " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isLocked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("already in use") || m.contains("Locked by another") || m.contains("90020")) return true;
        }
        return false;
    }

    private static <T> T run(Supplier<T> action) {
        try {
            return action.get();
        } catch (ArmException e) {
            throw new AdminException(e.error().code() + ": " + e.error().message(), e);
        } catch (IllegalArgumentException e) {
            throw new AdminException(e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Object> createEnrollmentToken(String subscriptionId, String resourceGroup, long expiresInSeconds, int maxUses) {
        if (maxUses < 1 || maxUses > 1_000_000) throw new AdminException("--max-uses must be between 1 and 1000000; was " + maxUses);
        if (expiresInSeconds < 60) throw new AdminException("--expires-in must be at least 60 s");
        return run(() -> AdminViews.createdEnrollmentToken(security.createEnrollmentToken(Optional.ofNullable(subscriptionId),
                Optional.ofNullable(resourceGroup), Duration.ofSeconds(expiresInSeconds), maxUses)));
    }

    @Override
    public List<Map<String, Object>> listEnrollmentTokens() {
        return security.listEnrollmentTokens().stream().map(AdminViews::enrollmentToken).toList();
    }

    @Override
    public void revokeEnrollmentToken(String id) {
        if (!security.revokeEnrollmentToken(id)) throw new AdminException("NotFound: No enrollment token with id '" + id + "'.");
    }

    @Override
    public Map<String, Object> createServicePrincipal(String displayName) {
        return run(() -> AdminViews.createdServicePrincipal(security.createServicePrincipal(displayName)));
    }

    @Override
    public List<Map<String, Object>> listServicePrincipals() {
        return security.listServicePrincipals().stream().map(AdminViews::servicePrincipal).toList();
    }

    private static UUID clientId(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new AdminException("InvalidParameter: '" + s + "' is not a client id (GUID).");
        }
    }

    @Override
    public void revokeServicePrincipal(String clientId) {
        if (!security.revokeServicePrincipal(clientId(clientId))) {
            throw new AdminException("NotFound: No service principal with client id '" + clientId + "'.");
        }
    }

    @Override
    public Map<String, Object> resetServicePrincipalSecret(String clientId) {
        return AdminViews.createdServicePrincipal(security.resetServicePrincipalSecret(clientId(clientId))
                .orElseThrow(() -> new AdminException("NotFound: No service principal with client id '" + clientId + "'.")));
    }

    @Override
    public Map<String, Object> assignRole(String principalId, String role, String scope) {
        Role r = run(() -> Role.of(role));
        String s = run(() -> Scope.parse(scope).path());
        return run(() -> AdminViews.roleAssignment(security.assignRole(principalId, r, s)));
    }

    @Override
    public List<Map<String, Object>> listRoleAssignments() {
        return security.listRoleAssignments(Optional.empty()).stream().map(AdminViews::roleAssignment).toList();
    }

    @Override
    public void removeRoleAssignment(String id) {
        if (!security.removeRoleAssignment(id)) throw new AdminException("NotFound: No role assignment with id '" + id + "'.");
    }

    @Override
    public Map<String, Object> createSubscription(String id, String displayName) {
        return run(() -> AdminViews.subscription(subscriptions.create(id, displayName)));
    }

    @Override
    public List<Map<String, Object>> listSubscriptions() {
        return subscriptions.all().stream().map(AdminViews::subscription).toList();
    }

    @Override
    public List<Map<String, Object>> listAgents() {
        return agents.all(db).stream().map(AdminViews::agent).toList();
    }

    @Override
    public void revokeAgent(String agentId) {
        if (agents.find(db, agentId).isEmpty()) throw new AdminException("NotFound: No agent with id '" + agentId + "'.");
        agents.revoke(db, agentId);
    }

    /**
     * Rotates in the database itself, as the admin API does, and writes the new token to the data directory's
     * {@code admin.token}; on PostgreSQL the running controllers are told at once ({@code NOTIFY}), and re-read within
     * a second anyway.
     */
    @Override
    public Map<String, Object> rotateAdminToken(long graceSeconds) {
        try {
            AdminToken token = AdminToken.establish(dataDir, new AdminTokenRepository(db, clock), db.config().embedded());
            return AdminViews.rotatedAdminToken(token.rotate(Duration.ofSeconds(graceSeconds)));
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new AdminException(e.getMessage(), e);
        }
    }

    @Override
    public void close() { db.close(); }
}
