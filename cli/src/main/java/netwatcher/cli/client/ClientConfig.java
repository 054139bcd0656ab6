package netwatcher.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import netwatcher.cli.store.JsonFiles;

/**
 * What {@code nw login} stores: the ARM endpoint, either a bearer token or service-principal
 * credentials (client id, secret, tenant), an optional CA file to trust, and an optional default
 * subscription. Stored as JSON in {@code $NW_CONFIG} or {@code ~/.config/netwatcher/config.json}
 * with mode 0600 (its directory 0700). Immutable.
 *
 * @param endpoint     ARM base URL, e.g. {@code https://127.0.0.1:8443} or {@code https://management.azure.com}
 * @param token        a bearer token, or null when a service principal is used
 * @param clientId     service-principal client id, or null
 * @param clientSecret service-principal secret, or null
 * @param tenant       token-endpoint tenant segment ({@code adfs} by default)
 * @param caFile       PEM file of the CA to trust, or null for the JDK's trust store
 * @param subscription default subscription id, or null to use the only one visible
 */
public record ClientConfig(String endpoint, String token, String clientId, String clientSecret, String tenant,
                           String caFile, String subscription) {
    public static final String DEFAULT_ENDPOINT = "https://127.0.0.1:8443";

    public ClientConfig {
        if (endpoint == null || endpoint.isBlank()) throw CliException.usage("an endpoint URL is required");
        endpoint = endpoint.strip().replaceAll("/+$", "");
        if (!endpoint.startsWith("https://") && !endpoint.startsWith("http://")) {
            throw CliException.usage("endpoint '" + endpoint + "' must be an http(s) URL");
        }
        if (tenant == null || tenant.isBlank()) tenant = "adfs";
    }

    public boolean servicePrincipal() { return clientId != null; }

    public ClientConfig withSubscription(String sub) {
        return new ClientConfig(endpoint, token, clientId, clientSecret, tenant, caFile, sub);
    }

    /** The config file: {@code $NW_CONFIG}, else {@code ~/.config/netwatcher/config.json}. */
    public static Path path(Map<String, String> env) {
        String explicit = env.get("NW_CONFIG");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        return Path.of(System.getProperty("user.home"), ".config", "netwatcher", "config.json");
    }

    /**
     * The login stored in {@code file}, or the local controller's defaults when it does not exist: {@code
     * https://127.0.0.1:8443} with {@code .nw-data/admin.token} and {@code .nw-data/tls/ca.pem}
     * (looked up in the working directory, then in the netwatcher home) when they exist.
     */
    public static ClientConfig load(Path file) {
        if (Files.exists(file)) {
            try {
                JsonNode json = JsonFiles.readObject(file);
                return new ClientConfig(JsonFiles.text(json, "endpoint"), JsonFiles.text(json, "token"),
                        JsonFiles.text(json, "clientId"), JsonFiles.text(json, "clientSecret"), JsonFiles.text(json, "tenant"),
                        JsonFiles.text(json, "caFile"), JsonFiles.text(json, "subscription"));
            } catch (IOException e) {
                throw new CliException(ExitCodes.GENERIC, "BadConfig", "cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return localDefault();
    }

    static ClientConfig localDefault() {
        Optional<Path> dataDir = Optional.empty();
        for (String base : new String[] {".", System.getProperty("nw.home")}) {
            if (base == null) continue;
            Path d = Path.of(base, ".nw-data");
            if (Files.exists(d.resolve("admin.token"))) {
                dataDir = Optional.of(d);
                break;
            }
        }
        String token = null;
        String ca = null;
        if (dataDir.isPresent()) {
            try {
                token = Files.readString(dataDir.get().resolve("admin.token")).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path caPem = dataDir.get().resolve("tls/ca.pem");
            if (Files.exists(caPem)) ca = caPem.toAbsolutePath().toString();
        }
        return new ClientConfig(DEFAULT_ENDPOINT, token, null, null, null, ca, null);
    }

    /** Writes this login to {@code file} atomically with mode 0600 (directory 0700). */
    public void save(Path file) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("endpoint", endpoint);
        fields.put("token", token);
        fields.put("clientId", clientId);
        fields.put("clientSecret", clientSecret);
        fields.put("tenant", tenant);
        fields.put("caFile", caFile);
        fields.put("subscription", subscription);
        try {
            JsonFiles.writePrivate(file, JsonFiles.object(fields));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new CliException(ExitCodes.GENERIC, "ConfigWriteFailed", "cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
