package netwatcher.agent.control;

import com.fasterxml.jackson.databind.JsonNode;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.EnrollResponse;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.Reports;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's side of protocol v1 ({@code docs/agent-protocol.md}): enrollment, host registration,
 * the orders long-poll and reports, over one {@link HttpClient}. Every request carries
 * {@code X-Netwatcher-Agent-Protocol: 1}; all but enrollment carry the agent's bearer credential.
 * Failures are {@link ControllerException}s. Each request goes to the {@link ControllerEndpoints}' current
 * URL; one that finds that controller gone (unreachable, 502, 503, 504) moves the endpoints on, so the
 * caller's retry (after its backoff) reaches the next controller. A {@code Retry-After} of the answer is
 * in the exception ({@link ControllerException#retryAfter()}). Thread-safe: requests may run concurrently.
 */
public final class ControllerClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    /** The longest {@code Retry-After} honoured: a controller asking for more gets this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private final ControllerEndpoints endpoints;
    private final HttpClient http;
    private final AtomicReference<Credential> credential = new AtomicReference<>();

    public ControllerClient(URI base, SSLContext ssl) {
        this(ControllerEndpoints.of(base), ssl);
    }

    /** A client of the controllers {@code endpoints} names, trusting {@code ssl}. */
    public ControllerClient(ControllerEndpoints endpoints, SSLContext ssl) {
        this.endpoints = endpoints;
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The HTTP client, shared with the local uploader (same TLS trust). */
    public HttpClient http() { return http; }

    /** The base URL requests go to now, for messages. */
    public URI baseUrl() { return endpoints.current(); }

    /** The controller URLs this client rotates over. */
    public ControllerEndpoints endpoints() { return endpoints; }

    /** Sets the credential used from now on. */
    public void useCredential(Credential value) { credential.set(value); }

    /** A request builder for {@code uri} with the protocol header and, when enrolled, the bearer credential. */
    public HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header(ProtocolVersion.HEADER, Integer.toString(ProtocolVersion.CURRENT))
                .timeout(REQUEST_TIMEOUT);
        Credential c = credential.get();
        if (c != null) b.header("Authorization", "Bearer " + c.bearer());
        return b;
    }

    /** POST /agent/v1/enroll (no credential). */
    public EnrollResponse enroll(EnrollRequest body) {
        HttpRequest req = HttpRequest.newBuilder(route("/enroll"))
                .header(ProtocolVersion.HEADER, Integer.toString(ProtocolVersion.CURRENT))
                .header("Content-Type", "application/json")
                .timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(body)))
                .build();
        return parse(send(req, "enroll", 200), EnrollResponse.class, "enroll");
    }

    /** PUT /agent/v1/host. */
    public void putHost(HostReport report) {
        send(request(route("/host")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json(report))).build(), "host registration", 200);
    }

    /** GET /agent/v1/orders?after=G&waitSeconds=S: the full desired state, held up to {@code waitSeconds}. */
    public Orders orders(long after, int waitSeconds) {
        HttpRequest req = request(route("/orders?after=" + after + "&waitSeconds=" + waitSeconds))
                .timeout(REQUEST_TIMEOUT.plusSeconds(waitSeconds))
                .GET().build();
        Orders orders = parse(send(req, "orders", 200), Orders.class, "orders");
        if (orders == null) throw new ControllerException(200, null, "orders: empty body", null);
        for (var order : orders.captures()) {
            if (order == null || order.key() == null || order.key().isBlank()) {
                throw new ControllerException(200, null, "orders: a capture without a key", null);
            }
        }
        return orders;
    }

    /** POST /agent/v1/reports. */
    public void postReports(Reports reports) {
        send(request(route("/reports")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(reports))).build(), "reports", 200, 204);
    }

    private URI route(String path) {
        return URI.create(endpoints.current() + ProtocolVersion.PREFIX + path);
    }

    private HttpResponse<byte[]> send(HttpRequest req, String what, int... ok) {
        URI base = URI.create(req.uri().getScheme() + "://" + req.uri().getRawAuthority());
        URI used = endpoints.all().stream().filter(u -> req.uri().toString().startsWith(u + ProtocolVersion.PREFIX))
                .findFirst().orElse(base);
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            endpoints.failed(used);
            throw new ControllerException(0, null, what + ": controller " + used + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControllerException(0, null, what + ": interrupted", e);
        }
        for (int status : ok) {
            if (resp.statusCode() == status) {
                endpoints.answered(used);
                return resp;
            }
        }
        ControllerException failure = error(what, resp);
        if (failure.busy()) endpoints.busy(used);
        else if (failure.controllerUnavailable()) endpoints.failed(used);
        throw failure;
    }

    /**
     * The answer's {@code Retry-After} in delta-seconds (what the controllers and ARM send), at most
     * {@link #MAX_RETRY_AFTER}; null when absent or not a number (an HTTP-date is treated as absent:
     * the caller's own backoff applies).
     */
    static Duration retryAfter(HttpResponse<?> resp) {
        String value = resp.headers().firstValue("Retry-After").orElse(null);
        if (value == null) return null;
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds < 0) return null;
            return seconds > MAX_RETRY_AFTER.toSeconds() ? MAX_RETRY_AFTER : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static ControllerException error(String what, HttpResponse<byte[]> resp) {
        String code = null;
        String message = null;
        try {
            JsonNode err = AgentJson.MAPPER.readTree(resp.body()).path("error");
            code = err.path("code").isTextual() ? err.path("code").asText() : null;
            message = err.path("message").isTextual() ? err.path("message").asText() : null;
        } catch (IOException | RuntimeException ignored) {
            // not an ARM error body; the status says enough
        }
        return new ControllerException(resp.statusCode(), code, what + ": controller " + resp.uri().getRawAuthority()
                + " answered " + resp.statusCode() + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message),
                null, retryAfter(resp));
    }

    private static <T> T parse(HttpResponse<byte[]> resp, Class<T> type, String what) {
        try {
            return AgentJson.MAPPER.readValue(resp.body(), type);
        } catch (IOException | RuntimeException e) {
            throw new ControllerException(resp.statusCode(), null, what + ": unreadable answer: " + e.getMessage(), e);
        }
    }

    private static byte[] json(Object body) {
        try {
            return AgentJson.MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }
}
