package netwatcher.controller;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import netwatcher.arm.Json;

/**
 * A real controller on an ephemeral port in a temporary data directory, with an HTTPS client that
 * trusts only its generated CA. Closing it stops the controller and deletes the directory.
 */
public final class TestController implements AutoCloseable {
    public final Path dir;
    public final Controller controller;
    public final HttpClient http;
    public final String token;
    public final String sub;
    private final String baseUrl;

    public TestController(Duration agentWait) throws Exception {
        this(agentWait, java.util.Map.of());
    }

    /** With these settings written to {@code DIR/controller.properties} first. */
    public TestController(Duration agentWait, java.util.Map<String, String> settings) throws Exception {
        this(agentWait, settings, Clock.systemUTC());
    }

    /** With these settings and this clock (a {@code MutableClock} for time-driven behaviour). */
    public TestController(Duration agentWait, java.util.Map<String, String> settings, Clock clock) throws Exception {
        this(Files.createTempDirectory("nwtest"), agentWait, settings, clock);
    }

    /**
     * In {@code dir}, which the caller prepared (a cluster's CA copied into {@code dir/tls}, say); closing deletes
     * it like a directory of our own.
     */
    public TestController(Path dir, Duration agentWait, java.util.Map<String, String> settings, Clock clock) throws Exception {
        this.dir = dir;
        if (!settings.isEmpty()) {
            java.util.Properties p = new java.util.Properties();
            p.putAll(settings);
            try (var out = Files.newBufferedWriter(dir.resolve("controller.properties"))) {
                p.store(out, null);
            }
        }
        controller = Controller.start(ControllerConfig.load(dir, 0).withAgentWait(agentWait), clock);
        http = HttpClient.newBuilder().sslContext(sslContext(controller.caFile())).connectTimeout(Duration.ofSeconds(5)).build();
        // a controller that joined a shared database after another one made the admin token knows only its hash
        token = controller.security().adminTokenKnown() ? controller.adminToken() : null;
        sub = controller.defaultSubscription().id();
        baseUrl = controller.baseUrl();
    }

    /**
     * A client for a controller running elsewhere (another JVM) on data directory {@code dir}:
     * trusts {@code dir/tls/ca.pem}, uses {@code dir/admin.token}. {@link #controller} is null and
     * {@link #close} leaves the directory alone.
     */
    public TestController(Path dir, String baseUrl, String sub) throws Exception {
        this.dir = dir;
        this.controller = null;
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().sslContext(sslContext(dir.resolve("tls").resolve("ca.pem")))
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.token = Files.readString(dir.resolve("admin.token")).strip();
        this.sub = sub;
    }

    public static SSLContext sslContext(Path caPem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ts.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    public String url(String path) { return baseUrl + path; }

    /** A response with its body parsed when JSON. */
    public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonNode json() { return body.isEmpty() ? null : Json.tree(body.getBytes()); }

        public String header(String name) { return headers.firstValue(name).orElse(null); }

        public String errorCode() { return json().path("error").path("code").asText(); }
    }

    public Reply send(String method, String pathOrUrl, String body) throws IOException, InterruptedException {
        return send(method, pathOrUrl, body, "Bearer " + token);
    }

    public Reply send(String method, String pathOrUrl, String body, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : url(pathOrUrl)))
                .timeout(Duration.ofSeconds(40))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (authorization != null) b.header("Authorization", authorization);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    @Override
    public void close() throws Exception {
        if (controller == null) return;
        controller.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
