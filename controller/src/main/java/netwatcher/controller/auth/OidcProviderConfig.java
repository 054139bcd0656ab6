package netwatcher.controller.auth;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An external OpenID Connect provider whose access tokens the controller accepts (Entra ID,
 * Keycloak, ...). Validated on construction; every failure names the setting.
 *
 * @param name {@code auth.oidc.<n>.name}: short name, prefix of principal ids ({@code name:subject});
 *     letters, digits, {@code -} and {@code _}
 * @param issuer {@code auth.oidc.<n>.issuer}: the exact {@code iss} value (Entra v2:
 *     {@code https://login.microsoftonline.com/<tenant>/v2.0}; Keycloak:
 *     {@code https://host/realms/<realm>})
 * @param audiences {@code auth.oidc.<n>.audiences}: accepted {@code aud} values (at least one)
 * @param jwksUri {@code auth.oidc.<n>.jwksUri}: where the provider publishes its keys (https, or
 *     http only for loopback)
 * @param algorithms {@code auth.oidc.<n>.algorithms}: allowed JWS algorithms, pinned (default
 *     RS256); only RS/PS/ES families: {@code none} and HMAC can never be configured
 * @param clockSkew {@code auth.oidc.<n>.clockSkew}: tolerance for exp/nbf (default 60 s, at most 5 min)
 * @param subjectClaim {@code auth.oidc.<n>.subjectClaim}: claim naming the principal (default
 *     {@code oid}, falling back to {@code sub} when absent)
 */
public record OidcProviderConfig(String name, String issuer, List<String> audiences, URI jwksUri,
                                 Set<String> algorithms, Duration clockSkew, String subjectClaim) {
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Set<String> ASYMMETRIC_ALGORITHMS =
            Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

    public OidcProviderConfig {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("auth.oidc.name must be 1..32 letters, digits, '-' or '_', was '" + name + "'");
        }
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("auth.oidc." + name + ".issuer is required");
        }
        if (audiences == null || audiences.isEmpty() || audiences.stream().anyMatch(a -> a == null || a.isBlank())) {
            throw new IllegalArgumentException("auth.oidc." + name + ".audiences needs at least one non-blank value");
        }
        audiences = List.copyOf(audiences);
        if (jwksUri == null || jwksUri.getHost() == null
                || !("https".equalsIgnoreCase(jwksUri.getScheme()) || "http".equalsIgnoreCase(jwksUri.getScheme())
                && isLoopback(jwksUri.getHost()))) {
            throw new IllegalArgumentException("auth.oidc." + name + ".jwksUri must be an https URL (http only on loopback), was " + jwksUri);
        }
        algorithms = algorithms == null || algorithms.isEmpty() ? Set.of("RS256") : Set.copyOf(algorithms);
        for (String algorithm : algorithms) {
            if (!ASYMMETRIC_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("auth.oidc." + name + ".algorithms: '" + algorithm
                        + "' is not allowed; use one of " + ASYMMETRIC_ALGORITHMS);
            }
        }
        clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("auth.oidc." + name + ".clockSkew must be 0..5 min, was " + clockSkew);
        }
        subjectClaim = subjectClaim == null || subjectClaim.isBlank() ? "oid" : subjectClaim;
    }

    /** A provider with the defaults for algorithms (RS256), clock skew and subject claim. */
    public static OidcProviderConfig of(String name, String issuer, String audience, URI jwksUri) {
        return new OidcProviderConfig(name, issuer, List.of(audience), jwksUri, null, null, null);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1");
    }
}
