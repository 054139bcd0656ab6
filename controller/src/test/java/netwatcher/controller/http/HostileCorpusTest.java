package netwatcher.controller.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import netwatcher.arm.Json;
import netwatcher.controller.TestAgent;
import netwatcher.controller.TestController;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route, every route variable replaced in turn by hostile values, with the route's method and
 * others, and with odd bodies: no answer is a 500, every error is JSON in the ARM shape (RFC 6749's on
 * the token endpoints) with a request id and without library or class names.
 */
@Tag("e2e")
class HostileCorpusTest {
    static final Pattern INTERNALS = Pattern.compile("(?i)jetty|jackson|java\\.|exception|fasterxml|eclipse|<html");
    static TestController c;
    static TestAgent agent;

    static final List<String> SEGMENTS = List.of("%C3%A9t%C3%A9", "a%20b", "%F0%9F%98%80", "'", "~", "a.b", "x".repeat(3000),
            "00000000-0000-0000-0000-000000000000", "%EF%BF%BF", "a:b@c", "*(", "%2B%23%3F%26%22%3C");
    static final List<String> BODIES = List.of("{}", "[]", "null", "\"s\"", "0", "{\"properties\":null}", "{\"properties\":{\"target\":null}}",
            "{\"properties\":{\"target\":\"\"}}", "{\"properties\":{\"target\":\"/subscriptions/\"}}", "{\"location\":null,\"tags\":null}",
            "{\"location\":\"\",\"tags\":{}}", "{\"location\":\"x\".repeat}", "{\"properties\":{\"filters\":[null]}}",
            "{\"properties\":{\"storageLocation\":{\"filePath\":null}}}", "{\"targetResourceId\":\"/subscriptions/a/resourceGroups/b\"}",
            "{\"source\":{\"resourceId\":null},\"destination\":{}}", "{\"source\":{\"resourceId\":\"x\"},\"destination\":{\"port\":99999999999}}",
            "{\"principalId\":null,\"role\":null,\"scope\":null}", "{\"enrollmentToken\":null}", "{\"maxUses\":1e400}", "{\"a\":" + "[".repeat(900) + "]".repeat(900) + "}");
    static final List<String> METHODS = List.of("GET", "PUT", "PATCH", "POST", "DELETE", "HEAD");

    @BeforeAll
    static void start() throws Exception {
        c = new TestController(Duration.ofMinutes(10));
        agent = new TestAgent(c, "lab", "vm1", "westeurope");
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
    }

    static List<String> templates() {
        String sub = "/subscriptions/{sub}";
        String rg = sub + "/resourceGroups/{rg}";
        String nw = rg + "/providers/Microsoft.Network/networkWatchers/{nw}";
        return List.of(sub, sub + "/resourceGroups", "/subscriptions", "/tenants", "/metadata/endpoints",
                rg + "/providers/Microsoft.Compute/virtualMachines/{vm}", rg + "/providers/Microsoft.Compute/virtualMachines/{vm}/extensions/{ext}",
                rg + "/providers/Microsoft.Network/networkInterfaces/{nic}", rg + "/providers/Microsoft.Network/networkWatchers", nw,
                nw + "/packetCaptures", nw + "/packetCaptures/{pc}", nw + "/packetCaptures/{pc}/queryStatus", nw + "/packetCaptures/{pc}/stop",
                nw + "/connectivityCheck", nw + "/ipFlowVerify", nw + "/nextHop",
                sub + "/providers/Microsoft.Network/locations/{loc}/operations/{op}", sub + "/providers/Microsoft.Network/locations/{loc}/operationResults/{op}",
                rg + "/providers/Microsoft.Storage/storageAccounts/{acc}", "/storage/{acc}/{blob}",
                "/admin/v1/agents/{id}", "/admin/v1/servicePrincipals/{id}", "/admin/v1/servicePrincipals/{id}/resetSecret",
                "/admin/v1/enrollmentTokens/{id}", "/admin/v1/roleAssignments/{id}", "/admin/v1/subscriptions", "/admin/v1/roleAssignments",
                "/admin/v1/enrollmentTokens", "/agent/v1/enroll", "/agent/v1/host", "/agent/v1/orders", "/agent/v1/reports",
                "/agent/v1/captures/{key}/file", "/agent/v1/checks/{key}/evidence", "/{tenant}/oauth2/token", "/{tenant}/oauth2/v2.0/token", "/adfs/discovery/keys");
    }

