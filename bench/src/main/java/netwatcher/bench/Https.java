package netwatcher.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import netwatcher.agent.control.ControllerTls;
import netwatcher.arm.Json;

/**
 * An HTTPS client (keep-alive, HTTP/1.1) that trusts only the controller's CA, with the admin token as
 * default credential. Thread-safe (the JDK client is).
 */
public final class Https {
    private final HttpClient http;
    private final String base;
    private final String token;

    public Https(String baseUrl, Path caPem, String adminToken) throws Exception {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ControllerTls.trusting(caPem))
                .connectTimeout(Duration.ofSeconds(10)).build(); // as the agent's ControllerClient
        this.base = baseUrl;
        this.token = adminToken;
    }

    /** A response: status, headers and body text. */
    public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        public com.fasterxml.jackson.databind.JsonNode json() { return body.isEmpty() ? null : Json.tree(body.getBytes()); }

        public String header(String name) { return headers.firstValue(name).orElse(null); }

        public Reply expect(int... statuses) {
            for (int s : statuses) if (s == status) return this;
            throw new IllegalStateException("HTTP " + status + ": " + body);
        }
    }

    public Reply send(String method, String pathOrUrl, String body) throws IOException, InterruptedException {
        return send(method, pathOrUrl, body, "Bearer " + token);
    }

    /** POSTs an {@code application/x-www-form-urlencoded} body without credentials (the token endpoint). */
    public Reply form(String path, String form) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(40))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    public Reply send(String method, String pathOrUrl, String body, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl))
                .timeout(Duration.ofSeconds(40))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (authorization != null) b.header("Authorization", authorization);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }
}
