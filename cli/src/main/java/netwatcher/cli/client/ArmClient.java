package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import netwatcher.agent.control.ControllerTls;
import netwatcher.cli.store.JsonFiles;

/**
 * A plain Azure Resource Manager client over {@link HttpTransport}: a bearer token on every call (given,
 * or fetched once with the client-credentials grant from {@code {endpoint}/{tenant}/oauth2/token}),
 * ARM error bodies turned into {@link CliException}s, and long-running operations followed as the
 * Azure SDKs do. Nothing here is specific to netwatcher. Thread-safe after construction (the
 * service-principal token is fetched under a lock).
 */
public final class ArmClient {
    public static final String NETWORK_API = "2024-05-01";
    public static final String COMPUTE_API = "2024-07-01";
    public static final String SUBSCRIPTIONS_API = "2022-12-01";
    public static final String STORAGE_API = "2023-05-01";
    /** The poll interval when an answer carries no {@code Retry-After}. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = JsonFiles.MAPPER;
    /** Attempts for a GET answered 429 or 5xx. */
    static final int MAX_ATTEMPTS = 3;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+)");

    /** How the client waits between polls; tests may pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** An HTTP answer with its body parsed as JSON ({@link NullNode} when empty or not JSON). */
    public record Response(int status, HttpHeaders headers, JsonNode body) {
        public String header(String name) { return headers.firstValue(name).orElse(null); }
    }

    /** What {@link #download} did. */
    public record Download(Path file, long bytes, long resumedFrom) {}

    private final ClientConfig config;
    private final HttpTransport http;
    private final Sleeper sleeper;
    private String bearer;
    private String subscription;

    public ArmClient(ClientConfig config, Sleeper sleeper) {
        this.config = config;
        this.sleeper = sleeper;
        this.http = new HttpTransport(config.caFile() == null ? null : sslContext(Path.of(config.caFile())));
        this.bearer = config.token();
    }

    public ClientConfig config() { return config; }

    static SSLContext sslContext(Path caPem) {
        if (!Files.isRegularFile(caPem)) {
            throw new CliException(ExitCodes.USAGE, "CaFileNotFound", "CA file " + caPem + " does not exist: " + Hints.CA_FILE);
        }
        try {
            return ControllerTls.trusting(caPem);
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            throw new CliException(ExitCodes.USAGE, "BadCaFile", "CA file " + caPem + " holds no usable PEM certificate: " + Hints.CA_FILE, e);
        }
    }

    /** The bearer token: the stored one, or a service-principal token fetched once. */
    public synchronized String bearer() {
        if (bearer != null) return bearer;
        if (!config.servicePrincipal()) {
            throw new CliException(ExitCodes.AUTH, "NotLoggedIn", "no credentials for " + config.endpoint()
                    + ": run `nw login --endpoint URL --token T` (or start a local controller with `./nw up`, or name its data directory"
                    + " with --data-dir DIR)");
        }
        String form = "grant_type=client_credentials&client_id=" + enc(config.clientId()) + "&client_secret=" + enc(config.clientSecret())
                + "&resource=" + enc(config.endpoint());
        String url = config.endpoint() + "/" + config.tenant() + "/oauth2/token";
        HttpTransport.Answer r = exchange("POST", url, Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        JsonNode body = parse(r.body());
        if (r.status() != 200 || !body.hasNonNull("access_token")) {
            String code = body.path("error").asText("TokenRequestFailed");
            String message = body.path("error_description").asText("the token endpoint answered HTTP " + r.status());
            throw new CliException(ExitCodes.AUTH, code, "service principal " + config.clientId() + " at " + url + ": " + message);
        }
        bearer = body.get("access_token").asText();
        return bearer;
    }

    /** The subscription to use: the configured one, else the only one the caller can see. */
    public synchronized String subscription() {
        if (subscription != null) return subscription;
        if (config.subscription() != null) return subscription = config.subscription();
        JsonNode subs = get("/subscriptions", SUBSCRIPTIONS_API).path("value");
        if (subs.size() == 1) return subscription = subs.get(0).path("subscriptionId").asText();
        if (subs.isEmpty()) throw new CliException(ExitCodes.NOT_FOUND, "SubscriptionNotFound", "no subscription is visible with these credentials");
        throw CliException.usage(subs.size() + " subscriptions are visible: choose one with --subscription (nw login --subscription SUB)");
    }

    /** GET an ARM path (or absolute URL) and return the body; errors throw. */
    public JsonNode get(String path, String apiVersion) {
        return check(send("GET", path, apiVersion, null)).body();
    }

    /** One request; non-2xx answers are returned, not thrown (see {@link #check}). */
    public Response send(String method, String pathOrUrl, String apiVersion, JsonNode body) {
        String url = url(pathOrUrl, apiVersion);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + bearer());
        headers.put("Accept", "application/json");
        if (body != null || method.equals("POST") || method.equals("PUT")) headers.put("Content-Type", "application/json");
        byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        HttpTransport.Answer r = exchange(method, url, headers, bytes, Duration.ofSeconds(60));
        // like the SDKs' retry policy, for reads only: 429 and 5xx answers are retried, honouring Retry-After
        for (int attempt = 1; method.equals("GET") && attempt < MAX_ATTEMPTS && retriable(r.status()); attempt++) {
            pause(new Response(r.status(), r.headers(), NullNode.getInstance()));
            r = exchange(method, url, headers, bytes, Duration.ofSeconds(60));
        }
        return new Response(r.status(), r.headers(), parse(r.body()));
    }

    private static boolean retriable(int status) {
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** Returns {@code r} when it is 2xx, else throws the ARM error it carries. */
    public static Response check(Response r) {
        if (r.status() >= 200 && r.status() < 300) return r;
        JsonNode err = r.body().path("error");
        String code = err.path("code").asText("");
        String message = err.path("message").asText("");
        if (code.isEmpty()) code = "Http" + r.status();
        if (message.isEmpty()) message = "HTTP " + r.status();
        throw new CliException(ExitCodes.forHttpStatus(r.status()), code, Hints.forStatus(r.status(), message));
    }

    /**
     * A long-running operation, followed the way the Azure SDKs' ARM pollers do: a 200/204 answer is
     * final; after 201/202 the {@code Azure-AsyncOperation} URL is polled until its {@code status} is
     * terminal (Failed/Canceled throw with exit code 6), then the result is fetched: the resource
     * itself for PUT/PATCH, else the {@code Location} URL. Without {@code Azure-AsyncOperation} the
     * {@code Location} URL is polled until it stops answering 202; a PUT with neither header is
     * polled by GET until {@code provisioningState} is terminal. Every wait honours the last
     * answer's {@code Retry-After} (seconds), else {@link #DEFAULT_POLL}.
     *
     * @return the final answer (its body is the operation's result, or empty)
     */
    public Response longRunning(String method, String path, String apiVersion, JsonNode body) {
        Response first = check(send(method, path, apiVersion, body));
        return follow(method, path, apiVersion, first);
    }

    /** Follows an already-started operation; see {@link #longRunning}. */
    public Response follow(String method, String path, String apiVersion, Response first) {
        return follow(method, path, apiVersion, first, status -> { });
    }

    /**
     * Follows an already-started operation like {@link #follow(String, String, String, Response)},
     * handing every Azure-AsyncOperation status body to {@code onStatus} as it arrives (for progress
     * display: netwatcher adds {@code percentComplete} and {@code properties}).
     */
    public Response follow(String method, String path, String apiVersion, Response first,
                           java.util.function.Consumer<JsonNode> onStatus) {
        if (first.status() != 201 && first.status() != 202) return first;
        String async = first.header("Azure-AsyncOperation");
        String location = first.header("Location");
        boolean resourceMethod = method.equals("PUT") || method.equals("PATCH");
        Response last = first;
        if (async != null) {
            while (true) {
                pause(last);
                last = check(send("GET", async, null, null));
                onStatus.accept(last.body());
                String status = last.body().path("status").asText("");
                if (status.equalsIgnoreCase("Succeeded")) break;
                if (status.equalsIgnoreCase("Failed") || status.equalsIgnoreCase("Canceled")) throw failed(path, status, last.body());
            }
            if (resourceMethod) return check(send("GET", path, apiVersion, null));
            if (location != null) return check(send("GET", location, null, null));
            return last;
        }
        if (location != null) {
            while (true) {
                pause(last);
                last = check(send("GET", location, null, null));
                if (last.status() != 202) return last;
            }
        }
        if (resourceMethod) {
            while (true) {
                String state = last.body().path("properties").path("provisioningState").asText("Succeeded");
                if (state.equalsIgnoreCase("Succeeded")) return last;
                if (state.equalsIgnoreCase("Failed") || state.equalsIgnoreCase("Canceled")) throw failed(path, state, last.body());
                pause(last);
                last = check(send("GET", path, apiVersion, null));
            }
        }
        return first;
    }

    private static CliException failed(String path, String status, JsonNode body) {
        JsonNode err = body.path("error");
        String code = err.path("code").asText("Operation" + status);
        String message = err.path("message").asText("the operation on " + path + " ended " + status);
        return new CliException(ExitCodes.OPERATION_FAILED, code, message);
    }

    private void pause(Response last) {
        Duration wait = DEFAULT_POLL;
        String retry = last.header("Retry-After");
        if (retry != null) {
            try {
                wait = Duration.ofSeconds(Math.max(0, Long.parseLong(retry.strip())));
            } catch (NumberFormatException ignored) {
                // ARM sends whole seconds; anything else keeps the default
            }
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.GENERIC, "Interrupted", "interrupted while waiting for " + last.header("Location"));
        }
    }

    /** Waits like a poller does between two polls. */
    public void sleep(Duration d) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.GENERIC, "Interrupted", "interrupted");
        }
    }

    /**
     * Downloads {@code url} into {@code target} through {@code target.part}: an existing partial file
     * is resumed with {@code Range: bytes=N-}; a server that ignores the range (200) restarts it. The
     * bearer token is sent only when the URL has the endpoint's origin (never leaked to a third party).
     */
    public Download download(String url, Path target) {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = 0;
        try {
            if (Files.exists(part)) have = Files.size(part);
        } catch (IOException e) {
            throw new CliException(ExitCodes.GENERIC, "LocalFileFailed", e.getMessage(), e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (sameOrigin(url, config.endpoint())) headers.put("Authorization", "Bearer " + bearer());
        if (have > 0) headers.put("Range", "bytes=" + have + "-");
        HttpTransport.Answer r;
        try {
            r = http.stream(url, headers, Duration.ofMinutes(10));
        } catch (IOException e) {
            throw connection(url, e);
        }
        try (InputStream in = r.stream()) {
            int status = r.status();
            if (status == 416 && have > 0) {
                long total = totalOf(r.headers().firstValue("Content-Range").orElse(""));
                if (total == have) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                    return new Download(target, have, have);
                }
                Files.delete(part);
                return download(url, target);
            }
            if (status != 200 && status != 206) {
                check(new Response(status, r.headers(), parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
            }
            long start = 0;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || m.group(1) == null || Long.parseLong(m.group(1)) != have) {
                    throw new CliException(ExitCodes.GENERIC, "BadRange", "the server answered range "
                            + r.headers().firstValue("Content-Range").orElse("(none)") + " to a request from byte " + have);
                }
                start = have;
            }
            try (OutputStream out = start > 0
                    ? Files.newOutputStream(part, StandardOpenOption.APPEND)
                    : Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
            long size = Files.size(part);
            long expected = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (expected >= 0 && size != start + expected) {
                throw new CliException(ExitCodes.CONNECTION, "IncompleteDownload", "got " + size + " of " + (start + expected)
                        + " bytes from " + url + "; run the command again to resume");
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            return new Download(target, size, start);
        } catch (IOException e) {
            throw new CliException(ExitCodes.CONNECTION, "DownloadInterrupted", "download of " + url + " stopped: " + e.getMessage()
                    + "; the partial file " + part + " is kept, run the command again to resume", e);
        }
    }

    /**
     * A GET whose answer is a stream that lasts (a capture's live stream): no read timeout, the caller closes it.
     * An error answer is thrown as its {@link CliException}.
     */
    public InputStream openStream(String path, String apiVersion) {
        String url = url(path, apiVersion);
        HttpTransport.Answer r;
        try {
            r = http.stream(url, Map.of("Authorization", "Bearer " + bearer()), Duration.ZERO);
        } catch (IOException e) {
            throw connection(url, e);
        }
        if (r.status() == 200) return r.stream();
        try (InputStream in = r.stream()) {
            check(new Response(r.status(), r.headers(), parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw connection(url, e);
        }
        throw new CliException(ExitCodes.GENERIC, "UnexpectedStatus", "GET " + url + " answered " + r.status());
    }

    private static long totalOf(String contentRange) {
        Matcher m = CONTENT_RANGE.matcher(contentRange);
        return m.matches() ? Long.parseLong(m.group(3)) : -1;
    }

    static boolean sameOrigin(String a, String b) {
        URI x = URI.create(a);
        URI y = URI.create(b);
        return x.getScheme().equalsIgnoreCase(y.getScheme()) && x.getHost().equalsIgnoreCase(y.getHost()) && port(x) == port(y);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private String url(String pathOrUrl, String apiVersion) {
        String url = pathOrUrl.startsWith("http://") || pathOrUrl.startsWith("https://") ? pathOrUrl : config.endpoint() + pathOrUrl;
        if (apiVersion != null && !url.toLowerCase(Locale.ROOT).contains("api-version=")) {
            url += (url.contains("?") ? "&" : "?") + "api-version=" + apiVersion;
        }
        return url;
    }

    private HttpTransport.Answer exchange(String method, String url, Map<String, String> headers, byte[] body, Duration timeout) {
        try {
            return http.send(method, url, headers, body, timeout);
        } catch (IOException e) {
            throw connection(url, e);
        }
    }

    private static CliException connection(String url, IOException e) {
        return new CliException(ExitCodes.CONNECTION, "ConnectionFailed", Hints.forConnectionFailure(URI.create(url), e), e);
    }

    static JsonNode parse(String body) {
        if (body == null || body.isBlank()) return NullNode.getInstance();
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return NullNode.getInstance();
        }
    }

    static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    /** Paths of a list answer's items, following {@code nextLink} pages. */
    public List<JsonNode> list(String path, String apiVersion) {
        List<JsonNode> items = new java.util.ArrayList<>();
        String next = path;
        String version = apiVersion;
        while (next != null) {
            JsonNode page = get(next, version);
            page.path("value").forEach(items::add);
            next = page.hasNonNull("nextLink") ? page.get("nextLink").asText() : null;
            version = null;
        }
        return items;
    }
}
