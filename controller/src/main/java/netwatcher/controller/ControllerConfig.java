package netwatcher.controller;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import netwatcher.controller.auth.OidcProviderConfig;
import netwatcher.controller.db.DatabaseConfig;
import netwatcher.controller.auth.SharedSigningKeys;
import netwatcher.controller.http.PublicUrl;
import netwatcher.controller.security.SecurityWiring;

/**
 * Everything the controller needs, validated once at start-up. Every setting has a default; the
 * README lists them. Values come from {@code DIR/controller.properties} (optional) and the command line.
 *
 * @param dataDir      where everything is kept (database, TLS material, admin token, local storage)
 * @param host         the address to listen on (default 127.0.0.1)
 * @param port         HTTPS port (default 8443; 0 = any free port)
 * @param extraListen  more addresses to listen on, same port ({@code listen=a,b} in controller.properties); the
 *                     generated server certificate names each of them
 * @param plainHttp    serve plain HTTP instead of TLS (refused unless {@code host} is loopback)
 * @param database     the database (default: embedded H2 under DIR/state)
 * @param agentWait    how long a new capture waits for its VM's agent before it fails with AgentStopped (default 120 s)
 * @param agentLostAfter grace after an agent's long-poll ended without a new one before it counts as disconnected and its running captures show Unknown (default 10 s)
 * @param maxBodyBytes largest request body accepted (default 1 MiB; larger gets 413)
 * @param blobAccounts extra Azure Blob storage accounts: name=connection string
 * @param oidcProviders external OpenID Connect providers whose tokens are accepted ({@code auth.oidc.<n>.*})
 * @param operationRetention how long a finished long-running operation can be polled (default 24 h, as ARM)
 * @param identity     how the controllers present themselves: {@code publicUrl} (the one URL clients reach them under,
 *                     a load balancer's, used in every URL a controller emits; default none: each request's own
 *                     {@code Host}) and {@code auth.signingKeyRotationDays} (default 30)
 * @param peerUrl      cluster mode: this controller's own URL as the other controllers (and its agents' live posts)
 *                     reach it, not the balancer's ({@code peerUrl}; default null: {@code https://} + the first
 *                     {@code listen} address, else {@code host}, + the port it listens on; docs/deployment.md)
 */
