package netwatcher.cli.admin;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.agent.control.ControllerTls;
import netwatcher.arm.Json;
import netwatcher.pki.SecureFiles;

/** {@link AdminBackend} over a running controller's {@code /admin/v1} API. Not thread-safe. */
public final class RemoteAdmin implements AdminBackend {
    private final HttpClient http;
    private final String base;
    private final String token;
    /** The file {@link #token} came from: a rotated token is written back there. */
    private final Path tokenFile;

    RemoteAdmin(HttpClient http, String base, String token, Path tokenFile) {
        this.http = http;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.tokenFile = tokenFile.toAbsolutePath();
    }

    /** An HTTP client that trusts {@code caPem} when it exists (else the JDK's trust store). */
    static HttpClient client(Path caPem) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
        if (Files.exists(caPem)) {
            try {
                b.sslContext(ControllerTls.trusting(caPem));
            } catch (Exception e) {
                throw new AdminException("Cannot read the CA certificate " + caPem + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** Whether a controller answers {@code GET /healthz}; false when nothing listens there. */
    static boolean reachable(HttpClient http, String base) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + "/healthz"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw new AdminException("The controller at " + base + " did not answer properly: " + e.getMessage()
                    + " (is the CA in the data directory the controller's?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted");
        }
    }

    private JsonNode call(String method, String path, Map<String, Object> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AdminException("The controller at " + base + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted");
        }
        JsonNode json = r.body().isBlank() ? null : Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
        if (r.statusCode() >= 400) {
            String code = json == null ? "" : json.path("error").path("code").asText();
            String message = json == null ? r.body() : json.path("error").path("message").asText(r.body());
            throw new AdminException(r.statusCode() + " " + code + ": " + message);
        }
        return json;
    }

    private static Map<String, Object> map(JsonNode n) {
        return Json.MAPPER.convertValue(n, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private List<Map<String, Object>> list(String path) {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (JsonNode n : call("GET", path, null).path("value")) out.add(map(n));
        return out;
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static String seg(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }

    @Override
    public Map<String, Object> createEnrollmentToken(String subscriptionId, String resourceGroup, long expiresInSeconds, int maxUses) {
        return map(call("POST", "/admin/v1/enrollmentTokens", body("subscriptionId", subscriptionId, "resourceGroup", resourceGroup,
                "expiresInSeconds", expiresInSeconds, "maxUses", maxUses)));
    }

    @Override
    public List<Map<String, Object>> listEnrollmentTokens() { return list("/admin/v1/enrollmentTokens"); }

    @Override
    public void revokeEnrollmentToken(String id) { call("DELETE", "/admin/v1/enrollmentTokens/" + seg(id), null); }

    @Override
    public Map<String, Object> createServicePrincipal(String displayName) {
        return map(call("POST", "/admin/v1/servicePrincipals", body("displayName", displayName)));
    }

    @Override
    public List<Map<String, Object>> listServicePrincipals() { return list("/admin/v1/servicePrincipals"); }

    @Override
    public void revokeServicePrincipal(String clientId) { call("DELETE", "/admin/v1/servicePrincipals/" + seg(clientId), null); }

    @Override
    public Map<String, Object> resetServicePrincipalSecret(String clientId) {
        return map(call("POST", "/admin/v1/servicePrincipals/" + seg(clientId) + "/resetSecret", Map.of()));
    }

    @Override
    public Map<String, Object> assignRole(String principalId, String role, String scope) {
        return map(call("POST", "/admin/v1/roleAssignments", body("principalId", principalId, "role", role, "scope", scope)));
    }

    @Override
    public List<Map<String, Object>> listRoleAssignments() { return list("/admin/v1/roleAssignments"); }

    @Override
    public void removeRoleAssignment(String id) { call("DELETE", "/admin/v1/roleAssignments/" + seg(id), null); }

    @Override
    public Map<String, Object> createSubscription(String id, String displayName) {
        return map(call("POST", "/admin/v1/subscriptions", body("subscriptionId", id, "displayName", displayName)));
    }

    @Override
    public List<Map<String, Object>> listSubscriptions() { return list("/admin/v1/subscriptions"); }

    @Override
    public List<Map<String, Object>> listAgents() { return list("/admin/v1/agents"); }

    @Override
    public void revokeAgent(String agentId) { call("DELETE", "/admin/v1/agents/" + seg(agentId), null); }

    /**
     * The controller writes the new token to its own data directory; this writes it to the file the old one was read
     * from as well (atomically, mode 0600), so that this machine's {@code nw} keeps working when the controller that
     * answered is another one (a balancer's, or {@code --controller} elsewhere). {@code localTokenFile} names it when it
     * is not the path the controller wrote.
     */
    @Override
    public Map<String, Object> rotateAdminToken(long graceSeconds) {
        Map<String, Object> rotated = map(call("POST", "/admin/v1/adminToken/rotate", body("graceSeconds", graceSeconds)));
        try {
            SecureFiles.writeAtomically(tokenFile, rotated.get("token") + "\n", true);
        } catch (java.io.UncheckedIOException e) {
            throw new AdminException("The admin token was rotated, but " + tokenFile + " could not be written (" + e.getMessage()
                    + "). The new token is " + rotated.get("token") + " (shown only here): write it to that file yourself.", e);
        }
        if (!tokenFile.toString().equals(rotated.get("tokenFile"))) rotated.put("localTokenFile", tokenFile.toString());
        return rotated;
    }

    @Override
    public void close() { http.close(); }
}
