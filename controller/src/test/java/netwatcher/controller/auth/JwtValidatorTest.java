package netwatcher.controller.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real keys, real signatures, and a real JWKS endpoint on loopback. */
class JwtValidatorTest {
    private static final String ISSUER = "https://idp.example/realms/nw";
    private static final String AUDIENCE = "api://netwatcher";
    private final MutableClock clock = new MutableClock(Instant.parse("2030-06-01T12:00:00Z"));
    private final AtomicReference<JWKSet> published = new AtomicReference<>();
    private HttpServer jwksServer;
    private RSAKey providerKey;
    private RemoteJwks remote;
    private JwtValidator validator;

    @BeforeEach
    void startProvider() throws Exception {
        providerKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        published.set(new JWKSet(providerKey.toPublicJWK()));
        jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwksServer.createContext("/keys", exchange -> {
            byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.start();
        URI jwksUri = URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/keys");
        OidcProviderConfig config = OidcProviderConfig.of("kc", ISSUER, AUDIENCE, jwksUri);
        remote = new RemoteJwks(config.jwksUri(), HttpClient.newHttpClient(), clock, RemoteJwks.DEFAULT_TTL,
                RemoteJwks.DEFAULT_MIN_REFRESH_INTERVAL);
        validator = new JwtValidator(List.of(TrustedIssuer.oidc(config, remote)), clock);
    }

    @AfterEach
    void stopProvider() {
        jwksServer.stop(0);
    }

    private JWTClaimsSet.Builder claims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("user-1")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private void assertInvalid(AuthFailure expected, String token) {
        JwtValidation result = validator.validate(token);
        JwtValidation.Invalid invalid = assertInstanceOf(JwtValidation.Invalid.class, result);
        assertEquals(expected, invalid.failure(), invalid.detail());
    }

    @Test
    void validate_whenSignedByProvider_returnsClaims() throws Exception {
        JwtValidation result = validator.validate(sign(providerKey, claims().build()));

        JwtValidation.Valid valid = assertInstanceOf(JwtValidation.Valid.class, result);
        assertEquals("user-1", valid.claims().getSubject());
        assertEquals("kc", valid.issuer().name());
    }

    @Test
    void validate_whenExpired_reportsExpiryBeyondClockSkew() throws Exception {
        String token = sign(providerKey, claims().build());
        clock.advance(Duration.ofSeconds(300 + 59));
        assertInstanceOf(JwtValidation.Valid.class, validator.validate(token));

        clock.advance(Duration.ofSeconds(1));
        JwtValidation.Invalid invalid = assertInstanceOf(JwtValidation.Invalid.class, validator.validate(token));
        assertEquals(AuthFailure.EXPIRED, invalid.failure());
        assertEquals(Instant.parse("2030-06-01T12:05:00Z"), invalid.expiredAt().orElseThrow());
    }

    @Test
    void validate_whenNotYetValid_rejects() throws Exception {
        assertInvalid(AuthFailure.NOT_YET_VALID, sign(providerKey,
                claims().notBeforeTime(Date.from(clock.instant().plusSeconds(120))).build()));
    }

    @Test
    void validate_whenNoExp_rejectsAsMalformed() throws Exception {
        assertInvalid(AuthFailure.MALFORMED, sign(providerKey, claims().expirationTime(null).build()));
    }

    @Test
    void validate_whenWrongAudience_rejects() throws Exception {
        assertInvalid(AuthFailure.WRONG_AUDIENCE, sign(providerKey, claims().audience("https://management.azure.com/").build()));
    }

    @Test
    void validate_whenWrongIssuer_rejectsWithoutFetchingKeys() throws Exception {
        int before = remote.fetches();
        assertInvalid(AuthFailure.UNTRUSTED_ISSUER, sign(providerKey, claims().issuer("https://evil.example/realms/nw").build()));
        assertEquals(before, remote.fetches());
    }

    @Test
    void validate_whenAlgNone_rejects() {
        String unsigned = new PlainJWT(claims().build()).serialize();
        assertInvalid(AuthFailure.UNSUPPORTED_ALGORITHM, unsigned);
        // "none" with a bogus signature part appended must fail the same way.
        assertInvalid(AuthFailure.UNSUPPORTED_ALGORITHM, unsigned + "c2ln");
    }

    @Test
    void validate_whenHmacSignedWithProviderPublicKey_rejects() throws Exception {
        byte[] publicKeyAsSecret = providerKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
        forged.sign(new MACSigner(publicKeyAsSecret));

        assertInvalid(AuthFailure.UNSUPPORTED_ALGORITHM, forged.serialize());
    }

    @Test
    void validate_whenPayloadTampered_rejectsSignature() throws Exception {
        String token = sign(providerKey, claims().build());
        String[] parts = token.split("\\.");
        String tamperedPayload = Base64URL.encode(claims().subject("admin").build().toString()).toString();

        assertInvalid(AuthFailure.BAD_SIGNATURE, parts[0] + "." + tamperedPayload + "." + parts[2]);
    }

    @Test
    void validate_whenSignedByAnotherKeyWithSameKid_rejectsSignature() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("k1").generate();
        assertInvalid(AuthFailure.BAD_SIGNATURE, sign(impostor, claims().build()));
    }

    @Test
    void validate_whenAlgorithmNotPinned_rejects() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
        published.set(new JWKSet(List.of(providerKey.toPublicJWK(), ec.toPublicJWK())));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(), claims().build());
        jwt.sign(new ECDSASigner(ec));

