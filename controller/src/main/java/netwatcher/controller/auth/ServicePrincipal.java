package netwatcher.controller.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An application identity for the built-in OAuth2 issuer ({@code az login --service-principal}).
 *
 * @param clientId the client (application) id
 * @param displayName a name for people
 * @param secretHash {@link Secrets#hash} of the client secret; the secret itself is never stored
 * @param createdAt when it was created
 */
public record ServicePrincipal(UUID clientId, String displayName, String secretHash, Instant createdAt) {
    public ServicePrincipal {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(createdAt, "createdAt");
        if (displayName == null || displayName.isBlank() || displayName.length() > 256) {
            throw new IllegalArgumentException("service principal displayName must be 1..256 characters");
        }
    }

    /** The principal this service principal authenticates as. */
    public Principal principal() {
        return new Principal(clientId.toString(), Principal.Kind.SERVICE_PRINCIPAL, displayName);
    }

    @Override
    public String toString() {
        return "ServicePrincipal[clientId=" + clientId + ", displayName=" + displayName + ", createdAt=" + createdAt + "]";
    }
}
