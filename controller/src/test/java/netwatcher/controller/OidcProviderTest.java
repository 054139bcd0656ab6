package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import netwatcher.controller.auth.OidcProviderConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.oidc.<n>.*} settings from {@code DIR/controller.properties}: a controller trusts the
 * configured provider (its JWKS served by a loopback server) and authorizes its users by role
 * assignment like every other principal.
 */
@Tag("e2e")
class OidcProviderTest {
    static final String ISSUER = "https://idp.example/realms/nw";
    static final String AUDIENCE = "api://netwatcher";
    static final String V = "?api-version=2025-05-01";
    HttpServer jwks;
    RSAKey key;
    String jwksUri;

    @BeforeEach
    void startProvider() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwks.createContext("/keys", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        jwks.start();
        jwksUri = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/keys";
    }

    @AfterEach
    void stopProvider() {
        jwks.stop(0);
    }

    Map<String, String> settings() {
        return Map.of("auth.oidc.1.name", "kc", "auth.oidc.1.issuer", ISSUER, "auth.oidc.1.audiences", AUDIENCE + ", other",
                "auth.oidc.1.jwksUri", jwksUri, "auth.oidc.1.algorithms", "RS256,PS256", "auth.oidc.1.clockSkew", "30");
    }

    static String token(RSAKey signer, String audience) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(audience).subject("sub-1")
                .claim("oid", "alice-oid").claim("preferred_username", "alice@example")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(signer));
        return "Bearer " + jwt.serialize();
    }

    @Test
    void oidcUser_withoutRoleAssignment_is403_andWithReader_is200() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30), settings())) {
            String watchers = "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers" + V;
            String bearer = token(key, AUDIENCE);

            var denied = c.send("GET", watchers, null, bearer);
            assertEquals(403, denied.status(), denied.body());
            assertEquals("AuthorizationFailed", denied.errorCode());

            var role = c.send("POST", "/admin/v1/roleAssignments",
                    "{\"principalId\":\"kc:alice-oid\",\"role\":\"Reader\",\"scope\":\"/subscriptions/" + c.sub + "\"}");
            assertEquals(201, role.status(), role.body());

            var allowed = c.send("GET", watchers, null, bearer);
            assertEquals(200, allowed.status(), allowed.body());
            var write = c.send("PUT", "/subscriptions/" + c.sub + "/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/nw" + V,
                    "{\"location\":\"northeurope\"}", bearer);
            assertEquals(403, write.status(), "Reader cannot write: " + write.body());
        }
    }

    @Test
    void oidcToken_fromOtherKeyOrAudience_is401() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30), settings())) {
            String watchers = "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers" + V;
            RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
            var forged = c.send("GET", watchers, null, token(stranger, AUDIENCE));
            assertEquals(401, forged.status(), forged.body());
            assertEquals("AuthenticationFailed", forged.errorCode());
            var wrongAudience = c.send("GET", watchers, null, token(key, "api://someone-else"));
            assertEquals(401, wrongAudience.status(), wrongAudience.body());
        }
    }

    @Test
    void withoutOidcSettings_theProvidersTokensAre401() throws Exception {
        try (TestController c = new TestController(Duration.ofSeconds(30))) {
            var r = c.send("GET", "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers" + V, null, token(key, AUDIENCE));
            assertEquals(401, r.status(), r.body());
        }
    }

    @Test
    void load_readsEveryOidcSetting() throws Exception {
        Path dir = Files.createTempDirectory("nwtest");
        try {
            java.util.Properties p = new java.util.Properties();
            p.putAll(settings());
            try (var out = Files.newBufferedWriter(dir.resolve("controller.properties"))) {
                p.store(out, null);
            }
            OidcProviderConfig oidc = ControllerConfig.load(dir, 0).oidcProviders().getFirst();
            assertEquals("kc", oidc.name());
            assertEquals(ISSUER, oidc.issuer());
            assertEquals(java.util.List.of(AUDIENCE, "other"), oidc.audiences());
            assertEquals(java.util.Set.of("RS256", "PS256"), oidc.algorithms());
            assertEquals(Duration.ofSeconds(30), oidc.clockSkew());
            assertEquals("oid", oidc.subjectClaim());
            assertEquals(java.util.List.of(), ControllerConfig.load(dir, 0).identity().oidcClients(), "no clientId: no console login");
        } finally {
            Files.deleteIfExists(dir.resolve("controller.properties"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void load_readsTheConsolesClientRegistration_withoutShowingItsSecret() throws Exception {
        Path dir = Files.createTempDirectory("nwtest");
        try {
            java.util.Properties p = new java.util.Properties();
            p.putAll(settings());
            p.put("auth.oidc.1.clientId", "other");
            p.put("auth.oidc.1.clientSecret", "s3cret");
            try (var out = Files.newBufferedWriter(dir.resolve("controller.properties"))) {
                p.store(out, null);
            }
            var client = ControllerConfig.load(dir, 0).identity().oidcClients().getFirst();
            assertEquals(new netwatcher.controller.auth.OidcClient("kc", "other", "s3cret"), client);
            assertTrue(!client.toString().contains("s3cret"), client.toString());
        } finally {
            Files.deleteIfExists(dir.resolve("controller.properties"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void load_whenSettingIsWrong_namesIt() throws Exception {
        for (Map<String, String> bad : java.util.List.of(
                Map.of("auth.oidc.x.issuer", ISSUER, "auth.oidc.x.audiences", AUDIENCE),
                Map.of("auth.oidc.x.issuer", ISSUER, "auth.oidc.x.audiences", AUDIENCE, "auth.oidc.x.jwksUri", jwksUri, "auth.oidc.x.algorithms", "HS256"),
                Map.of("auth.oidc.x.issuer", ISSUER, "auth.oidc.x.audiences", AUDIENCE, "auth.oidc.x.jwksUri", "http://idp.example/keys"),
                Map.of("auth.oidc.x.issuer", ISSUER, "auth.oidc.x.audiences", AUDIENCE, "auth.oidc.x.jwksUri", jwksUri, "auth.oidc.x.jwks", "typo"),
                // the console's client id must be an accepted audience: its login's ID token is addressed to it
                Map.of("auth.oidc.x.issuer", ISSUER, "auth.oidc.x.audiences", AUDIENCE, "auth.oidc.x.jwksUri", jwksUri, "auth.oidc.x.clientId", "console"),
                Map.of("auth.oidc.x.issuer", ISSUER, "auth.oidc.x.audiences", AUDIENCE, "auth.oidc.x.jwksUri", jwksUri, "auth.oidc.x.clientSecret", "s"))) {
            Path dir = Files.createTempDirectory("nwtest");
            try {
                java.util.Properties p = new java.util.Properties();
                p.putAll(bad);
                try (var out = Files.newBufferedWriter(dir.resolve("controller.properties"))) {
                    p.store(out, null);
                }
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControllerConfig.load(dir, 0));
                assertTrue(e.getMessage().contains("auth.oidc.x"), e.getMessage());
            } finally {
                Files.deleteIfExists(dir.resolve("controller.properties"));
                Files.deleteIfExists(dir);
            }
        }
    }
}