        assertInvalid(AuthFailure.UNSUPPORTED_ALGORITHM, jwt.serialize());
    }

    @Test
    void validate_whenUnknownKidThenProviderRotates_refetchesAtBoundedRate() throws Exception {
        assertInstanceOf(JwtValidation.Valid.class, validator.validate(sign(providerKey, claims().build())));
        assertEquals(1, remote.fetches());
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("k2").generate();
        String tokenWithNewKey = sign(rotated, claims().build());

        // Not yet published: unknown kid. The refetch right after the first fetch is rate limited.
        assertInvalid(AuthFailure.UNKNOWN_KEY, tokenWithNewKey);
        assertEquals(1, remote.fetches());

        // The provider rotates; once the minimum refresh interval passed, the unknown kid triggers one refetch.
        published.set(new JWKSet(List.of(providerKey.toPublicJWK(), rotated.toPublicJWK())));
        clock.advance(Duration.ofSeconds(31));
        assertInstanceOf(JwtValidation.Valid.class, validator.validate(sign(rotated, claims().build())));
        assertEquals(2, remote.fetches());

        // Made-up key ids do not cause further fetches within the interval.
        RSAKey bogus = new RSAKeyGenerator(2048).keyID("k-bogus").generate();
        assertInvalid(AuthFailure.UNKNOWN_KEY, sign(bogus, claims().build()));
        assertInvalid(AuthFailure.UNKNOWN_KEY, sign(bogus, claims().build()));
        assertEquals(2, remote.fetches());
    }

    @Test
    void validate_whenGarbage_rejectsAsMalformed() {
        assertInvalid(AuthFailure.MALFORMED, "not-a-jwt");
        assertInvalid(AuthFailure.MALFORMED, "a.b.c");
        assertInvalid(AuthFailure.MALFORMED, Base64URL.encode("{\"alg\":5}") + ".e30.sig");
    }

    @Test
    void oidcConfig_whenHmacOrNoneConfigured_fails() {
        URI jwks = URI.create("https://idp.example/keys");
        assertThrows(IllegalArgumentException.class,
                () -> new OidcProviderConfig("x", ISSUER, List.of(AUDIENCE), jwks, Set.of("HS256"), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new OidcProviderConfig("x", ISSUER, List.of(AUDIENCE), jwks, Set.of("none"), null, null));
        assertThrows(IllegalArgumentException.class,
                () -> OidcProviderConfig.of("x", ISSUER, AUDIENCE, URI.create("http://idp.example/keys")));
    }
}
