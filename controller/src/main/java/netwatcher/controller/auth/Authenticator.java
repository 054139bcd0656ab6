package netwatcher.controller.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns an {@code Authorization} header into a {@link Principal}. Accepted, in this order:
 * <ol>
 * <li>credentials claimed by a {@link CredentialVerifier} (agents: {@code Bearer nwa.<id>.<secret>});</li>
 * <li>the admin token ({@code Bearer <DATA_DIR/admin.token>}) → {@link Principal#ADMIN};</li>
 * <li>JWTs from the built-in issuer → the service principal (which must still exist, so revoking
 * it ends its tokens at once), or from a configured OIDC provider →
 * {@code OIDC_USER <provider>:<oid|sub>}.</li>
 * </ol>
 * Failures carry ARM messages ("Authentication failed. The 'Authorization' header is missing.",
 * "... The access token expired at ...") and never echo the presented token.
 *
 * <p>Thread-safe.
 */
public final class Authenticator {
    private final AdminToken adminToken;
    private final JwtValidator jwtValidator;
    private final ServicePrincipalRepository servicePrincipals;
    private final List<CredentialVerifier> verifiers;

    public Authenticator(AdminToken adminToken, JwtValidator jwtValidator, ServicePrincipalRepository servicePrincipals,
                         List<CredentialVerifier> verifiers) {
        this.adminToken = adminToken;
        this.jwtValidator = jwtValidator;
        this.servicePrincipals = servicePrincipals;
        this.verifiers = List.copyOf(verifiers);
    }

    /** Authenticates the value of the {@code Authorization} header (null when absent). */
    public AuthResult authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            return new AuthResult.Failure(AuthFailure.MISSING_HEADER, "Authentication failed. The 'Authorization' header is missing.");
        }
        String header = authorizationHeader.strip();
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) {
            return malformed();
        }
        String token = header.substring(space + 1).strip();
        if (token.isEmpty() || token.contains(" ")) {
            return malformed();
        }
        for (CredentialVerifier verifier : verifiers) {
            Optional<AuthResult> result = verifier.verify(token);
            if (result.isPresent()) {
                return result.get();
            }
        }
        if (adminToken.matches(token)) {
            return new AuthResult.Success(Principal.ADMIN);
        }
        if (!JwtValidator.looksLikeJwt(token)) {
            return malformed();
        }
        return switch (jwtValidator.validate(token)) {
            case JwtValidation.Invalid invalid -> switch (invalid.failure()) {
                case EXPIRED -> new AuthResult.Failure(AuthFailure.EXPIRED, "Authentication failed. The access token expired at "
                        + invalid.expiredAt().map(Object::toString).orElse("an earlier time") + ".", invalid.expiredAt());
                case MALFORMED -> malformed();
                default -> new AuthResult.Failure(invalid.failure(),
                        "Authentication failed. The access token is invalid: " + invalid.detail() + ".");
            };
            case JwtValidation.Valid valid -> principalOf(valid);
        };
    }

    private AuthResult principalOf(JwtValidation.Valid valid) {
        JWTClaimsSet claims = valid.claims();
        TrustedIssuer issuer = valid.issuer();
        if (issuer.builtIn()) {
            String clientId = stringClaim(claims, "appid").orElse(claims.getSubject());
            UUID id;
            try {
                id = UUID.fromString(clientId);
            } catch (IllegalArgumentException | NullPointerException e) {
                return new AuthResult.Failure(AuthFailure.UNKNOWN_CLIENT, "Authentication failed. The access token names no client.");
            }
            return servicePrincipals.find(id)
                    .<AuthResult>map(sp -> new AuthResult.Success(sp.principal()))
                    .orElseGet(() -> new AuthResult.Failure(AuthFailure.UNKNOWN_CLIENT,
                            "Authentication failed. The service principal '" + id + "' does not exist (any more)."));
        }
        Optional<String> subject = stringClaim(claims, issuer.subjectClaim()).or(() -> Optional.ofNullable(claims.getSubject()));
        if (subject.isEmpty() || subject.get().isBlank()) {
            return new AuthResult.Failure(AuthFailure.MALFORMED, "Authentication failed. The access token has no '"
                    + issuer.subjectClaim() + "' or 'sub' claim.");
        }
        String displayName = stringClaim(claims, "preferred_username").or(() -> stringClaim(claims, "upn"))
                .or(() -> stringClaim(claims, "name")).or(() -> stringClaim(claims, "email")).orElse(subject.get());
        return new AuthResult.Success(new Principal(issuer.name() + ":" + subject.get(), Principal.Kind.OIDC_USER, displayName));
    }

    private static Optional<String> stringClaim(JWTClaimsSet claims, String name) {
        try {
            return Optional.ofNullable(claims.getStringClaim(name)).filter(value -> !value.isBlank());
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    private static AuthResult malformed() {
        return new AuthResult.Failure(AuthFailure.MALFORMED,
                "Authentication failed. The 'Authorization' header is provided in an invalid format.");
    }
}
