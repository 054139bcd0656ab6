package netwatcher.controller.auth;

import java.util.Objects;

/**
 * Who is calling, once authenticated.
 *
 * <p>Ids by kind: {@link Kind#ADMIN} is always {@value #ADMIN_ID}; a {@link Kind#SERVICE_PRINCIPAL}
 * is its client id (a UUID, as issued by the built-in token issuer); an {@link Kind#OIDC_USER} is
 * {@code <provider name>:<subject>} so that two providers can never produce the same id, nor one
 * that looks like a service principal's; an {@link Kind#AGENT} is its agent id. Role assignments
 * name principals by these ids.
 *
 * @param id stable id used by role assignments
 * @param kind how the principal authenticated
 * @param displayName for logs and messages only; never used for decisions
 */
public record Principal(String id, Kind kind, String displayName) {
    /** The id of the administrator authenticated by the admin token. */
    public static final String ADMIN_ID = "admin";
    /** The administrator (holder of {@code DATA_DIR/admin.token}). */
    public static final Principal ADMIN = new Principal(ADMIN_ID, Kind.ADMIN, "netwatcher administrator");

    /** How a principal authenticated. */
    public enum Kind { ADMIN, SERVICE_PRINCIPAL, OIDC_USER, AGENT }

    public Principal {
        Objects.requireNonNull(kind, "kind");
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("principal id must not be blank");
        }
        displayName = displayName == null || displayName.isBlank() ? id : displayName;
    }
}
