package netwatcher.controller.auth;

import java.util.Optional;

/**
 * A pluggable check for bearer credentials that are not JWTs or the admin token, e.g. agent
 * credentials {@code nwa.<agentId>.<secret>} verified by the agent registry. {@link Authenticator}
 * asks each verifier in order, before the admin token and JWTs.
 *
 * <p>Implementations must be thread-safe and compare secrets in constant time.
 */
@FunctionalInterface
public interface CredentialVerifier {
    /**
     * Empty when {@code bearerToken} is not of this verifier's kind (the next one is asked);
     * otherwise the result, success or failure (no other verifier is asked then).
     */
    Optional<AuthResult> verify(String bearerToken);
}