    String valid(String var) {
        return switch (var) {
            case "sub" -> c.sub;
            case "rg" -> "NetworkWatcherRG";
            case "nw" -> "NetworkWatcher_westeurope";
            case "loc" -> "westeurope";
            case "acc" -> "netwatcherlocal";
            case "tenant" -> "adfs";
            default -> "x";
        };
    }

    /** Requests for one template: each variable hostile in turn, the others valid. */
    List<String> paths(String template) {
        List<String> vars = new ArrayList<>();
        var m = Pattern.compile("\\{(\\w+)}").matcher(template);
        while (m.find()) vars.add(m.group(1));
        List<String> out = new ArrayList<>();
        String allValid = template;
        for (String v : vars) allValid = allValid.replace("{" + v + "}", valid(v));
        out.add(allValid);
        for (String hostile : vars) {
            for (String seg : SEGMENTS) {
                String p = template;
                for (String v : vars) p = p.replace("{" + v + "}", v.equals(hostile) ? seg : valid(v));
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void hostileCorpus_neverAnswers500_andEveryErrorIsShaped() throws Exception {
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (String template : templates()) {
            String authorization = template.startsWith("/agent/") ? agent.bearer() : "Bearer " + c.token;
            for (String path : paths(template)) {
                boolean first = path.equals(paths(template).getFirst());
                for (String query : first ? List.of("?api-version=2025-05-01", "?api-version=2025-05-01&$filter=%27&$top=-1&$skipToken=%00")
                        : List.of("?api-version=2025-05-01")) {
                    for (String method : first && query.length() < 30 ? METHODS : List.of("GET", "PUT", "POST", "DELETE")) {
                        List<String> bodies = method.equals("GET") || method.equals("HEAD") || method.equals("DELETE") ? List.of("")
                                : first && query.length() < 30 ? BODIES : List.of("{}");
                        for (String body : bodies) {
                            sent++;
                            check(method, path + query, body, authorization, failures);
                        }
                    }
                }
            }
        }
        assertTrue(sent > 1000, "sent " + sent);
        assertTrue(failures.isEmpty(), failures.size() + " bad answers of " + sent + ":\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    @Test
    void hostileHeaders_neverAnswer500() throws Exception {
        String nw = "/subscriptions/" + c.sub + "/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope";
        List<String[]> headers = new ArrayList<>();
        for (String auth : List.of("Bearer", "Bearer  ", "bearer " + c.token, "Bearer " + "a".repeat(6000), "Bearer a.b", "Bearer ..",
                "Bearer eyJhbGciOiJSUzI1NiJ9.eyJ4Ijp9.AAAA", "Bearer eyJ.eyJ.", "Basic", "Basic %%%", "Basic " + "Og==", "Negotiate x", "\u00e9")) {
            headers.add(new String[] {"Authorization", auth});
        }
        for (String v : List.of("", "*", "W/", "\"", "W/\"", "x".repeat(5000), "\"a\", \"b\"", ",,,")) {
            headers.add(new String[] {"If-Match", v});
            headers.add(new String[] {"If-None-Match", v});
        }
        for (String v : List.of("", ";", "application/json;;", "application/json; charset", "application/json; charset=", "*/*", "application/*",
                "application/json; charset=\"", "application/json\tx")) {
            headers.add(new String[] {"Content-Type", v});
        }
        for (String v : List.of("", "bytes=", "bytes=--", "bytes=1-2-", "bytes=-99999999999999999999999", "bytes=0-0,-1", "bytes = 1-2",
                "BYTES=0-1", "bytes=18446744073709551616-")) {
            headers.add(new String[] {"Range", v});
        }
        headers.add(new String[] {"x-ms-client-request-id", "x".repeat(5000)});
        headers.add(new String[] {"x-ms-correlation-request-id", "\u00e9"});
        headers.add(new String[] {"Accept", "text/html"});
        headers.add(new String[] {"Accept-Charset", "x-unknown"});
        headers.add(new String[] {"Accept-Encoding", "gzip;q=abc"});
        List<String> failures = new ArrayList<>();
        String blob = "/storage/netwatcherlocal/nothing/here.cap";
        for (String[] h : headers) {
            for (String[] req : List.of(new String[] {"GET", nw + "?api-version=2025-05-01", ""},
                    new String[] {"PUT", nw + "?api-version=2025-05-01", "{\"location\":\"westeurope\"}"},
                    new String[] {"PATCH", nw + "?api-version=2025-05-01", "{\"tags\":{}}"},
                    new String[] {"DELETE", nw + "/packetCaptures/none?api-version=2025-05-01", ""},
                    new String[] {"GET", blob, ""}, new String[] {"POST", "/adfs/oauth2/token", "grant_type=client_credentials"},
                    new String[] {"GET", "/admin/v1/agents", ""})) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.url(req[1]))).timeout(Duration.ofSeconds(30))
                        .method(req[0], req[2].isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(req[2]));
                if (!h[0].equals("Authorization")) b.header("Authorization", "Bearer " + c.token);
                try {
                    b.header(h[0], h[1]);
                } catch (IllegalArgumentException refusedByTheClient) {
                    continue;
                }
                HttpResponse<String> r;
                try {
                    r = c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException e) {
                    r = c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                }
                String where = req[0] + " " + req[1] + " " + h[0] + ": " + h[1].substring(0, Math.min(40, h[1].length())) + " -> "
                        + r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length()));
                if (r.statusCode() >= 500 || INTERNALS.matcher(r.body()).find()) failures.add(where);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    void check(String method, String target, String body, String authorization, List<String> failures) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.url(target))).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization)
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!body.isEmpty()) b.header("Content-Type", target.contains("/oauth2/") ? "application/x-www-form-urlencoded" : "application/json");
        HttpResponse<String> r;
        try {
            r = c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException closedPooledConnection) {
            // a connection the server closed after an earlier answer (Connection: close) may be reused once
            try {
                r = c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                failures.add("no answer (" + e.getMessage() + "): " + method + " " + target.substring(0, Math.min(160, target.length())) + " " + body);
                return;
            }
        }
        String where = method + " " + (target.length() > 160 ? target.substring(0, 160) + "..." : target) + " "
                + (body.length() > 40 ? body.substring(0, 40) : body) + " -> " + r.statusCode() + " "
                + (r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
        if (r.statusCode() >= 500) {
            failures.add(where);
            return;
        }
        if (INTERNALS.matcher(r.body()).find()) failures.add("internals: " + where);
        if (r.statusCode() < 400 || method.equals("HEAD")) return;
        if (r.headers().firstValue("x-ms-request-id").isEmpty()) failures.add("no request id: " + where);
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) failures.add("not JSON: " + where);
        try {
            JsonNode json = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
            boolean arm = json.path("error").isObject() && !json.path("error").path("code").asText().isBlank()
                    && !json.path("error").path("message").asText().isBlank();
            boolean oauth = target.contains("/oauth2/") && json.path("error").isTextual() && json.path("error_description").isTextual();
            if (!arm && !oauth) failures.add("shape: " + where);
        } catch (RuntimeException e) {
            failures.add("unparsable: " + where);
        }
    }
}
