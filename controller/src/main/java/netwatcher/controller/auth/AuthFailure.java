package netwatcher.controller.auth;

/** Why a request could not be authenticated. Every reason maps to ARM's 401 {@code AuthenticationFailed}. */
public enum AuthFailure {
    /** No Authorization header. */
    MISSING_HEADER,
    /** Not {@code Bearer <token>}, or a token that is neither a known credential nor a JWT. */
    MALFORMED,
    /** A JWT past its {@code exp} (plus clock skew). */
    EXPIRED,
    /** A JWT before its {@code nbf} (minus clock skew). */
    NOT_YET_VALID,
    /** A JWT whose signature does not verify with the issuer's key. */
    BAD_SIGNATURE,
    /** A JWT whose {@code kid} the issuer does not publish (also after a refresh). */
    UNKNOWN_KEY,
    /** A JWT whose {@code alg} is not allowed ({@code none}, HMAC, or not pinned for the issuer). */
    UNSUPPORTED_ALGORITHM,
    /** A JWT from an issuer that is not configured. */
    UNTRUSTED_ISSUER,
    /** A JWT for another audience. */
    WRONG_AUDIENCE,
    /** A valid JWT for a service principal that no longer exists. */
    UNKNOWN_CLIENT,
    /** A credential of a recognized kind (agent, admin) that does not verify. */
    INVALID_CREDENTIAL
}
