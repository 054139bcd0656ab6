package netwatcher.controller.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates bearer JWTs against a fixed list of {@link TrustedIssuer}s (the built-in issuer and the
 * configured OIDC providers), in this order:
 * <ol>
 * <li>shape: three base64url parts, a JSON header whose {@code alg} is a string;</li>
 * <li>algorithm: {@code none} and every HMAC algorithm are rejected outright (so a token "signed"
 * with an issuer's public key as an HMAC secret never reaches a verifier); the issuer's pinned list
 * must contain the {@code alg};</li>
 * <li>issuer: the unverified {@code iss} selects the trusted issuer; unknown issuers are rejected
 * before any key is fetched;</li>
 * <li>signature: the key with the token's {@code kid} (refetching the issuer's JWKS once, rate
 * limited, when the kid is unknown), of the key type the algorithm needs and not marked for
 * encryption;</li>
 * <li>claims: {@code exp} required and in the future, {@code nbf} if present not in the future
 * (both with the issuer's clock skew), {@code aud} must contain an accepted audience.</li>
 * </ol>
 * Time comes from the injected {@link Clock}.
 *
 * <p>Thread-safe.
 */
public final class JwtValidator {
    private final List<TrustedIssuer> issuers;
    private final Clock clock;

    public JwtValidator(List<TrustedIssuer> issuers, Clock clock) {
        this.issuers = List.copyOf(issuers);
        this.clock = clock;
    }

    /** Whether {@code token} has the shape of a compact JWS (three dot-separated parts). */
    public static boolean looksLikeJwt(String token) {
        return token != null && token.chars().filter(c -> c == '.').count() == 2 && !token.startsWith(".");
    }

    /** Validates a compact JWT. */
    public JwtValidation validate(String token) {
        if (!looksLikeJwt(token)) {
            return new JwtValidation.Invalid(AuthFailure.MALFORMED, "the token is not a JWT");
        }
        String algorithmName;
        try {
            Map<String, Object> header = JSONObjectUtils.parse(
                    new String(Base64URL.from(token.substring(0, token.indexOf('.'))).decode(), StandardCharsets.UTF_8));
            Object alg = header.get("alg");
            if (!(alg instanceof String name)) {
                return new JwtValidation.Invalid(AuthFailure.MALFORMED, "the token header has no 'alg'");
            }
            algorithmName = name;
        } catch (ParseException | RuntimeException e) {
            return new JwtValidation.Invalid(AuthFailure.MALFORMED, "the token header is not JSON");
        }
        if (algorithmName.equalsIgnoreCase("none") || algorithmName.toUpperCase(java.util.Locale.ROOT).startsWith("HS")) {
            return new JwtValidation.Invalid(AuthFailure.UNSUPPORTED_ALGORITHM, "algorithm '" + algorithmName + "' is not accepted");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return new JwtValidation.Invalid(AuthFailure.MALFORMED, "the token cannot be parsed: " + e.getMessage());
        }
        String iss = claims.getIssuer();
        Optional<TrustedIssuer> match = issuers.stream().filter(issuer -> issuer.acceptsIssuer(iss)).findFirst();
        if (match.isEmpty()) {
            return new JwtValidation.Invalid(AuthFailure.UNTRUSTED_ISSUER, "issuer '" + iss + "' is not trusted");
        }
        TrustedIssuer issuer = match.get();
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!issuer.algorithms().contains(algorithm)) {
            return new JwtValidation.Invalid(AuthFailure.UNSUPPORTED_ALGORITHM,
                    "algorithm " + algorithm + " is not allowed for issuer '" + iss + "'");
        }
        String kid = jwt.getHeader().getKeyID();
        List<JWK> candidates = issuer.keys().keys(kid).stream()
                .filter(key -> key.getKeyUse() == null || KeyUse.SIGNATURE.equals(key.getKeyUse()))
                .filter(key -> fits(key, algorithm))
                .toList();
        if (candidates.isEmpty()) {
            return new JwtValidation.Invalid(AuthFailure.UNKNOWN_KEY,
                    "issuer '" + iss + "' publishes no " + algorithm + " key" + (kid == null ? "" : " with kid '" + kid + "'"));
        }
        boolean verified = false;
        for (JWK key : candidates) {
            try {
                if (jwt.verify(verifier(key))) {
                    verified = true;
                    break;
                }
            } catch (JOSEException e) {
                // try the next candidate; none verifying is reported below
            }
        }
        if (!verified) {
            return new JwtValidation.Invalid(AuthFailure.BAD_SIGNATURE, "the token signature does not verify");
        }
        Instant now = clock.instant();
        Duration skew = issuer.clockSkew();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return new JwtValidation.Invalid(AuthFailure.MALFORMED, "the token has no 'exp' claim");
        }
        if (!now.isBefore(exp.toInstant().plus(skew))) {
            return new JwtValidation.Invalid(AuthFailure.EXPIRED, "the token expired at " + exp.toInstant(),
                    Optional.of(exp.toInstant()));
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            return new JwtValidation.Invalid(AuthFailure.NOT_YET_VALID, "the token is not valid before " + nbf.toInstant());
        }
        List<String> audiences = claims.getAudience();
        boolean audienceOk = audiences != null && audiences.stream()
                .anyMatch(aud -> issuer.audiences().contains(OAuthConfig.normalizeAudience(aud)));
        if (!audienceOk) {
            return new JwtValidation.Invalid(AuthFailure.WRONG_AUDIENCE, "audience " + audiences + " is not accepted");
        }
        return new JwtValidation.Valid(issuer, claims);
    }

    private static boolean fits(JWK key, JWSAlgorithm algorithm) {
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(algorithm.getName())) {
            return false;
        }
        if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
            return key instanceof RSAKey;
        }
        if (JWSAlgorithm.Family.EC.contains(algorithm)) {
            return key instanceof ECKey;
        }
        return false;
    }

    private static JWSVerifier verifier(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa.toRSAPublicKey());
        }
        if (key instanceof ECKey ec) {
            return new ECDSAVerifier(ec.toECPublicKey());
        }
        throw new JOSEException("unsupported key type " + key.getKeyType());
    }
}
