package netwatcher.controller.auth;

import java.time.Instant;
import java.util.Optional;

/** The outcome of {@link Authenticator#authenticate}. */
public sealed interface AuthResult {
    /** ARM's error code for every authentication failure (HTTP 401). */
    String ARM_CODE = "AuthenticationFailed";

    /** The caller is {@code principal}. */
    record Success(Principal principal) implements AuthResult {}

    /**
     * The caller could not be authenticated: answer 401 with {@link #ARM_CODE} and {@link #message()}.
     *
     * @param reason the reason class
     * @param message ARM-style message for the caller, e.g. "Authentication failed. The 'Authorization'
     *     header is missing."
     * @param expiredAt when {@code reason} is {@link AuthFailure#EXPIRED}, the token's expiry
     */
    record Failure(AuthFailure reason, String message, Optional<Instant> expiredAt) implements AuthResult {
        public Failure(AuthFailure reason, String message) { this(reason, message, Optional.empty()); }

        /** The HTTP status to answer: 401. */
        public int httpStatus() { return 401; }

        /** The ARM error code: {@value AuthResult#ARM_CODE}. */
        public String armCode() { return ARM_CODE; }

        /**
         * The {@code WWW-Authenticate} header ARM sends with a 401, naming where to get a token, e.g.
         * {@code Bearer authorization_uri="https://host:8443/adfs", error="invalid_token",
         * error_description="..."}.
         */
        public String wwwAuthenticate(String authorizationUri) {
            String description = message.replace("\\", "\\\\").replace("\"", "'");
            return "Bearer authorization_uri=\"" + authorizationUri + "\", error=\"invalid_token\", error_description=\""
                    + description + "\"";
        }
    }
}
