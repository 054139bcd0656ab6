package netwatcher.controller.admin;

import java.util.Map;
import netwatcher.controller.agents.AgentRecord;
import netwatcher.controller.auth.AdminToken;
import netwatcher.controller.auth.EnrollmentToken;
import netwatcher.controller.auth.RoleAssignment;
import netwatcher.controller.auth.SecurityAdmin;
import netwatcher.controller.auth.ServicePrincipal;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.subscriptions.Subscription;

/** JSON views of admin objects (maps with stable field order, no secret hashes). Stateless. */
public final class AdminViews {
    private AdminViews() {}

    public static Map<String, Object> enrollmentToken(EnrollmentToken t) {
        return Exchange.object("id", t.id(), "subscriptionId", t.subscriptionId(), "resourceGroup", t.resourceGroup(),
                "expiresAt", t.expiresAt().toString(), "maxUses", t.maxUses(), "uses", t.uses(), "revoked", t.revoked());
    }

    /** A new enrollment token: the only answer that carries the token itself. */
    public static Map<String, Object> createdEnrollmentToken(SecurityAdmin.CreatedEnrollmentToken created) {
        Map<String, Object> m = enrollmentToken(created.enrollmentToken());
        m.put("token", created.token());
        return m;
    }

    public static Map<String, Object> servicePrincipal(ServicePrincipal sp) {
        return Exchange.object("clientId", sp.clientId().toString(), "displayName", sp.displayName(),
                "createdAt", sp.createdAt().toString());
    }

    /** A new service principal or a reset secret: the only answer that carries the secret. */
    public static Map<String, Object> createdServicePrincipal(SecurityAdmin.CreatedServicePrincipal created) {
        Map<String, Object> m = servicePrincipal(created.servicePrincipal());
        m.put("clientSecret", created.clientSecret());
        m.put("tenant", "adfs");
        return m;
    }

    public static Map<String, Object> roleAssignment(RoleAssignment r) {
        return Exchange.object("id", r.id(), "principalId", r.principalId(), "role", r.role().toString(), "scope", r.scope());
    }

    public static Map<String, Object> subscription(Subscription s) {
        return Exchange.object("subscriptionId", s.id(), "displayName", s.displayName(), "createdAt", s.createdAt().toString());
    }

    public static Map<String, Object> agent(AgentRecord a) {
        return Exchange.object("agentId", a.agentId(), "vm", a.vmKey(), "enrolledAt", a.enrolledAt().toString(),
                "lastSeenAt", a.lastSeenAt() == null ? null : a.lastSeenAt().toString(), "agentVersion", a.agentVersion(),
                "revoked", a.revoked());
    }

    /**
     * A rotated admin token: the only answer that carries it. {@code tokenFile} is where the serving controller wrote
     * it (null, with {@code tokenFileError}, when that failed); {@code previousTokenValidUntil} ends the old token's
     * grace period (null: it stopped verifying at once).
     */
    public static Map<String, Object> rotatedAdminToken(AdminToken.Rotation r) {
        Map<String, Object> m = Exchange.object("token", r.token(), "tokenFile", r.file() == null ? null : r.file().toString(),
                "rotatedAt", r.hashes().storedAt().toString(),
                "previousTokenValidUntil", r.hashes().previousUntil() == null ? null : r.hashes().previousUntil().toString());
        r.fileError().ifPresent(e -> m.put("tokenFileError", e));
        return m;
    }
}
