package netwatcher.controller.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.TestController;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The console's OIDC login against a real OAuth2/OIDC provider (mock-oauth2-server: discovery, authorization
 * endpoint, token endpoint verifying PKCE, signed ID tokens with the nonce) and a real controller over HTTPS,
 * following each redirect by hand with the cookies a browser would hold: a login ends in a session for the
 * provider's principal, authorized by its role assignments only; a replayed callback, a wrong state, the provider's
 * error and an expired ID token each end on the login page without a session.
 */
@Tag("e2e")
class ConsoleOidcLoginTest {
    static final String V = "?api-version=2025-05-01";
    static final String CLIENT = "nw-console";
    static MockOAuth2Server provider;
    static TestController c;
    static final HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        String issuer = provider.issuerUrl("idp").toString();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("auth.oidc.idp.issuer", issuer);
        settings.put("auth.oidc.idp.audiences", CLIENT);
        settings.put("auth.oidc.idp.jwksUri", provider.jwksUrl("idp").toString());
        settings.put("auth.oidc.idp.subjectClaim", "sub");
        settings.put("auth.oidc.idp.clientId", CLIENT);
        settings.put("auth.oidc.idp.clientSecret", "console-secret");
        c = new TestController(Duration.ofSeconds(5), settings);
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) c.close();
        if (provider != null) provider.shutdown();
    }

    /** A request to the controller with the given headers, redirects not followed. */
    static HttpResponse<String> get(String pathOrUrl, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : c.url(pathOrUrl)))
                .timeout(Duration.ofSeconds(20)).GET();
        if (cookie != null) b.header("Cookie", cookie);
        return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(s -> s.startsWith(name + "=")).map(s -> s.substring(0, s.indexOf(';')))
                .findFirst().orElse(null);
    }

    static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = URI.create(url).getRawQuery();
        if (q != null) for (String kv : q.split("&")) {
            int eq = kv.indexOf('=');
            out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Starts a login: the pre-login cookie and the provider's authorization URL. */
    static String[] begin() throws Exception {
        HttpResponse<String> start = get("/console/oidc/login/idp", null);
        assertEquals(303, start.statusCode(), start.body());
        String preLogin = cookie(start, OidcLogin.COOKIE);
        assertNotNull(preLogin);
        assertTrue(start.headers().firstValue("Set-Cookie").orElseThrow().contains("HttpOnly"));
        return new String[] {preLogin, start.headers().firstValue("Location").orElseThrow()};
    }

    /** The provider's answer to the authorization request: the redirect back to the controller's callback. */
    static String authorize(String authorizationUrl) throws Exception {
        HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create(authorizationUrl)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    @Test
    void aLoginWithTheProvider_endsInASessionForItsPrincipal_authorizedByRoleAssignmentsOnly() throws Exception {
        HttpResponse<String> logins = get("/console/api/logins", null);
        assertEquals(200, logins.statusCode());
        assertEquals("idp", Json.tree(logins.body().getBytes()).path("oidc").path(0).path("name").asText());

        String[] pre = begin();
        Map<String, String> asked = query(pre[1]);
        assertEquals(CLIENT, asked.get("client_id"));
        assertEquals("code", asked.get("response_type"));
        assertEquals("S256", asked.get("code_challenge_method"));
        assertEquals(c.controller.baseUrl() + "/console/oidc/callback", asked.get("redirect_uri"));
        assertNotNull(asked.get("state"));
        assertNotNull(asked.get("nonce"));

        provider.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "alice", "JWT", List.of(CLIENT), Map.of("preferred_username", "alice")));
        String back = authorize(pre[1]);
        assertTrue(back.startsWith(c.controller.baseUrl() + "/console/oidc/callback?"), back);
        HttpResponse<String> done = get(back, pre[0]);
        assertEquals(303, done.statusCode());
        assertEquals("/console/", done.headers().firstValue("Location").orElseThrow());
        String session = cookie(done, ConsoleSessions.COOKIE);
        assertNotNull(session, "a session cookie");
        assertTrue(done.headers().allValues("Set-Cookie").stream().anyMatch(s -> s.startsWith(ConsoleSessions.COOKIE + "=")
                && s.contains("HttpOnly") && s.contains("SameSite=Strict") && s.contains("Secure")));

        HttpResponse<String> who = get("/console/api/session", session);
        assertEquals(200, who.statusCode(), who.body());
        JsonNode me = Json.tree(who.body().getBytes());
        assertEquals("idp:alice", me.path("id").asText());
        assertEquals("OIDC_USER", me.path("kind").asText());

        String watchers = "/subscriptions/" + c.sub + "/providers/Microsoft.Network/networkWatchers" + V;
        assertEquals(403, get(watchers, session).statusCode(), "no role assignment: nothing");
        assertEquals(201, c.send("POST", "/admin/v1/roleAssignments", "{\"principalId\":\"idp:alice\",\"role\":\"Reader\",\"scope\":\"/subscriptions/"
                + c.sub + "\"}").status());
        assertEquals(200, get(watchers, session).statusCode(), "Reader on the subscription: reads");

        // the same callback again (a replay, with or without the pre-login cookie): the login page, no session
        HttpResponse<String> replay = get(back, pre[0]);
        assertEquals(303, replay.statusCode());
        assertEquals("/console/?login=expired", replay.headers().firstValue("Location").orElseThrow());
        assertEquals(null, cookie(replay, ConsoleSessions.COOKIE));
    }

    @Test
    void aWrongState_theProvidersError_anExpiredToken_endOnTheLoginPageWithoutASession() throws Exception {
        String[] pre = begin();
        String back = authorize(pre[1]);
        String forged = back.replaceAll("state=[^&]*", "state=forged");
        HttpResponse<String> r = get(forged, pre[0]);
        assertEquals("/console/?login=state", r.headers().firstValue("Location").orElseThrow());
        assertEquals(null, cookie(r, ConsoleSessions.COOKIE));

        pre = begin();
        r = get("/console/oidc/callback?error=access_denied&state=" + query(pre[1]).get("state"), pre[0]);
        assertEquals("/console/?login=provider&error=access_denied", r.headers().firstValue("Location").orElseThrow());
        assertEquals(null, cookie(r, ConsoleSessions.COOKIE));

        pre = begin();
        // the provider's ID token expired five minutes ago (beyond the 60 s clock skew): refused like any expired token
        provider.enqueueCallback(new DefaultOAuth2TokenCallback("idp", "mallory", "JWT", List.of(CLIENT), Map.of(), -300));
        r = get(authorize(pre[1]), pre[0]);
        assertEquals("/console/?login=token", r.headers().firstValue("Location").orElseThrow());
        assertEquals(null, cookie(r, ConsoleSessions.COOKIE));

        r = get("/console/oidc/callback?code=x&state=y", null);
        assertEquals("/console/?login=expired", r.headers().firstValue("Location").orElseThrow(), "no pre-login cookie");
    }

    @Test
    void theProviderVerifiesPkce_aCodeExchangedWithoutTheControllersVerifierIsRefused() throws Exception {
        String[] pre = begin();
        String code = query(authorize(pre[1])).get("code");
        String form = "grant_type=authorization_code&code=" + code + "&client_id=" + CLIENT + "&client_secret=console-secret"
                + "&redirect_uri=" + java.net.URLEncoder.encode(c.controller.baseUrl() + "/console/oidc/callback", StandardCharsets.UTF_8)
                + "&code_verifier=" + "a".repeat(43);
        HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create(provider.tokenEndpointUrl("idp").toString()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("invalid_grant"), r.body());
    }
}
