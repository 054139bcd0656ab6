package netwatcher.controller.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.TestController;
import netwatcher.controller.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/v1/adminToken/rotate} over HTTPS on a real controller (embedded database, a fake clock for the
 * grace period): the new token works and is in {@code admin.token} (0600), the old one is refused (at once, or after
 * its grace), console sessions opened with it end with it, and no one but the admin may rotate.
 */
@Tag("e2e")
class AdminTokenRotationApiTest {
    static final String SUBSCRIPTIONS = "/subscriptions?api-version=2022-12-01";
    MutableClock clock;
    TestController c;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(Instant.now());
        c = new TestController(Duration.ofSeconds(3), Map.of(), clock);
    }

    @AfterEach
    void stop() throws Exception {
        if (c != null) c.close();
    }

    TestController.Reply rotate(String body, String bearer) throws Exception {
        return c.send("POST", "/admin/v1/adminToken/rotate", body, bearer);
    }

    int status(String bearer) throws Exception {
        return c.send("GET", SUBSCRIPTIONS, null, "Bearer " + bearer).status();
    }

    @Test
    void rotate_returnsTheNewTokenOnce_writesTheFile_andTheOldTokenIsRefusedAtOnce() throws Exception {
        var reply = rotate(null, "Bearer " + c.token);

        assertEquals(200, reply.status(), reply.body());
        assertEquals("no-store", reply.header("Cache-Control"));
        String token = reply.json().path("token").asText();
        assertNotEquals(c.token, token);
        assertEquals(43, token.length());
        Path file = c.controller.adminTokenFile();
        assertEquals(file.toString(), reply.json().path("tokenFile").asText());
        assertEquals(List.of(token), Files.readAllLines(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(reply.json().path("previousTokenValidUntil").isMissingNode(), "no grace: " + reply.body());
        assertEquals(clock.instant().toString(), reply.json().path("rotatedAt").asText());

        assertEquals(401, status(c.token), "the old token");
        assertEquals(200, status(token), "the new token");
        assertEquals(token, c.controller.adminToken(), "the controller hands out the new token (nw up's banner, its agent)");
        var again = rotate(null, "Bearer " + c.token);
        assertEquals(401, again.status(), "the old token cannot rotate either");
    }

    @Test
    void rotateWithGrace_bothTokensWorkUntilItEnds_andAConsoleSessionOfTheOldTokenEndsWithIt() throws Exception {
        HttpResponse<String> login = browser("POST", "/console/api/session", "{\"token\":\"" + c.token + "\"}", "Content-Type",
                "application/json");
        assertEquals(201, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];

        var reply = rotate("{\"graceSeconds\":120}", "Bearer " + c.token);

        assertEquals(200, reply.status(), reply.body());
        String token = reply.json().path("token").asText();
        assertEquals(clock.instant().plusSeconds(120).toString(), reply.json().path("previousTokenValidUntil").asText());
        assertEquals(200, status(c.token), "in its grace period");
        assertEquals(200, status(token));
        assertEquals(200, browser("GET", "/console/api/fleet", null, "Cookie", cookie).statusCode(), "the old token's session, in the grace");

        clock.advance(Duration.ofSeconds(120));

        assertEquals(401, status(c.token), "the grace ended");
        assertEquals(200, status(token));
        assertEquals(401, browser("GET", "/console/api/fleet", null, "Cookie", cookie).statusCode(),
                "the session stood for the old token: it ends with it (its credential is authenticated on every request)");
        assertEquals(401, browser("GET", SUBSCRIPTIONS, null, "Cookie", cookie).statusCode());
    }

    @Test
    void rotate_refusesEveryoneButTheAdmin_andAGraceOutOfRange_andChangesNothingThen() throws Exception {
        String reader = servicePrincipalToken();
        var asReader = rotate(null, reader);
        assertEquals(403, asReader.status(), asReader.body());
        assertEquals("AuthorizationFailed", asReader.errorCode());
        assertEquals(401, rotate(null, null).status());
        assertEquals(401, rotate(null, "Bearer " + "x".repeat(43)).status());

        for (var grace : Map.of("-1", "InvalidParameter", "86401", "InvalidParameter", "\"soon\"", "InvalidRequestContent").entrySet()) {
            var bad = rotate("{\"graceSeconds\":" + grace.getKey() + "}", "Bearer " + c.token);
            assertEquals(400, bad.status(), grace + ": " + bad.body());
            assertEquals(grace.getValue(), bad.errorCode(), bad.body());
            assertEquals("graceSeconds", bad.json().path("error").path("target").asText(), bad.body());
            assertTrue(bad.json().path("error").path("message").asText().contains("graceSeconds"), bad.body());
        }
        assertEquals(200, status(c.token), "nothing was rotated");
        assertEquals(List.of(c.token), Files.readAllLines(c.controller.adminTokenFile()));
    }

    HttpResponse<String> browser(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(c.url(path))).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
        return c.http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A service principal with Owner on the default subscription, as a bearer header. */
    String servicePrincipalToken() throws Exception {
        var sp = c.send("POST", "/admin/v1/servicePrincipals", "{\"displayName\":\"rotator\"}").json();
        String clientId = sp.path("clientId").asText();
        var role = c.send("POST", "/admin/v1/roleAssignments", Json.writeString(Map.of("principalId", clientId, "role", "Owner",
                "scope", "/subscriptions/" + c.sub)));
        assertEquals(201, role.status(), role.body());
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret="
                + URLEncoder.encode(sp.path("clientSecret").asText(), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(c.controller.baseUrl() + "/.default", StandardCharsets.UTF_8);
        var t = c.http.send(HttpRequest.newBuilder(URI.create(c.url("/adfs/oauth2/token")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, t.statusCode(), t.body());
        String bearer = "Bearer " + Json.tree(t.body().getBytes(StandardCharsets.UTF_8)).path("access_token").asText();
        assertEquals(200, c.send("GET", SUBSCRIPTIONS, null, bearer).status(), "the principal is authenticated");
        return bearer;
    }
}
