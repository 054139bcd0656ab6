package netwatcher.controller.auth;

import java.util.Objects;

/**
 * Grants {@code role} to the principal {@code principalId} on everything under {@code scope}.
 *
 * @param id unique id (a UUID string)
 * @param principalId a {@link Principal#id()}
 * @param role the role granted
 * @param scope {@code /subscriptions/{sub}} or {@code /subscriptions/{sub}/resourceGroups/{rg}}; see
 *     {@link Scope}
 */
public record RoleAssignment(String id, String principalId, Role role, String scope) {
    public RoleAssignment {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("role assignment id must not be blank");
        }
        if (principalId == null || principalId.isBlank() || principalId.length() > 512) {
            throw new IllegalArgumentException("role assignment principalId must be 1..512 characters");
        }
        Objects.requireNonNull(role, "role");
        scope = Scope.parse(scope).path();
    }

    /** The parsed scope. */
    public Scope parsedScope() { return Scope.parse(scope); }
}
