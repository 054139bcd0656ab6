package netwatcher.controller.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The administrator's operations on security state: service principals (the secret is returned
 * once, only its hash is kept), role assignments, agent enrollment tokens (the token is returned
 * once), and the redemption of an enrollment token by an enrolling agent. The CLI
 * ({@code nw admin ...}) calls it directly on the data directory or through admin routes; callers
 * decide who may call it (the admin, or an Owner at the scope for role assignments, see
 * {@link Authorizer#canManageAssignments}).
 *
 * <p>Thread-safe.
 */
public final class SecurityAdmin {
    /** Longest enrollment token lifetime accepted. */
    public static final Duration MAX_ENROLLMENT_TTL = Duration.ofDays(365);

    private final ServicePrincipalRepository servicePrincipals;
    private final RoleAssignmentRepository roleAssignments;
    private final EnrollmentTokenRepository enrollmentTokens;
    private final Clock clock;

    public SecurityAdmin(ServicePrincipalRepository servicePrincipals, RoleAssignmentRepository roleAssignments,
                         EnrollmentTokenRepository enrollmentTokens, Clock clock) {
        this.servicePrincipals = servicePrincipals;
        this.roleAssignments = roleAssignments;
        this.enrollmentTokens = enrollmentTokens;
        this.clock = clock;
    }

    /** A new service principal with its secret, which is shown only this once. */
    public record CreatedServicePrincipal(ServicePrincipal servicePrincipal, String clientSecret) {
        @Override
        public String toString() { return "CreatedServicePrincipal[" + servicePrincipal + "]"; }
    }

    /** A new enrollment token with the value agents present ({@code nwe.<id>.<secret>}), shown only this once. */
    public record CreatedEnrollmentToken(EnrollmentToken enrollmentToken, String token) {
        @Override
        public String toString() { return "CreatedEnrollmentToken[" + enrollmentToken + "]"; }
    }

    /** The outcome of {@link #redeemEnrollmentToken}. */
    public sealed interface Redemption {
        record Accepted(EnrollmentToken token) implements Redemption {}

        /** @param message why, for the agent's 401/403 answer (never echoes the token) */
        record Rejected(String message) implements Redemption {}
    }

    public CreatedServicePrincipal createServicePrincipal(String displayName) {
        String secret = Secrets.generate();
        ServicePrincipal sp = new ServicePrincipal(UUID.randomUUID(), displayName, Secrets.hash(secret), clock.instant());
        servicePrincipals.insert(sp);
        return new CreatedServicePrincipal(sp, secret);
    }

    public List<ServicePrincipal> listServicePrincipals() { return servicePrincipals.list(); }

    public Optional<ServicePrincipal> findServicePrincipal(UUID clientId) { return servicePrincipals.find(clientId); }

    /** Replaces the secret (the old one stops working at once); empty when the client does not exist. */
    public Optional<CreatedServicePrincipal> resetServicePrincipalSecret(UUID clientId) {
        String secret = Secrets.generate();
        if (!servicePrincipals.updateSecretHash(clientId, Secrets.hash(secret))) {
            return Optional.empty();
        }
        return servicePrincipals.find(clientId).map(sp -> new CreatedServicePrincipal(sp, secret));
    }

    /**
     * Deletes the service principal and its role assignments; its tokens stop working at once
     * (the authenticator checks that the client exists). False when it did not exist.
     */
    public boolean revokeServicePrincipal(UUID clientId) {
        boolean deleted = servicePrincipals.delete(clientId);
        roleAssignments.deleteByPrincipal(clientId.toString());
        return deleted;
    }

    /**
     * Grants {@code role} to {@code principalId} at {@code scope}; idempotent (an identical grant,
     * scope compared case-insensitively, is returned instead of duplicated). A service principal
     * given by client id must exist.
     */
    public RoleAssignment assignRole(String principalId, Role role, String scope) {
        // A bare UUID names a service principal (OIDC principals are "provider:subject"): it must exist.
        Optional<UUID> clientId = parseUuid(principalId);
        if (clientId.isPresent() && servicePrincipals.find(clientId.get()).isEmpty()) {
            throw new IllegalArgumentException("no service principal with client id " + principalId);
        }
        return roleAssignments.insert(new RoleAssignment(UUID.randomUUID().toString(), principalId, role, scope));
    }

    /** All role assignments, or those of one principal. */
    public List<RoleAssignment> listRoleAssignments(Optional<String> principalId) {
        return principalId.map(roleAssignments::findByPrincipal).orElseGet(roleAssignments::list);
    }

    public boolean removeRoleAssignment(String id) { return roleAssignments.delete(id); }

    /**
     * Creates an enrollment token valid for {@code ttl} and {@code maxUses} enrollments, optionally
     * limited to a subscription (and resource group in it).
     */
    public CreatedEnrollmentToken createEnrollmentToken(Optional<String> subscriptionId, Optional<String> resourceGroup,
                                                        Duration ttl, int maxUses) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_ENROLLMENT_TTL) > 0) {
            throw new IllegalArgumentException("enrollment token ttl must be between 1 s and " + MAX_ENROLLMENT_TTL.toDays()
                    + " days, was " + ttl);
        }
        String id = Secrets.randomToken(12);
        String secret = Secrets.generate();
        EnrollmentToken token = new EnrollmentToken(id, Secrets.hash(secret), subscriptionId.orElse(null),
                resourceGroup.orElse(null), clock.instant().plus(ttl), maxUses, 0, false);
        enrollmentTokens.insert(token);
        return new CreatedEnrollmentToken(token, EnrollmentToken.PREFIX + id + "." + secret);
    }

    public List<EnrollmentToken> listEnrollmentTokens() { return enrollmentTokens.list(); }

    public boolean revokeEnrollmentToken(String id) { return enrollmentTokens.revoke(id); }

    /**
     * Checks an enrollment token presented by an agent that wants to act for a VM in
     * {@code subscriptionId}/{@code resourceGroup}, and counts the use (atomically: two agents racing
     * for the last use cannot both win). With both {@code subscriptionId} and {@code resourceGroup}
     * null the scope is not checked here: the caller compares the accepted token's scope itself.
     */
    public Redemption redeemEnrollmentToken(String presented, String subscriptionId, String resourceGroup) {
        if (presented == null || !presented.startsWith(EnrollmentToken.PREFIX)) {
            return new Redemption.Rejected("The enrollment token is malformed (expected nwe.<id>.<secret>).");
        }
        String rest = presented.substring(EnrollmentToken.PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            return new Redemption.Rejected("The enrollment token is malformed (expected nwe.<id>.<secret>).");
        }
        String id = rest.substring(0, dot);
        String secret = rest.substring(dot + 1);
        Optional<EnrollmentToken> stored = enrollmentTokens.find(id);
        if (stored.isEmpty() || !Secrets.matches(secret, stored.get().secretHash())) {
            return new Redemption.Rejected("The enrollment token is not valid.");
        }
        EnrollmentToken token = stored.get();
        Instant now = clock.instant();
        if (token.revoked()) {
            return new Redemption.Rejected("The enrollment token " + id + " was revoked.");
        }
        if (!now.isBefore(token.expiresAt())) {
            return new Redemption.Rejected("The enrollment token " + id + " expired at " + token.expiresAt() + ".");
        }
        // null scope: the caller checks the grant itself (agent enrollment answers 403 for a foreign scope)
        if ((subscriptionId != null || resourceGroup != null) && !token.allows(subscriptionId, resourceGroup)) {
            return new Redemption.Rejected("The enrollment token " + id + " is limited to "
                    + new Scope(token.subscriptionId(), token.resourceGroup()).path() + ".");
        }
        if (!enrollmentTokens.consume(id, now)) {
            return new Redemption.Rejected("The enrollment token " + id + " has no uses left (" + token.maxUses() + " allowed).");
        }
        return new Redemption.Accepted(enrollmentTokens.find(id).orElse(token));
    }

    private static Optional<UUID> parseUuid(String value) {
        try {
            return Optional.of(UUID.fromString(value));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
