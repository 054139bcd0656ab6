package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
    private final TestDatabase testDatabase = TestDatabase.create(Dialect.H2);
    private final Database database = testDatabase.open();

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    private static final String BASE = "https://localhost:8443";
    @TempDir Path dataDir;
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final JdbcServicePrincipalRepository servicePrincipals = new JdbcServicePrincipalRepository(database);
    private final SecurityAdmin admin = new SecurityAdmin(servicePrincipals, new JdbcRoleAssignmentRepository(database, clock),
            new JdbcEnrollmentTokenRepository(database, clock), clock);
    private AdminToken adminToken;
    private OAuthIssuer issuer;
    private RSAKey keycloakKey;
    private Authenticator authenticator;

    @BeforeEach
    void setUp() throws Exception {
        adminToken = AdminToken.loadOrCreate(dataDir);
        issuer = new OAuthIssuer(OAuthConfig.forPort(8443, List.of("localhost")), OAuthSigningKey.loadOrCreate(dataDir),
                servicePrincipals, clock);
        keycloakKey = new RSAKeyGenerator(2048).keyID("kc1").generate();
        List<com.nimbusds.jose.jwk.JWK> keycloakKeys = new JWKSet(keycloakKey.toPublicJWK()).getKeys();
        TrustedIssuer keycloak = TrustedIssuer.oidc(OidcProviderConfig.of("kc", "https://kc.example/realms/nw", "netwatcher",
                URI.create("https://kc.example/keys")), kid -> keycloakKeys);
        CredentialVerifier agents = token -> token.startsWith("nwa.")
                ? Optional.of(token.equals("nwa.agent-7.good")
                        ? new AuthResult.Success(new Principal("agent-7", Principal.Kind.AGENT, "host7"))
                        : new AuthResult.Failure(AuthFailure.INVALID_CREDENTIAL, "Authentication failed. Unknown agent credential."))
                : Optional.empty();
        authenticator = new Authenticator(adminToken, new JwtValidator(List.of(issuer.trustedIssuer(), keycloak), clock),
                servicePrincipals, List.of(agents));
    }

    private SecurityAdmin.CreatedServicePrincipal newServicePrincipal() {
        return admin.createServicePrincipal("deployer");
    }

    private String tokenFor(SecurityAdmin.CreatedServicePrincipal sp) {
        TokenResult result = issuer.token(Map.of("grant_type", "client_credentials",
                "client_id", sp.servicePrincipal().clientId().toString(), "client_secret", sp.clientSecret(),
                "scope", BASE + "/.default"));
        assertTrue(result.isSuccess(), result.toString());
        return result.accessToken();
    }

    private AuthResult.Failure assertFailure(AuthFailure reason, String header) {
        AuthResult.Failure failure = assertInstanceOf(AuthResult.Failure.class, authenticator.authenticate(header));
        assertEquals(reason, failure.reason(), failure.message());
        assertEquals(401, failure.httpStatus());
        assertEquals("AuthenticationFailed", failure.armCode());
        return failure;
    }

    @Test
    void authenticate_whenHeaderMissing_failsWithArmMessage() {
        AuthResult.Failure failure = assertFailure(AuthFailure.MISSING_HEADER, null);

        assertEquals("Authentication failed. The 'Authorization' header is missing.", failure.message());
        assertTrue(failure.wwwAuthenticate(BASE + "/adfs").startsWith("Bearer authorization_uri=\"" + BASE + "/adfs\""));
        assertFailure(AuthFailure.MISSING_HEADER, "  ");
    }

    @Test
    void authenticate_whenNotBearerOrGarbage_failsAsMalformed() {
        assertFailure(AuthFailure.MALFORMED, "Basic dXNlcjpwYXNz");
        assertFailure(AuthFailure.MALFORMED, "Bearer");
        assertFailure(AuthFailure.MALFORMED, "Bearer two words");
        AuthResult.Failure failure = assertFailure(AuthFailure.MALFORMED, "Bearer some-random-value");
        assertFalse(failure.message().contains("some-random-value"));
    }

    @Test
    void authenticate_whenAdminToken_returnsAdmin() {
        AuthResult result = authenticator.authenticate("Bearer " + adminToken.value());

        assertEquals(Principal.ADMIN, assertInstanceOf(AuthResult.Success.class, result).principal());
        assertFailure(AuthFailure.MALFORMED, "Bearer " + adminToken.value().substring(1));
    }

    @Test
    void authenticate_whenBuiltInToken_returnsServicePrincipal() {
        SecurityAdmin.CreatedServicePrincipal sp = newServicePrincipal();

        Principal principal = assertInstanceOf(AuthResult.Success.class,
                authenticator.authenticate("bearer " + tokenFor(sp))).principal();

        assertEquals(sp.servicePrincipal().clientId().toString(), principal.id());
        assertEquals(Principal.Kind.SERVICE_PRINCIPAL, principal.kind());
        assertEquals("deployer", principal.displayName());
    }

    @Test
    void authenticate_whenBuiltInTokenExpired_saysWhen() {
        String token = tokenFor(newServicePrincipal());
        clock.advance(Duration.ofHours(2));

        AuthResult.Failure failure = assertFailure(AuthFailure.EXPIRED, "Bearer " + token);

        assertEquals("Authentication failed. The access token expired at 2030-01-01T01:00:00Z.", failure.message());
    }

    @Test
    void authenticate_whenServicePrincipalRevoked_rejectsItsTokens() {
        SecurityAdmin.CreatedServicePrincipal sp = newServicePrincipal();
        String token = tokenFor(sp);
        admin.revokeServicePrincipal(sp.servicePrincipal().clientId());

        assertFailure(AuthFailure.UNKNOWN_CLIENT, "Bearer " + token);
    }

    @Test
    void authenticate_whenTokenFromOtherInstanceSigningKey_rejectsSignature() throws Exception {
        SecurityAdmin.CreatedServicePrincipal sp = newServicePrincipal();
        OAuthIssuer otherController = new OAuthIssuer(OAuthConfig.forPort(8443, List.of("localhost")),
                OAuthSigningKey.generateInMemory(), servicePrincipals, clock);
        String foreign = otherController.token(Map.of("grant_type", "client_credentials",
                "client_id", sp.servicePrincipal().clientId().toString(), "client_secret", sp.clientSecret(),
                "scope", BASE + "/.default")).accessToken();

        AuthResult.Failure failure = assertInstanceOf(AuthResult.Failure.class, authenticator.authenticate("Bearer " + foreign));
        assertTrue(failure.reason() == AuthFailure.UNKNOWN_KEY || failure.reason() == AuthFailure.BAD_SIGNATURE, failure.message());
    }

    @Test
    void authenticate_whenOidcToken_returnsNamespacedUser() throws Exception {
        Instant now = clock.instant();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("kc1").build(),
                new JWTClaimsSet.Builder().issuer("https://kc.example/realms/nw").audience("netwatcher").subject("u-42")
                        .claim("preferred_username", "alice").expirationTime(Date.from(now.plusSeconds(60))).build());
        jwt.sign(new RSASSASigner(keycloakKey));

        Principal principal = assertInstanceOf(AuthResult.Success.class,
                authenticator.authenticate("Bearer " + jwt.serialize())).principal();

        assertEquals(new Principal("kc:u-42", Principal.Kind.OIDC_USER, "alice"), principal);
    }

    @Test
    void authenticate_whenAgentCredential_usesPluggedVerifier() {
        assertEquals(Principal.Kind.AGENT, assertInstanceOf(AuthResult.Success.class,
                authenticator.authenticate("Bearer nwa.agent-7.good")).principal().kind());
        assertFailure(AuthFailure.INVALID_CREDENTIAL, "Bearer nwa.agent-7.bad");
    }
}