public record ControllerConfig(Path dataDir, String host, int port, List<String> extraListen, boolean plainHttp,
                               DatabaseConfig database, Duration agentWait, Duration agentLostAfter, long maxBodyBytes,
                               List<BlobAccount> blobAccounts, List<OidcProviderConfig> oidcProviders,
                               Duration operationRetention, SecurityWiring.Identity identity, java.net.URI peerUrl) {


    public static final Duration DEFAULT_OPERATION_RETENTION = Duration.ofHours(24);

    /** An Azure Blob storage account from the configuration. */
    public record BlobAccount(String name, String connectionString) {}

    public ControllerConfig {
        if (dataDir == null) throw new IllegalArgumentException("data-dir is required");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535; was " + port);
        extraListen = List.copyOf(extraListen);
        blobAccounts = List.copyOf(blobAccounts);
        oidcProviders = oidcProviders == null ? List.of() : List.copyOf(oidcProviders);
        if (oidcProviders.stream().map(OidcProviderConfig::name).distinct().count() != oidcProviders.size()) {
            throw new IllegalArgumentException("auth.oidc: two providers have the same name");
        }
        if (plainHttp && !(host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost"))) {
            throw new IllegalArgumentException("plain-http is allowed only on loopback; host was " + host);
        }
        if (agentWait.isNegative() || agentWait.isZero()) throw new IllegalArgumentException("agent-wait must be positive");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("max-body-bytes must be at least 1024");
        if (identity == null) identity = SecurityWiring.Identity.defaults();
        if (operationRetention == null) operationRetention = DEFAULT_OPERATION_RETENTION;
        if (operationRetention.isNegative() || operationRetention.isZero()) {
            throw new IllegalArgumentException("operation-retention-hours must be positive");
        }
    }

    public static final int DEFAULT_PORT = 8443;

    /**
     * One setting of {@code DIR/controller.properties} that is not the controller's own (read by the
     * command that runs it, such as {@code log-format}); empty when the file or the key is absent.
     */
    public static java.util.Optional<String> setting(Path dataDir, String name) throws java.io.IOException {
        Path file = dataDir.resolve("controller.properties");
        if (!Files.exists(file)) return java.util.Optional.empty();
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return java.util.Optional.ofNullable(p.getProperty(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** Defaults for a data directory, overridden by {@code DIR/controller.properties} when present. */
    public static ControllerConfig load(Path dataDir, Integer portOverride) throws java.io.IOException {
        Properties p = new Properties();
        Path file = dataDir.resolve("controller.properties");
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        String host = p.getProperty("host", "127.0.0.1");
        int port = portOverride != null ? portOverride : Integer.parseInt(p.getProperty("port", Integer.toString(DEFAULT_PORT)));
        List<String> extra = list(p.getProperty("listen"));
        String pg = p.getProperty("database.url");
        DatabaseConfig db = pg == null ? DatabaseConfig.embedded(dataDir)
                : DatabaseConfig.postgres(pg, p.getProperty("database.user", "netwatcher"), p.getProperty("database.password", ""));
        db = db.withMaxPoolSize(number(p, "database.poolSize", DatabaseConfig.DEFAULT_MAX_POOL_SIZE))
                .withPoolWait(Duration.ofMillis(number(p, "database.poolWaitMillis", DatabaseConfig.DEFAULT_POOL_WAIT.toMillis())));
        String publicUrl = p.getProperty("publicUrl");
        PublicUrl pub;
        try {
            pub = publicUrl == null || publicUrl.isBlank() ? null : new PublicUrl(publicUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setting 'publicUrl': " + e.getMessage(), e);
        }
        List<BlobAccount> blobs = new ArrayList<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("storage.blob.")) blobs.add(new BlobAccount(name.substring("storage.blob.".length()), p.getProperty(name)));
        }
        return new ControllerConfig(dataDir, host, port, extra, Boolean.parseBoolean(p.getProperty("plain-http", "false")), db,
                Duration.ofSeconds(Long.parseLong(p.getProperty("agent-wait-seconds", "120"))),
                Duration.ofSeconds(Long.parseLong(p.getProperty("agent-lost-seconds", "10"))),
                Long.parseLong(p.getProperty("max-body-bytes", Long.toString(1 << 20))), blobs, oidcProviders(p),
                Duration.ofHours(Long.parseLong(p.getProperty("operation-retention-hours", "24").trim())),
                new SecurityWiring.Identity(pub, Duration.ofDays(number(p, "auth.signingKeyRotationDays",
                        SharedSigningKeys.DEFAULT_ROTATION.toDays())), oidcClients(p, oidcProviders(p))), peerUrl(p));
    }

    /** The {@code peerUrl} setting: an absolute http(s) URL with a host, or null (the default is made at start). */
    private static java.net.URI peerUrl(Properties p) {
        String text = p.getProperty("peerUrl");
        if (text == null || text.isBlank()) return null;
        try {
            java.net.URI u = new java.net.URI(text.strip());
            if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("setting 'peerUrl': must be https://host[:port]; was " + text.strip());
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("setting 'peerUrl': " + e.getMessage(), e);
        }
    }

    /** A whole-number setting, or its default; a value that is no number fails naming the setting. */
    private static int number(Properties p, String name, long defaultValue) {
        String text = p.getProperty(name);
        if (text == null || text.isBlank()) return (int) defaultValue;
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + name + "' must be a whole number; was '" + text + "'");
        }
    }

    /**
     * The {@code auth.oidc.<n>.*} providers: {@code issuer}, {@code audiences} and {@code jwksUri}
     * are required; {@code name} (default {@code <n>}), {@code algorithms} (comma-separated,
     * default RS256), {@code clockSkew} (seconds, default 60) and {@code subjectClaim} (default
     * {@code oid}) are optional. Errors name the setting.
     */
    static List<OidcProviderConfig> oidcProviders(Properties p) {
        java.util.SortedSet<String> keys = new java.util.TreeSet<>();
        for (String name : p.stringPropertyNames()) {
            if (!name.startsWith("auth.oidc.")) continue;
            String rest = name.substring("auth.oidc.".length());
            int dot = rest.indexOf('.');
            if (dot <= 0) throw new IllegalArgumentException("setting '" + name + "': use auth.oidc.<n>.<field>");
            keys.add(rest.substring(0, dot));
        }
        List<OidcProviderConfig> out = new ArrayList<>();
        for (String n : keys) {
            String prefix = "auth.oidc." + n + ".";
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith(prefix) && !java.util.Set.of("name", "issuer", "audiences", "jwksUri", "algorithms", "clockSkew",
                        "subjectClaim", "clientId", "clientSecret").contains(name.substring(prefix.length()))) {
                    throw new IllegalArgumentException("unknown setting '" + name + "'");
                }
            }
            String jwks = p.getProperty(prefix + "jwksUri");
            if (jwks == null || jwks.isBlank()) throw new IllegalArgumentException(prefix + "jwksUri is required");
            java.net.URI jwksUri;
            try {
                jwksUri = new java.net.URI(jwks.trim());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException(prefix + "jwksUri is not a URL: " + jwks);
            }
            Duration skew = null;
            String skewText = p.getProperty(prefix + "clockSkew");
            if (skewText != null && !skewText.isBlank()) {
                try {
                    skew = Duration.ofSeconds(Long.parseLong(skewText.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(prefix + "clockSkew must be seconds; was " + skewText);
                }
            }
            out.add(new OidcProviderConfig(p.getProperty(prefix + "name", n).trim(), p.getProperty(prefix + "issuer"),
                    list(p.getProperty(prefix + "audiences")), jwksUri, java.util.Set.copyOf(list(p.getProperty(prefix + "algorithms"))),
                    skew, p.getProperty(prefix + "subjectClaim")));
        }
        return out;
    }

    /**
     * The console's OIDC logins: {@code auth.oidc.<n>.clientId} (and optional {@code clientSecret}) on a provider make
     * it offer "Login with <name>". The client id must be one of the provider's {@code audiences}: the ID token the
     * login ends with is addressed to it, and the controller accepts only tokens for an audience it was told to.
     */
    static List<netwatcher.controller.auth.OidcClient> oidcClients(Properties p, List<OidcProviderConfig> providers) {
        List<netwatcher.controller.auth.OidcClient> out = new ArrayList<>();
        for (String n : new java.util.TreeSet<>(p.stringPropertyNames())) {
            if (!n.startsWith("auth.oidc.") || !n.endsWith(".clientId")) continue;
            String key = n.substring("auth.oidc.".length(), n.length() - ".clientId".length());
            String prefix = "auth.oidc." + key + ".";
            String name = p.getProperty(prefix + "name", key).trim();
            OidcProviderConfig provider = providers.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            var client = new netwatcher.controller.auth.OidcClient(name, p.getProperty(n), p.getProperty(prefix + "clientSecret"));
            if (!provider.audiences().contains(client.clientId())) {
                throw new IllegalArgumentException(prefix + "clientId '" + client.clientId() + "' must also be one of " + prefix
                        + "audiences (the login's ID token is addressed to it); audiences are " + provider.audiences());
            }
            out.add(client);
        }
        for (String n : p.stringPropertyNames()) {
            if (n.startsWith("auth.oidc.") && n.endsWith(".clientSecret") && p.getProperty(n.substring(0, n.length() - "clientSecret".length()) + "clientId") == null) {
                throw new IllegalArgumentException("setting '" + n + "' needs the provider's clientId too");
            }
        }
        return out;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) for (String s : value.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    public ControllerConfig withPort(int newPort) {
        return new ControllerConfig(dataDir, host, newPort, extraListen, plainHttp, database, agentWait, agentLostAfter, maxBodyBytes, blobAccounts, oidcProviders, operationRetention, identity, peerUrl);
    }

    public ControllerConfig withAgentWait(Duration wait) {
        return new ControllerConfig(dataDir, host, port, extraListen, plainHttp, database, wait, agentLostAfter, maxBodyBytes, blobAccounts, oidcProviders, operationRetention, identity, peerUrl);
    }

    public ControllerConfig withDatabase(DatabaseConfig db) {
        return new ControllerConfig(dataDir, host, port, extraListen, plainHttp, db, agentWait, agentLostAfter, maxBodyBytes, blobAccounts, oidcProviders, operationRetention, identity, peerUrl);
    }
}
