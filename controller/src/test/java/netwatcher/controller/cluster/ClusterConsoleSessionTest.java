package netwatcher.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import netwatcher.arm.Json;
import netwatcher.controller.TestController;
import netwatcher.controller.db.Dialect;
import netwatcher.controller.db.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two real controllers on one PostgreSQL database: a console session opened on one is accepted by the other (as a
 * balancer sending a browser's requests to either would need), and a logout on either ends it on both.
 */
@Tag("external")
class ClusterConsoleSessionTest {
    static TestDatabase pg;
    static TestController a;
    static TestController b;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        pg = TestDatabase.create(Dialect.POSTGRESQL);
        Map<String, String> settings = Map.of("database.url", pg.config().jdbcUrl(), "database.user", pg.config().user(),
                "database.password", pg.config().password());
        a = new TestController(Duration.ofSeconds(3), settings);
        b = new TestController(Duration.ofSeconds(3), settings);
        admin = a.token != null ? a.token : b.token;
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (pg != null) pg.close();
    }

    static HttpResponse<String> send(TestController c, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(c.url(path))).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
        return c.http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSessionOpenedOnOneControllerIsAcceptedByTheOther_andALogoutOnEitherEndsItOnBoth() throws Exception {
        HttpResponse<String> login = send(a, "POST", "/console/api/session", "{\"token\":\"" + admin + "\"}",
                "Content-Type", "application/json");
        assertEquals(201, login.statusCode(), login.body());
        String set = login.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = set.substring(0, set.indexOf(';'));
        String csrf = Json.tree(login.body().getBytes()).path("csrfToken").asText();

        HttpResponse<String> whoOnB = send(b, "GET", "/console/api/session", null, "Cookie", cookie);
        assertEquals(200, whoOnB.statusCode(), whoOnB.body());
        JsonNode who = Json.tree(whoOnB.body().getBytes());
        assertEquals(csrf, who.path("csrfToken").asText(), "the same session, its CSRF token included");
        assertEquals(200, send(b, "GET", "/console/api/fleet", null, "Cookie", cookie).statusCode());
        // a state-changing ARM request through b with the session opened on a: the CSRF token a gave holds on b
        String watcher = "/subscriptions/" + a.sub + "/resourceGroups/console-rg/providers/Microsoft.Network/networkWatchers/nw1"
                + "?api-version=2025-05-01";
        String body = "{\"location\":\"westeurope\"}";
        assertEquals(403, send(b, "PUT", watcher, body, "Cookie", cookie, "Content-Type", "application/json").statusCode(),
                "no CSRF token: refused");
        int created = send(b, "PUT", watcher, body, "Cookie", cookie, "Content-Type", "application/json", "X-CSRF-Token", csrf).statusCode();
        assertEquals(true, created == 200 || created == 201, "created with the CSRF token: " + created);

        assertEquals(204, send(b, "DELETE", "/console/api/session", null, "Cookie", cookie, "X-CSRF-Token", csrf).statusCode());
        assertEquals(401, send(a, "GET", "/console/api/fleet", null, "Cookie", cookie).statusCode(), "logged out on b: over on a too");
        assertEquals(401, send(b, "GET", "/console/api/fleet", null, "Cookie", cookie).statusCode());
    }
}
