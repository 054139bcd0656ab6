package netwatcher.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * If-Match / If-None-Match on watchers and captures: matching preconditions let the write through,
 * failing ones get 412 PreconditionFailed and change nothing; the ETag header always equals the
 * body's etag.
 */
@Tag("e2e")
class ConditionalRequestTest {
    static final String V = "?api-version=2025-05-01";
    static TestController c;
    static TestAgent agent;
    static String rg;

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        agent = new TestAgent(c, "lab", "vm1", "westeurope");
        rg = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/";
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static HttpResponse<String> send(String method, String path, String body, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + c.token);
        if (body != null) b.header("Content-Type", "application/json");
        if (header != null) b.header(header, value);
        return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String bodyEtag(HttpResponse<String> r) {
        return netwatcher.arm.Json.tree(r.body().getBytes()).path("etag").asText();
    }

    @Test
    void watcher_writesWithMatchingEtag_succeedAndEtagHeaderEqualsBody() throws Exception {
        String nw = rg + "nwcond" + V;
        var created = send("PUT", nw, "{\"location\":\"northeurope\"}", "If-None-Match", "*");
        assertEquals(201, created.statusCode(), created.body());
        String etag = created.headers().firstValue("ETag").orElseThrow();
        assertEquals(bodyEtag(created), etag);

        var get = send("GET", nw, null, null, null);
        assertEquals(etag, get.headers().firstValue("ETag").orElseThrow());
        assertEquals(etag, bodyEtag(get));

        var updated = send("PUT", nw, "{\"location\":\"northeurope\",\"tags\":{\"a\":\"b\"}}", "If-Match", etag);
        assertEquals(200, updated.statusCode(), updated.body());
        String etag2 = updated.headers().firstValue("ETag").orElseThrow();
        assertEquals(bodyEtag(updated), etag2);
        assertNotEquals(etag, etag2, "a write makes a new etag");

        var stale = send("PATCH", nw, "{\"tags\":{\"c\":\"d\"}}", "If-Match", etag);
        assertEquals(412, stale.statusCode(), stale.body());
        assertEquals("b", netwatcher.arm.Json.tree(send("GET", nw, null, null, null).body().getBytes()).path("tags").path("a").asText());

        var patched = send("PATCH", nw, "{\"tags\":{\"c\":\"d\"}}", "If-Match", etag2);
        assertEquals(200, patched.statusCode(), patched.body());
        String etag3 = patched.headers().firstValue("ETag").orElseThrow();
        assertEquals(bodyEtag(patched), etag3);

        assertEquals(412, send("DELETE", nw, null, "If-Match", etag2).statusCode());
        assertEquals(200, send("GET", nw, null, null, null).statusCode());
        var deleted = send("DELETE", nw, null, "If-Match", etag3);
        assertEquals(204, deleted.statusCode(), deleted.body()); // done at once (NetworkWatchers_Delete lists 202 and 204)
        assertEquals(404, send("GET", nw, null, null, null).statusCode());
    }

    @Test
    void capture_deleteWithMatchingEtag_succeedsAndStaleOneIsRefused() throws Exception {
        String pc = rg + "NetworkWatcher_westeurope/packetCaptures/cond" + V;
        String body = "{\"properties\":{\"target\":\"" + agent.vmId + "\",\"storageLocation\":{\"filePath\":\"/var/captures/c.cap\"}}}";
        var created = send("PUT", pc, body, "If-None-Match", "*");
        assertEquals(201, created.statusCode(), created.body());

        var get = send("GET", pc, null, null, null);
        String etag = get.headers().firstValue("ETag").orElseThrow();
        assertNotNull(etag);
        assertEquals(bodyEtag(get), etag);

        var again = send("PUT", pc, body, "If-Match", etag);
        assertEquals(409, again.statusCode(), "a matching If-Match does not make a second PUT legal: " + again.body());

        assertEquals(412, send("DELETE", pc, null, "If-Match", "W/\"stale\"").statusCode());
        assertEquals(200, send("GET", pc, null, null, null).statusCode());
        var deleted = send("DELETE", pc, null, "If-Match", etag);
        assertEquals(202, deleted.statusCode(), deleted.body());
        assertEquals(404, send("GET", pc, null, null, null).statusCode());
    }
}
