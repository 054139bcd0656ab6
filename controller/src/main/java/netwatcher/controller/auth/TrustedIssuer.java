package netwatcher.controller.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An issuer whose tokens {@link JwtValidator} accepts: the built-in one or a configured OIDC
 * provider.
 *
 * @param name provider name ({@link #BUILT_IN} for the built-in issuer)
 * @param issuers exact {@code iss} values accepted (trailing slash ignored)
 * @param audiences accepted audiences, {@linkplain OAuthConfig#normalizeAudience normalized}
 * @param keys the verification keys
 * @param algorithms allowed JWS algorithms (asymmetric only)
 * @param clockSkew tolerance for exp/nbf
 * @param subjectClaim claim naming the principal (falls back to {@code sub})
 * @param builtIn whether tokens come from the controller's own issuer (service principals)
 */
public record TrustedIssuer(String name, Set<String> issuers, Set<String> audiences, KeySource keys,
                            Set<JWSAlgorithm> algorithms, Duration clockSkew, String subjectClaim, boolean builtIn) {
    public static final String BUILT_IN = "builtin";

    public TrustedIssuer {
        issuers = issuers.stream().map(TrustedIssuer::trimSlash).collect(Collectors.toUnmodifiableSet());
        audiences = audiences.stream().map(OAuthConfig::normalizeAudience).collect(Collectors.toUnmodifiableSet());
        algorithms = Set.copyOf(algorithms);
        for (JWSAlgorithm algorithm : algorithms) {
            if (!OidcProviderConfig.ASYMMETRIC_ALGORITHMS.contains(algorithm.getName())) {
                throw new IllegalArgumentException("trusted issuer " + name + ": algorithm " + algorithm + " is not allowed");
            }
        }
    }

    /** The built-in issuer's trust: its issuers, audiences and (static) public keys, RS256 only. */
    public static TrustedIssuer builtIn(OAuthConfig config, JWKSet publicKeys) {
        List<JWK> keys = List.copyOf(publicKeys.getKeys());
        return builtIn(config, kid -> keys.stream().filter(key -> kid == null || kid.equals(key.getKeyID())).toList());
    }

    /** The built-in issuer's trust with keys that rotate (every key the source still lists verifies), RS256 only. */
    public static TrustedIssuer builtIn(OAuthConfig config, KeySource source) {
        return new TrustedIssuer(BUILT_IN, config.issuers(), config.acceptedAudiences(), source,
                Set.of(JWSAlgorithm.RS256), Duration.ofSeconds(60), "appid", true);
    }

    /** A configured OIDC provider, its JWKS fetched with {@code http} and cached per {@link RemoteJwks}. */
    public static TrustedIssuer oidc(OidcProviderConfig config, HttpClient http, Clock clock) {
        return oidc(config, new RemoteJwks(config.jwksUri(), http, clock, RemoteJwks.DEFAULT_TTL,
                RemoteJwks.DEFAULT_MIN_REFRESH_INTERVAL));
    }

    /** A configured OIDC provider with the given key source. */
    public static TrustedIssuer oidc(OidcProviderConfig config, KeySource keys) {
        return new TrustedIssuer(config.name(), Set.of(config.issuer()), Set.copyOf(config.audiences()), keys,
                config.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet()),
                config.clockSkew(), config.subjectClaim(), false);
    }

    boolean acceptsIssuer(String iss) {
        return iss != null && issuers.contains(trimSlash(iss));
    }

    private static String trimSlash(String value) {
        String trimmed = value.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
