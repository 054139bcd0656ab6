package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import netwatcher.controller.testsupport.MutableClock;
import netwatcher.controller.db.Database;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OAuthIssuerTest {
    private final TestDatabase testDatabase = TestDatabase.create(Dialect.H2);
    private final Database database = testDatabase.open();

    @AfterEach
    void closeDatabase() {
        testDatabase.close();
    }

    private static final String BASE = "https://localhost:8443";
    private static final OAuthSigningKey KEY = OAuthSigningKey.generateInMemory();
    @TempDir Path dataDir;
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final JdbcServicePrincipalRepository servicePrincipals = new JdbcServicePrincipalRepository(database);
    private final SecurityAdmin admin = new SecurityAdmin(servicePrincipals, null, null, clock);
    private final OAuthConfig config = OAuthConfig.forPort(8443, List.of("localhost", "127.0.0.1", "198.19.255.1"));
    private final OAuthIssuer issuer = new OAuthIssuer(config, KEY, servicePrincipals, clock);
    private final SecurityAdmin.CreatedServicePrincipal sp = admin.createServicePrincipal("ci pipeline");

    private Map<String, String> form(String... pairs) {
        Map<String, String> form = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            form.put(pairs[i], pairs[i + 1]);
        }
        return form;
    }

    private Map<String, String> validForm() {
        return form("grant_type", "client_credentials", "client_id", sp.servicePrincipal().clientId().toString(),
                "client_secret", sp.clientSecret(), "scope", BASE + "//.default");
    }

    @Test
    void discovery_namesAdfsEndpointsUnderTheRequestBase() {
        Map<String, Object> json = issuer.discovery("https://198.19.255.1:8443/").toJson();

        assertEquals("https://198.19.255.1:8443/adfs", json.get("issuer"));
        assertEquals("https://198.19.255.1:8443/adfs/oauth2/token", json.get("token_endpoint"));
        assertEquals("https://198.19.255.1:8443/adfs/oauth2/authorize", json.get("authorization_endpoint"));
        assertEquals("https://198.19.255.1:8443/adfs/discovery/keys", json.get("jwks_uri"));
        assertEquals(List.of("client_credentials"), json.get("grant_types_supported"));
    }

    @Test
    void keys_publishesPublicRsaKeyWithKidAndNoPrivateParts() {
        Map<String, Object> key = issuer.keys().keys().getFirst();

        assertEquals("RSA", key.get("kty"));
        assertEquals(KEY.keyId(), key.get("kid"));
        assertEquals("sig", key.get("use"));
        assertNull(key.get("d"));
        assertNull(key.get("p"));
    }

    @Test
    void token_whenClientCredentialsWithScope_issuesRs256JwtForResource() throws Exception {
        TokenResult result = issuer.token("https://127.0.0.1:8443", validForm(), null);

        assertEquals(200, result.httpStatus(), result.toString());
        assertEquals("Bearer", result.body().get("token_type"));
        assertEquals(3600L, result.body().get("expires_in"));
        assertEquals(3600L, result.body().get("ext_expires_in"));
        assertEquals(clock.instant().plusSeconds(3600).getEpochSecond(), result.body().get("expires_on"));
        assertEquals(BASE + "/", result.body().get("resource"));
        assertEquals("no-store", result.headers().get("Cache-Control"));
        SignedJWT jwt = SignedJWT.parse(result.accessToken());
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(KEY.keyId(), jwt.getHeader().getKeyID());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        String clientId = sp.servicePrincipal().clientId().toString();
        assertEquals("https://127.0.0.1:8443/adfs", claims.getIssuer());
        assertEquals(List.of(BASE + "/"), claims.getAudience());
        assertEquals(clientId, claims.getSubject());
        assertEquals(clientId, claims.getStringClaim("oid"));
        assertEquals(clientId, claims.getStringClaim("appid"));
        assertEquals(clock.instant(), claims.getIssueTime().toInstant());
        assertEquals(clock.instant(), claims.getNotBeforeTime().toInstant());
        assertEquals(clock.instant().plusSeconds(3600), claims.getExpirationTime().toInstant());
        assertInstanceOf(JwtValidation.Valid.class, new JwtValidator(List.of(issuer.trustedIssuer()), clock).validate(result.accessToken()));
    }

    @Test
    void token_whenResourceParameterAndHttpBasic_issuesToken() throws Exception {
        String clientId = sp.servicePrincipal().clientId().toString();
        String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + sp.clientSecret()).getBytes(StandardCharsets.UTF_8));

        TokenResult result = issuer.token(null, form("grant_type", "client_credentials", "resource",
                "https://management.core.windows.net/"), basic);

        assertTrue(result.isSuccess(), result.toString());
        assertEquals(List.of("https://management.core.windows.net/"), SignedJWT.parse(result.accessToken()).getJWTClaimsSet().getAudience());
        assertEquals(BASE + "/adfs", SignedJWT.parse(result.accessToken()).getJWTClaimsSet().getIssuer());
    }

    @Test
    void token_whenSecretWrong_returnsInvalidClient401() {
        Map<String, String> form = validForm();
        form.put("client_secret", sp.clientSecret().substring(1) + "A");

        assertError(issuer.token(form), 401, "invalid_client");
    }

    @Test
    void token_whenClientUnknownOrNotUuid_returnsInvalidClient401() {
        Map<String, String> unknown = validForm();
        unknown.put("client_id", UUID.randomUUID().toString());
        Map<String, String> garbage = validForm();
        garbage.put("client_id", "not-a-uuid");

        assertError(issuer.token(unknown), 401, "invalid_client");
        assertError(issuer.token(garbage), 401, "invalid_client");
    }

    @Test
    void token_whenSecretMissing_returnsInvalidClient401() {
        Map<String, String> form = validForm();
        form.remove("client_secret");

        assertError(issuer.token(form), 401, "invalid_client");
    }

    @Test
    void token_whenGrantTypeMissingOrOther_returnsInvalidRequestOrUnsupported() {
        Map<String, String> missing = validForm();
        missing.remove("grant_type");
        Map<String, String> password = validForm();
        password.put("grant_type", "password");

        assertError(issuer.token(missing), 400, "invalid_request");
        assertError(issuer.token(password), 400, "unsupported_grant_type");
        assertError(issuer.token(Map.of()), 400, "invalid_request");
    }

    @Test
    void token_whenClientIdMissing_returnsInvalidRequest() {
        Map<String, String> form = validForm();
        form.remove("client_id");

        assertError(issuer.token(form), 400, "invalid_request");
    }

    @Test
    void token_whenNoScopeNorResource_returnsInvalidRequest() {
        Map<String, String> form = validForm();
        form.remove("scope");

        TokenResult result = issuer.token(form);
        assertError(result, 400, "invalid_request");
        assertTrue(((String) result.body().get("error_description")).contains("'scope' or 'resource'"));
    }

    @Test
    void token_whenScopeNotDefaultOrForeignResource_returnsInvalidScope() {
        Map<String, String> notDefault = validForm();
        notDefault.put("scope", BASE + "/user_impersonation");
        Map<String, String> foreign = validForm();
        foreign.put("scope", "https://graph.microsoft.com/.default");

        assertError(issuer.token(notDefault), 400, "invalid_scope");
        assertError(issuer.token(foreign), 400, "invalid_scope");
    }

    @Test
    void token_whenResourceForeign_returnsInvalidResource() {
        Map<String, String> form = validForm();
        form.remove("scope");
        form.put("resource", "https://evil.example/");

        assertError(issuer.token(form), 400, "invalid_resource");
    }

    @Test
    void token_whenClientAssertion_returnsInvalidRequest() {
        Map<String, String> form = validForm();
        form.put("client_assertion", "x.y.z");

        assertError(issuer.token(form), 400, "invalid_request");
    }

    @Test
    void token_whenBasicHeaderGarbage_returnsInvalidClientWithChallenge() {
        TokenResult result = issuer.token(null, form("grant_type", "client_credentials", "scope", BASE + "/.default"), "Basic !!!");

        assertError(result, 401, "invalid_client");
        assertNotNull(result.headers().get("WWW-Authenticate"));
    }

    @Test
    void token_afterSecretReset_oldSecretFails() {
        admin.resetServicePrincipalSecret(sp.servicePrincipal().clientId()).orElseThrow();

        assertError(issuer.token(validForm()), 401, "invalid_client");
    }

    @Test
    void signingKey_persistsWithMode0600AndSurvivesReload() throws Exception {
        OAuthSigningKey first = OAuthSigningKey.loadOrCreate(dataDir);
        OAuthSigningKey second = OAuthSigningKey.loadOrCreate(dataDir);

        assertEquals(first.keyId(), second.keyId());
        Path file = dataDir.resolve("oauth/signing-key.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        TokenResult token = new OAuthIssuer(config, first, servicePrincipals, clock).token(validForm());
        assertInstanceOf(JwtValidation.Valid.class, new JwtValidator(List.of(
                new OAuthIssuer(config, second, servicePrincipals, clock).trustedIssuer()), clock).validate(token.accessToken()));
    }

    @Test
    void audienceFromScope_handlesTrailingSlashSpelling() {
        assertEquals("https://h:1/", OAuthIssuer.audienceFromScope("https://h:1//.default").orElseThrow());
        assertEquals("https://h:1", OAuthIssuer.audienceFromScope("https://h:1/.default").orElseThrow());
        assertEquals("https://h:1", OAuthIssuer.audienceFromScope("openid https://h:1/.default offline_access").orElseThrow());
        assertFalse(OAuthIssuer.audienceFromScope("a/.default b/.default").isPresent());
        assertFalse(OAuthIssuer.audienceFromScope("/.default").isPresent());
    }

    @Test
    void servicePrincipal_storesOnlyHashOfSecret() {
        ServicePrincipal stored = servicePrincipals.find(sp.servicePrincipal().clientId()).orElseThrow();

        assertFalse(stored.secretHash().contains(sp.clientSecret()));
        assertTrue(Secrets.matches(sp.clientSecret(), stored.secretHash()));
        assertFalse(stored.toString().contains(stored.secretHash()));
        assertTrue(Base64.getUrlDecoder().decode(sp.clientSecret()).length == 32);
    }

    private static void assertError(TokenResult result, int status, String error) {
        assertEquals(status, result.httpStatus(), result.toString());
        assertEquals(error, result.error(), result.toString());
        assertNull(result.accessToken());
        assertNotNull(result.body().get("error_description"));
        assertEquals("no-store", result.headers().get("Cache-Control"));
    }

    @Test
    void expiresOn_followsConfiguredLifetime() {
        OAuthConfig short_ = new OAuthConfig(List.of(BASE), null, Duration.ofMinutes(5), null);
        TokenResult result = new OAuthIssuer(short_, KEY, servicePrincipals, clock).token(validForm());

        assertEquals(300L, result.body().get("expires_in"));
    }
}
