package netwatcher.controller.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The built-in OAuth2 issuer, shaped like an ADFS authority so that Azure tools log in against the
 * controller unchanged:
 * <ul>
 * <li>{@code az cloud register -n netwatcher --endpoint-resource-manager https://HOST:PORT/
 * --endpoint-active-directory https://HOST:PORT/adfs --endpoint-active-directory-resource-id
 * https://HOST:PORT/ ...} then {@code az login --service-principal -u CLIENT_ID -p SECRET --tenant adfs}.
 * Azure CLI treats an authority ending in {@code /adfs} as ADFS (no tenant appended, no instance
 * discovery); MSAL Python then reads {@code GET /adfs/.well-known/openid-configuration}
 * ({@code authorization_endpoint} and {@code token_endpoint} are required, the tenant is taken
 * from the token endpoint's first path segment, which must be {@code adfs}) and posts a
 * client-credentials request with {@code scope=<resource>/.default}.</li>
 * <li>Azure SDK for Java: {@code new ClientSecretCredentialBuilder().authorityHost("https://HOST:PORT")
 * .tenantId("adfs").clientId(..).clientSecret(..).disableInstanceDiscovery()}; MSAL4J's ADFS
 * authority posts to {@code https://HOST:PORT/adfs/oauth2/token} directly.</li>
 * </ul>
 * Both send {@code client_id} and {@code client_secret} in the form (client_secret_post); HTTP Basic
 * (client_secret_basic) is accepted too. Unknown form parameters ({@code claims},
 * {@code client_info}, ...) are ignored.
 *
 * <p>Tokens are RS256 JWTs: {@code iss} ({@code <base>/adfs}), {@code aud} (the requested resource),
 * {@code sub}, {@code oid}, {@code appid} (all the client id), {@code tid}, {@code iat},
 * {@code nbf}, {@code exp}, {@code jti}, {@code ver} 1.0, {@code idtyp} app.
 *
 * <p>Thread-safe.
 */
public final class OAuthIssuer {
    /** Path of the authority relative to the base URL. */
    public static final String AUTHORITY_PATH = "/adfs";
    public static final String DISCOVERY_PATH = "/adfs/.well-known/openid-configuration";
    public static final String TOKEN_PATH = "/adfs/oauth2/token";
    public static final String AUTHORIZE_PATH = "/adfs/oauth2/authorize";
    public static final String KEYS_PATH = "/adfs/discovery/keys";
    private static final String DEFAULT_SCOPE_SUFFIX = "/.default";
    private static final Map<String, String> NO_CACHE = Map.of("Cache-Control", "no-store", "Pragma", "no-cache");
    /** Hash compared against when the client is unknown, so both failures take the same work. */
    private static final String DUMMY_HASH = Secrets.hash(Secrets.generate());

    private final OAuthConfig config;
    private final IssuerKeys signingKeys;
    private final ServicePrincipalRepository servicePrincipals;
    private final Clock clock;

    /** With one key that never rotates. */
    public OAuthIssuer(OAuthConfig config, OAuthSigningKey signingKey, ServicePrincipalRepository servicePrincipals,
                       Clock clock) {
        this(config, IssuerKeys.fixed(signingKey), servicePrincipals, clock);
    }

    /** With rotating keys: the current one signs, every valid one verifies and is published. */
    public OAuthIssuer(OAuthConfig config, IssuerKeys signingKeys, ServicePrincipalRepository servicePrincipals,
                       Clock clock) {
        this.config = config;
        this.signingKeys = signingKeys;
        this.servicePrincipals = servicePrincipals;
        this.clock = clock;
    }

    public OAuthConfig config() { return config; }

    /** The discovery document for a client that reached the controller at {@code baseUrl}. */
    public OpenIdConfiguration discovery(String baseUrl) {
        String base = stripSlash(baseUrl);
        String issuer = config.baseFor(base) + AUTHORITY_PATH;
        return new OpenIdConfiguration(base + AUTHORITY_PATH, base + AUTHORIZE_PATH, base + TOKEN_PATH, base + KEYS_PATH,
                List.of("code", "id_token", "code id_token", "token"), List.of("client_credentials"),
                List.of("pairwise"), List.of("RS256"), List.of("client_secret_post", "client_secret_basic"),
                List.of("openid"), issuer);
    }

    /** The public keys for {@code GET /adfs/discovery/keys}. */
    public Jwks keys() {
        return new Jwks(signingKeys.publicJwkSet().getKeys().stream().map(jwk -> jwk.toJSONObject()).toList());
    }

    /** The trusted issuer that validates this issuer's tokens (for {@link JwtValidator}). */
    public TrustedIssuer trustedIssuer() {
        return TrustedIssuer.builtIn(config, signingKeys);
    }

    /** As {@link #token(String, Map, String)} at the canonical base URL without an Authorization header. */
    public TokenResult token(Map<String, String> form) {
        return token(null, form, null);
    }

    /**
     * Handles {@code POST /adfs/oauth2/token} (form already decoded).
     *
     * @param baseUrl the base URL the client used (for {@code iss}); null or unknown: canonical
     * @param form the form parameters
     * @param authorizationHeader the request's Authorization header, for HTTP Basic client
     *     authentication; may be null
     */
    public TokenResult token(String baseUrl, Map<String, String> form, String authorizationHeader) {
        Map<String, String> parameters = form == null ? Map.of() : form;
        String grantType = parameters.get("grant_type");
        if (grantType == null || grantType.isBlank()) {
            return error(400, "invalid_request", "The request body must contain the 'grant_type' parameter.", false);
        }
        if (!grantType.equals("client_credentials")) {
            return error(400, "unsupported_grant_type", "Grant type '" + grantType
                    + "' is not supported; this issuer supports only 'client_credentials'.", false);
        }
        if (parameters.containsKey("client_assertion")) {
            return error(400, "invalid_request", "Client assertions are not supported; authenticate with client_secret.", false);
        }
        Optional<String[]> basic = basicCredentials(authorizationHeader);
        if (authorizationHeader != null && !authorizationHeader.isBlank() && basic.isEmpty()
                && authorizationHeader.regionMatches(true, 0, "Basic", 0, 5)) {
            return error(401, "invalid_client", "The Authorization header is not valid HTTP Basic credentials.", true);
        }
        String clientId = parameters.get("client_id");
        String secret = parameters.get("client_secret");
        if (basic.isPresent()) {
            if (clientId != null && !clientId.equals(basic.get()[0])) {
                return error(400, "invalid_request", "client_id in the body differs from the one in the Authorization header.", false);
            }
            if (secret != null) {
                return error(400, "invalid_request", "Use only one client authentication method (body or HTTP Basic).", false);
            }
            clientId = basic.get()[0];
            secret = basic.get()[1];
        }
        if (clientId == null || clientId.isBlank()) {
            return error(400, "invalid_request", "The request body must contain the 'client_id' parameter.", false);
        }
        if (secret == null || secret.isEmpty()) {
            return error(401, "invalid_client", "The request must contain the 'client_secret' parameter.", basic.isPresent());
        }
        String audience;
        String resource = parameters.get("resource");
        String scope = parameters.get("scope");
        if (resource != null && !resource.isBlank()) {
            audience = resource.strip();
            if (!config.acceptedAudiences().contains(OAuthConfig.normalizeAudience(audience))) {
                return error(400, "invalid_resource", "Resource '" + audience + "' is not served by this controller; use one of "
                        + String.join(", ", config.baseUrls()) + ".", false);
            }
        } else if (scope != null && !scope.isBlank()) {
            Optional<String> fromScope = audienceFromScope(scope);
            if (fromScope.isEmpty()) {
                return error(400, "invalid_scope", "The scope must be '<resource>/.default' for the client credentials grant, was '"
                        + scope + "'.", false);
            }
            audience = fromScope.get();
            if (!config.acceptedAudiences().contains(OAuthConfig.normalizeAudience(audience))) {
                return error(400, "invalid_scope", "Scope '" + scope + "' names a resource this controller does not serve; use '"
                        + config.baseUrls().getFirst() + "/.default'.", false);
            }
        } else {
            return error(400, "invalid_request", "The request body must contain the 'scope' or 'resource' parameter.", false);
        }
        UUID id;
        try {
            id = UUID.fromString(clientId.strip());
        } catch (IllegalArgumentException e) {
            Secrets.matches(secret, DUMMY_HASH);
            return invalidClient(basic.isPresent());
        }
        Optional<ServicePrincipal> client = servicePrincipals.find(id);
        boolean valid = Secrets.matches(secret, client.map(ServicePrincipal::secretHash).orElse(DUMMY_HASH));
        if (client.isEmpty() || !valid) {
            return invalidClient(basic.isPresent());
        }
        return issue(config.baseFor(baseUrl) + AUTHORITY_PATH, audience, client.get());
    }

    private TokenResult issue(String issuer, String audience, ServicePrincipal client) {
        Instant now = clock.instant();
        Instant issuedAt = Instant.ofEpochSecond(now.getEpochSecond());
        Instant expires = issuedAt.plus(config.tokenLifetime());
        String clientId = client.clientId().toString();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(clientId)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(expires))
                .jwtID(UUID.randomUUID().toString())
                .claim("oid", clientId)
                .claim("appid", clientId)
                .claim("tid", config.tenantId())
                .claim("app_displayname", client.displayName())
                .claim("idtyp", "app")
                .claim("appidacr", "1")
                .claim("ver", "1.0")
                .build();
        OAuthSigningKey signingKey = signingKeys.current();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.keyId()).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new RSASSASigner(signingKey.privateJwk()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
        long lifetime = config.tokenLifetime().toSeconds();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("access_token", jwt.serialize());
        body.put("expires_in", lifetime);
        body.put("ext_expires_in", lifetime);
        body.put("expires_on", expires.getEpochSecond());
        body.put("not_before", issuedAt.getEpochSecond());
        body.put("resource", audience);
        return new TokenResult(200, body, NO_CACHE);
    }

    /**
     * The audience named by a client-credentials scope: exactly one {@code <resource>/.default}
     * (OpenID scopes such as {@code openid} or {@code offline_access} are ignored).
     * {@code https://h/.default} gives {@code https://h}; {@code https://h//.default} (how MSAL
     * spells a resource with a trailing slash) gives {@code https://h/}.
     */
    static Optional<String> audienceFromScope(String scope) {
        List<String> resources = java.util.Arrays.stream(scope.strip().split("\\s+"))
                .filter(s -> !List.of("openid", "profile", "offline_access", "email").contains(s.toLowerCase(Locale.ROOT)))
                .toList();
        if (resources.size() != 1 || !resources.getFirst().endsWith(DEFAULT_SCOPE_SUFFIX)) {
            return Optional.empty();
        }
        String value = resources.getFirst();
        String audience = value.substring(0, value.length() - DEFAULT_SCOPE_SUFFIX.length());
        return audience.isEmpty() ? Optional.empty() : Optional.of(audience);
    }

    private TokenResult invalidClient(boolean basic) {
        return error(401, "invalid_client", "The client id or client secret is not valid.", basic);
    }

    private TokenResult error(int status, String code, String description, boolean basicChallenge) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("error_description", description);
        body.put("timestamp", clock.instant().toString());
        Map<String, String> headers = new LinkedHashMap<>(NO_CACHE);
        if (basicChallenge) {
            headers.put("WWW-Authenticate", "Basic realm=\"netwatcher\"");
        }
        return new TokenResult(status, body, headers);
    }

    /** HTTP Basic credentials (RFC 6749 §2.3.1: both parts form-urlencoded), if the header is Basic. */
    static Optional<String[]> basicCredentials(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            return Optional.of(new String[] {
                    URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String stripSlash(String url) {
        String value = url == null ? "" : url.strip();
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }
}
