package netwatcher.controller.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Optional;

/** The outcome of {@link JwtValidator#validate}. */
public sealed interface JwtValidation {
    /** A token that verified: its issuer and claims. */
    record Valid(TrustedIssuer issuer, JWTClaimsSet claims) implements JwtValidation {}

    /**
     * A token that did not verify.
     *
     * @param failure the reason class
     * @param detail what exactly was wrong (safe to show the caller: no key material)
     * @param expiredAt the token's {@code exp} when {@code failure} is {@link AuthFailure#EXPIRED}
     */
    record Invalid(AuthFailure failure, String detail, Optional<Instant> expiredAt) implements JwtValidation {
        public Invalid(AuthFailure failure, String detail) { this(failure, detail, Optional.empty()); }
    }
}
