package netwatcher.cli.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import netwatcher.agent.control.ControllerTls;
import netwatcher.arm.Json;

/**
 * The admin calls {@code nw lab up} makes on a running controller, authenticated with the admin
 * token from {@code DIR/admin.token} over HTTPS trusting only {@code DIR/tls/ca.pem}.
 * Thread-safe (the JDK HTTP client is).
 */
public final class ControllerAdmin {
    private final String baseUrl;
    private final String token;
    private final HttpClient http;

    /**
     * @param baseUrl the controller's base URL as this process reaches it ({@code https://127.0.0.1:8443})
     * @param token   the admin token
     * @param caFile  the controller CA (PEM)
     */
    public ControllerAdmin(String baseUrl, String token, Path caFile) {
        this.baseUrl = baseUrl.replaceAll("/$", "");
        this.token = token;
        this.http = HttpClient.newBuilder().sslContext(sslContext(caFile)).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The controller of data directory {@code dataDir} on {@code host:port}; fails clearly when its files are missing. */
    public static ControllerAdmin forDataDir(Path dataDir, String host, int port) {
        Path tokenFile = dataDir.resolve("admin.token");
        Path ca = caFile(dataDir);
        if (!Files.isReadable(tokenFile) || !Files.isReadable(ca)) {
            throw new IllegalStateException("no controller data in " + dataDir + " (" + tokenFile + ", " + ca
                    + "): start the controller first with `./nw up --data-dir " + dataDir + "`");
        }
        try {
            return new ControllerAdmin("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port,
                    Files.readString(tokenFile).strip(), ca);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + tokenFile + ": " + e.getMessage(), e);
        }
    }

    /** {@code DIR/tls/ca.pem}. */
    public static Path caFile(Path dataDir) {
        return dataDir.resolve("tls").resolve("ca.pem");
    }

    /** Asks the controller to listen on {@code address} too (same port and certificate). */
    public void addListener(String address) {
        send("POST", "/admin/v1/listeners", "{\"address\":\"" + address + "\"}", 204);
    }

    /** A new enrollment token for {@code maxUses} agents of {@code subscriptionId}/{@code resourceGroup}. */
    public String createEnrollmentToken(String subscriptionId, String resourceGroup, int maxUses) {
        JsonNode created = send("POST", "/admin/v1/enrollmentTokens", "{\"subscriptionId\":\"" + subscriptionId
                + "\",\"resourceGroup\":\"" + resourceGroup + "\",\"maxUses\":" + maxUses + ",\"expiresInSeconds\":86400}", 201);
        return created.path("token").asText();
    }

    /** The first subscription the controller lists (its default subscription). */
    public String defaultSubscription() {
        JsonNode list = send("GET", "/subscriptions?api-version=2022-12-01", null, 200);
        JsonNode first = list.path("value").path(0);
        if (first.isMissingNode()) throw new IllegalStateException("the controller lists no subscription");
        return first.path("subscriptionId").asText();
    }

    /**
     * Waits until each VM {@code names} of {@code subscriptionId}/{@code resourceGroup} exists with at
     * least one NIC, i.e. its agent enrolled and registered the host.
     *
     * @throws IllegalStateException naming the VMs still missing after {@code timeout}
     */
    public void awaitRegistered(String subscriptionId, String resourceGroup, java.util.List<String> names, Duration timeout)
            throws InterruptedException {
        awaitRegistered(subscriptionId, resourceGroup, names, timeout, null);
    }

    /**
     * As {@link #awaitRegistered(String, String, java.util.List, Duration)}, and each VM's agent has
     * contacted the controller at or after {@code since} (when not null): on a data directory that
     * already holds the lab's VMs (a second {@code nw lab up}), registered VMs alone do not show that
     * the agents just started are there, and a check made before they are fails {@code AgentStopped}.
     */
    public void awaitRegistered(String subscriptionId, String resourceGroup, java.util.List<String> names, Duration timeout,
            java.time.Instant since) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.List<String> missing = new java.util.ArrayList<>(names);
        while (true) {
            missing.removeIf(name -> {
                String vm = "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
                        + "/providers/Microsoft.Compute/virtualMachines/" + name;
                HttpResponse<String> r = get(vm + "?api-version=2024-07-01");
                boolean registered = r != null && r.statusCode() == 200 && Json.tree(r.body().getBytes(StandardCharsets.UTF_8))
                        .path("properties").path("networkProfile").path("networkInterfaces").size() > 0;
                if (!registered || since == null) return registered;
                HttpResponse<String> ext = get(vm + "/extensions/AzureNetworkWatcherExtension?api-version=2024-07-01");
                if (ext == null || ext.statusCode() != 200) return false;
                String seen = Json.tree(ext.body().getBytes(StandardCharsets.UTF_8)).path("properties").path("instanceView")
                        .path("statuses").path(0).path("time").asText("");
                try {
                    return !seen.isEmpty() && !java.time.Instant.parse(seen).isBefore(since);
                } catch (java.time.format.DateTimeParseException e) {
                    return false;
                }
            });
            if (missing.isEmpty()) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agents of " + missing + " did not register within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private JsonNode send(String method, String path, String body, int expected) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the controller at " + baseUrl + " does not answer (" + e + "); is `./nw up` running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? null : Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    }

    /** An SSL context trusting only the certificates in {@code caPem}. */
    public static SSLContext sslContext(Path caPem) {
        try {
            return ControllerTls.trusting(caPem);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the controller CA " + caPem + ": " + e.getMessage(), e);
        }
    }
}
