package netwatcher.controller.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import netwatcher.arm.ArmException;
import netwatcher.arm.Json;
import netwatcher.controller.auth.OidcClient;
import netwatcher.controller.auth.OidcProviderConfig;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;
import netwatcher.controller.http.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's OpenID Connect login, authorization code with PKCE (S256), for every configured provider that has a
 * client registration ({@link OidcClient}).
 *
 * <p>{@code GET /console/oidc/login/{provider}} records a pre-login in the database (state, nonce, PKCE verifier; ten
 * minutes; keyed by the hash of a random value the browser gets in the {@code nw_console_login} cookie, SameSite=Lax
 * so that it comes back on the provider's redirect) and redirects to the provider's authorization endpoint (from its
 * discovery document). {@code GET /console/oidc/callback} takes the pre-login once (a replayed callback finds
 * nothing), checks {@code state}, exchanges the code at the token endpoint over the back channel with the PKCE
 * verifier, and accepts the <b>ID token</b>: it is authenticated by the same {@link AccessControl} as any bearer token
 * (issuer, audience = the client id, signature, expiry), must come from this provider and carry this login's
 * {@code nonce}. The session then stands for that ID token like any other login's token: the token's expiry ends it,
 * and the principal ({@code provider:subject}) gets only what its role assignments give. Every failure ends on the
 * login page ({@code /console/?login=<reason>}) without a session. Because the pre-login is a database row, the
 * callback may reach another controller of the cluster than the one that started the login. Thread-safe.
 */
final class OidcLogin {
    /** The pre-login cookie. */
    static final String COOKIE = "nw_console_login";
    /** How long a login may take at the provider. */
    static final Duration PRE_LOGIN_LIFETIME = Duration.ofMinutes(10);
    /** The callback's path under the controller's public URL (the redirect URI to register at the provider). */
    static final String CALLBACK = "/console/oidc/callback";
    private static final Duration DISCOVERY_TTL = Duration.ofHours(1);
    private static final Pattern OAUTH_ERROR = Pattern.compile("[a-z_]{1,40}");
    private static final Logger LOG = LoggerFactory.getLogger(OidcLogin.class);

    /** A provider the console offers a login with. */
    record Provider(OidcProviderConfig config, OidcClient client) {}

    /** What the page lists: the provider's name and where its login starts. */
    record Offer(String name, String login) {}

    private record Discovery(URI authorizationEndpoint, URI tokenEndpoint, Instant fetched) {}

    private record PreLogin(String provider, String state, String nonce, String verifier) {}

    /** Why a login ended on the login page (the page shows a fixed sentence per reason). */
    enum Failure { PROVIDER, STATE, EXPIRED, EXCHANGE, TOKEN, UNAVAILABLE, BUSY }

    /**
     * Pre-logins alive at once, all providers together. Starting a login needs no credential, so without a bound anyone
     * who reaches the listener could grow {@code console_login} without end; at the bound a new login is refused
     * ({@code ?login=busy}) until older ones are used or expire (10 minutes), and existing sessions are untouched.
     */
    static final int MAX_PENDING = 10_000;

    private final Database db;
    private final Map<String, Provider> providers = new LinkedHashMap<>();
    private final Map<String, Discovery> discovered = new ConcurrentHashMap<>();
    private final HttpClient http;
    private final Clock clock;

    OidcLogin(Database db, List<Provider> providers, HttpClient http, Clock clock) {
        this.db = db;
        for (Provider p : providers) this.providers.put(p.config().name(), p);
        this.http = http;
        this.clock = clock;
    }

    /** Pairs each provider with its client registration; providers without one offer no login. */
    static List<Provider> pair(List<OidcProviderConfig> configs, List<OidcClient> clients) {
        return configs.stream().flatMap(c -> clients.stream().filter(k -> k.provider().equals(c.name())).findFirst()
                .map(k -> new Provider(c, k)).stream()).toList();
    }

    List<Offer> offers() {
        return providers.keySet().stream().map(n -> new Offer(n, "/console/oidc/login/" + n)).toList();
    }

    /** Starts a login with {@code name}: a pre-login and a redirect to the provider. */
    void start(Exchange ex, String name) {
        Provider p = providers.get(name);
        if (p == null) {
            fail(ex, Failure.UNAVAILABLE, null);
            return;
        }
        Discovery d;
        try {
            d = discovery(p);
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().addKeyValue("provider", name).addKeyValue("error", e.getMessage()).log("OIDC discovery failed");
            fail(ex, Failure.UNAVAILABLE, null);
            return;
        }
        Instant now = clock.instant();
        if (!roomForAnother(now)) {
            LOG.atWarn().addKeyValue("provider", name).addKeyValue("pending", MAX_PENDING).log("OIDC login refused: too many pending logins");
            fail(ex, Failure.BUSY, null);
            return;
        }
        String id = ConsoleSessions.random();
        PreLogin pre = new PreLogin(name, ConsoleSessions.random(), ConsoleSessions.random(), ConsoleSessions.random());
        db.update("INSERT INTO console_login (id_hash, provider, state, nonce, code_verifier, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ConsoleSessions.hash(id), name, pre.state(), pre.nonce(), pre.verifier(), now.plus(PRE_LOGIN_LIFETIME), now);
        String query = form(Map.of("response_type", "code", "client_id", p.client().clientId(), "redirect_uri", redirectUri(ex),
                "scope", "openid", "state", pre.state(), "nonce", pre.nonce(), "code_challenge", challenge(pre.verifier()),
                "code_challenge_method", "S256"));
        String auth = d.authorizationEndpoint().toString();
        ex.setHeader("Set-Cookie", COOKIE + "=" + id + "; Path=/console/oidc/; Max-Age=" + PRE_LOGIN_LIFETIME.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (secure(ex) ? "; Secure" : ""));
        redirect(ex, auth + (auth.contains("?") ? "&" : "?") + query);
    }

    /** Drops expired pre-logins and says whether one more stays within {@link #MAX_PENDING}. */
    boolean roomForAnother(Instant now) {
        db.update("DELETE FROM console_login WHERE expires_at <= ?", now);
        long pending = db.queryOne("SELECT COUNT(*) AS n FROM console_login", row -> row.getLong("n")).orElse(0L);
        return pending < MAX_PENDING;
    }

    /** The provider's redirect back: on success a session and the console, otherwise the login page with the reason. */
    void callback(Exchange ex, ConsoleSessions sessions, AccessControl access) {
        String id = ConsoleSessions.cookieValue(ex.header("Cookie"), COOKIE);
        Optional<PreLogin> taken = id == null || id.length() > 64 ? Optional.empty() : take(id);
        if (taken.isEmpty()) {
            fail(ex, Failure.EXPIRED, null); // no pre-login cookie, expired, or used already (a replayed callback)
            return;
        }
        PreLogin pre = taken.get();
        String error = ex.query("error");
        if (error != null) {
            fail(ex, Failure.PROVIDER, OAUTH_ERROR.matcher(error).matches() ? error : null);
            return;
        }
        String state = ex.query("state");
        if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), pre.state().getBytes(StandardCharsets.UTF_8))) {
            fail(ex, Failure.STATE, null);
            return;
        }
        String code = ex.query("code");
        Provider p = providers.get(pre.provider());
        if (code == null || code.isEmpty() || p == null) {
            fail(ex, Failure.PROVIDER, null);
            return;
        }
        String idToken;
        try {
            idToken = exchange(ex, p, code, pre.verifier());
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().addKeyValue("provider", p.config().name()).addKeyValue("error", e.getMessage()).log("OIDC code exchange failed");
            fail(ex, Failure.EXCHANGE, null);
            return;
        }
        Optional<Instant> expiry = verify(access, p, idToken, pre.nonce());
        if (expiry.isEmpty()) {
            fail(ex, Failure.TOKEN, null);
            return;
        }
        ConsoleSessions.Session s = sessions.open("Bearer " + idToken, expiry.get());
        ex.setHeader("Set-Cookie", sessions.setCookie(s, secure(ex)));
        redirect(ex, "/console/");
    }

    /**
     * Authenticates the ID token as any bearer token is, then checks that this provider issued it for this login:
     * its expiry when it holds, empty otherwise (the reason is logged, not shown).
     */
    private static Optional<Instant> verify(AccessControl access, Provider p, String idToken, String nonce) {
        try {
            Caller caller = access.authenticate("Bearer " + idToken);
            var claims = com.nimbusds.jwt.JWTParser.parse(idToken).getJWTClaimsSet();
            String iss = claims.getIssuer() == null ? "" : claims.getIssuer().replaceAll("/+$", "");
            boolean ours = caller.kind() == Caller.Kind.OIDC_USER && iss.equals(p.config().issuer().strip().replaceAll("/+$", ""));
            Object n = claims.getClaim("nonce");
            boolean sameLogin = n instanceof String s && MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8), nonce.getBytes(StandardCharsets.UTF_8));
            if (!ours || !sameLogin || claims.getExpirationTime() == null) {
                LOG.atWarn().addKeyValue("provider", p.config().name()).addKeyValue("issuerMatches", ours).addKeyValue("nonceMatches", sameLogin)
                        .log("OIDC login refused: ID token not for this login");
                return Optional.empty();
            }
            return Optional.of(claims.getExpirationTime().toInstant());
        } catch (ArmException | java.text.ParseException e) {
            LOG.atWarn().addKeyValue("provider", p.config().name()).addKeyValue("error", e.getMessage()).log("OIDC login refused: ID token invalid");
            return Optional.empty();
        }
    }

    private Optional<PreLogin> take(String id) {
        String hash = ConsoleSessions.hash(id);
        Optional<PreLogin> pre = db.queryOne("SELECT provider, state, nonce, code_verifier FROM console_login WHERE id_hash = ? AND expires_at > ?",
                    row -> new PreLogin(row.getString("provider"), row.getString("state"), row.getString("nonce"), row.getString("code_verifier")),
                    hash, clock.instant());
        // used once: of two racing callbacks, only the one whose DELETE removed the row goes on
        return db.update("DELETE FROM console_login WHERE id_hash = ?", hash) == 1 ? pre : Optional.empty();
    }

    private String exchange(Exchange ex, Provider p, String code, String verifier) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", redirectUri(ex));
        body.put("code_verifier", verifier);
        body.put("client_id", p.client().clientId());
        HttpRequest.Builder r = HttpRequest.newBuilder(discovery(p).tokenEndpoint()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form(body)));
        if (p.client().clientSecret() != null) {
            String basic = URLEncoder.encode(p.client().clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(p.client().clientSecret(), StandardCharsets.UTF_8);
            r.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> res = send(r.build());
        if (res.statusCode() != 200) throw new IOException("token endpoint answered " + res.statusCode());
        JsonNode json = Json.tree(res.body());
        String idToken = json.path("id_token").asText("");
        if (idToken.isEmpty()) throw new IOException("the token response has no id_token");
        return idToken;
    }

    private Discovery discovery(Provider p) throws IOException {
        Discovery d = discovered.get(p.config().name());
        if (d != null && d.fetched().plus(DISCOVERY_TTL).isAfter(clock.instant())) return d;
        String issuer = p.config().issuer().strip().replaceAll("/+$", "");
        HttpResponse<byte[]> res = send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(10)).header("Accept", "application/json").GET().build());
        if (res.statusCode() != 200) throw new IOException("discovery answered " + res.statusCode());
        JsonNode json = Json.tree(res.body());
        if (!issuer.equals(json.path("issuer").asText("").replaceAll("/+$", ""))) {
            throw new IOException("discovery names issuer '" + json.path("issuer").asText() + "', not '" + issuer + "'");
        }
        d = new Discovery(endpoint(json, "authorization_endpoint"), endpoint(json, "token_endpoint"), clock.instant());
        discovered.put(p.config().name(), d);
        return d;
    }

    private static URI endpoint(JsonNode json, String field) throws IOException {
        URI uri = URI.create(json.path(field).asText(""));
        String host = uri.getHost();
        boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
        if (host == null || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()) && loopback)) {
            throw new IOException(field + " must be an https URL (http only on loopback), was '" + uri + "'");
        }
        return uri;
    }

    private HttpResponse<byte[]> send(HttpRequest r) throws IOException {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void fail(Exchange ex, Failure why, String providerError) {
        ex.setHeader("Set-Cookie", COOKIE + "=; Path=/console/oidc/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure(ex) ? "; Secure" : ""));
        String to = "/console/?login=" + why.name().toLowerCase(java.util.Locale.ROOT);
        if (providerError != null) to += "&error=" + providerError;
        redirect(ex, to);
    }

    private static void redirect(Exchange ex, String location) {
        SecurityHeaders.apply(ex);
        ex.setHeader("Cache-Control", "no-store");
        ex.setHeader("Location", location);
        ex.empty(303);
    }

    static String redirectUri(Exchange ex) {
        return ex.baseUrl() + CALLBACK;
    }

    /** The PKCE S256 challenge of {@code verifier}. */
    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return b.toString();
    }

    private static boolean secure(Exchange ex) {
        return ex.baseUrl().startsWith("https://");
    }
}
