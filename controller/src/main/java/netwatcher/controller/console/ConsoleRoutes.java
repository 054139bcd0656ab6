package netwatcher.controller.console;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import netwatcher.arm.ArmBody;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.auth.OidcClient;
import netwatcher.controller.auth.OidcProviderConfig;
import netwatcher.controller.capture.CaptureService;
import netwatcher.controller.compute.AgentPresence;
import netwatcher.controller.compute.ComputeService;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.AccessControl;
import netwatcher.controller.http.Caller;
import netwatcher.controller.http.Exchange;
import netwatcher.controller.http.InputPolicy;
import netwatcher.controller.http.Router;
import netwatcher.controller.storage.StorageAccount;
import netwatcher.controller.storage.StorageService;
import netwatcher.controller.subscriptions.SubscriptionService;
import netwatcher.controller.watchers.WatcherService;

/**
 * The console's routes: its files at {@code /console/}, the session ({@code /console/api/session}), and the read
 * models ({@code fleet}, {@code captures}, {@code events}). Every answer carries {@link SecurityHeaders}. The
 * routes are PUBLIC to the pipeline and authenticate themselves with the request's credential (the session
 * cookie, or a bearer token) through the same {@link AccessControl}. Thread-safe.
 */
public final class ConsoleRoutes {
    /** How often an idle event stream sends a comment, so that proxies and the browser keep it open. */
    static final long KEEPALIVE_SECONDS = 15;
    /** How often an event stream opened with the session cookie checks that its session still lives. */
    static final long SESSION_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the console reads and whom it asks. */
    public record Peers(Database db, ComputeService compute, AgentPresence presence, SubscriptionService subscriptions,
                        WatcherService watchers, StorageService storage) {}

    private final ConsoleSessions sessions;
    private final Database db;
    private final Clock clock;
    private final AccessControl access;
    private final StaticAssets assets = new StaticAssets();
    private final FleetView fleet;
    private final CaptureTable captures;
    private final LiveFeed feed;
    private volatile OidcLogin oidc;

    public ConsoleRoutes(ConsoleSessions sessions, AccessControl access, Peers peers, Clock clock) {
        this.sessions = sessions;
        this.access = access;
        this.db = peers.db();
        this.clock = clock;
        this.fleet = new FleetView(new FleetView.Sources(peers.db(), peers.compute(), peers.presence(), peers.subscriptions(),
                peers.watchers(), access));
        this.captures = new CaptureTable(peers.db(), accountKey -> peers.storage().all().stream()
                .filter(a -> a.kind() == StorageAccount.Kind.LOCAL && a.id().key().equals(accountKey)).findFirst().map(StorageAccount::name));
        this.feed = new LiveFeed(captures, clock);
    }

    /** Feeds the event streams from the capture feature's change notices. */
    public void follow(CaptureService captureService) {
        captureService.onChange(feed::changed);
    }

    /**
     * Offers "Login with <provider>" for each provider that has a client registration (authorization code + PKCE,
     * {@link OidcLogin}); the code exchange and discovery go out through {@code http}.
     */
    public void offerOidcLogin(List<OidcProviderConfig> providers, List<OidcClient> clients, java.net.http.HttpClient http) {
        this.oidc = new OidcLogin(db, OidcLogin.pair(providers, clients), http, clock);
    }

    public void register(Router router) {
        router.add("GET", "/console/api/logins", Router.Kind.PUBLIC, (ex, v) -> {
            SecurityHeaders.apply(ex);
            noStore(ex);
            OidcLogin o = oidc;
            ex.json(200, Map.of("oidc", o == null ? List.of() : o.offers()));
        });
        router.add("GET", "/console/oidc/login/{provider}", Router.Kind.PUBLIC, (ex, v) -> oidcLogin().start(ex, v.get("provider")));
        router.add("GET", OidcLogin.CALLBACK, Router.Kind.PUBLIC, (ex, v) -> oidcLogin().callback(ex, sessions, access));
        router.add("GET", "/console/api/session", Router.Kind.PUBLIC, this::whoAmI);
        router.add("POST", "/console/api/session", Router.Kind.PUBLIC, this::login);
        router.add("DELETE", "/console/api/session", Router.Kind.PUBLIC, this::logout);
        router.add("GET", "/console/api/fleet", Router.Kind.PUBLIC, (ex, v) -> {
            SecurityHeaders.apply(ex);
            noStore(ex);
            ex.json(200, fleet.of(caller(ex)));
        });
        router.add("GET", "/console/api/captures", Router.Kind.PUBLIC, this::captures);
        router.add("GET", "/console/api/events", Router.Kind.PUBLIC, this::events);
        router.add("GET", "/console", Router.Kind.PUBLIC, (ex, v) -> file(ex, ""));
        router.add("GET", "/console/{file...}", Router.Kind.PUBLIC, (ex, v) -> file(ex, v.get("file")));
    }

    private OidcLogin oidcLogin() {
        OidcLogin o = oidc;
        if (o == null) throw ArmErrorCode.NotFound.exception("This controller offers no OIDC login.");
        return o;
    }

    private Caller caller(Exchange ex) {
        Caller c = access.authenticate(ex.authorization());
        if (c.kind() == Caller.Kind.AGENT) throw ArmErrorCode.AuthorizationFailed.exception("Agent credentials cannot use the console.");
        return c;
    }

    private void file(Exchange ex, String path) {
        SecurityHeaders.apply(ex);
        StaticAssets.Asset a = assets.find(path).orElseThrow(() -> ArmErrorCode.NotFound.exception(
                "The console has no file '" + InputPolicy.quote(path) + "'."));
        ex.setHeader("ETag", a.etag());
        ex.setHeader("Cache-Control", "no-cache");
        if (a.etag().equals(ex.header("If-None-Match"))) {
            ex.empty(304);
            return;
        }
        ex.send(200, a.contentType(), a.bytes());
    }

    private void whoAmI(Exchange ex, Map<String, String> v) {
        SecurityHeaders.apply(ex);
        noStore(ex);
        ConsoleSessions.Session s = sessions.find(ex).orElseThrow(() -> ArmErrorCode.AuthenticationFailed.exception("Not logged in."));
        ex.json(200, view(access.authenticate(s.authorization()), s));
    }

    /**
     * {@code POST /console/api/session {"token": "..."}}: opens a session for a bearer token the controller
     * accepts (the admin token, a token of its own issuer for a service principal, an OIDC provider's token).
     * A JSON body and, when the browser names one, a same-origin {@code Origin}: a cross-site form cannot log a
     * victim into the attacker's session.
     */
    private void login(Exchange ex, Map<String, String> v) {
        SecurityHeaders.apply(ex);
        noStore(ex);
        sameOrigin(ex);
        if (ex.header("Content-Type") == null) {
            throw ArmErrorCode.UnsupportedMediaType.exception("A console login is sent as application/json.");
        }
        InputPolicy.checkJsonMediaType(ex.header("Content-Type"));
        ArmBody body = ArmBody.root(ex.body(1 << 16));
        String token = body.requireString("token").strip();
        String authorization = "Bearer " + token;
        Caller caller = access.authenticate(authorization);
        if (caller.kind() == Caller.Kind.AGENT) throw ArmErrorCode.AuthorizationFailed.exception("Agent credentials cannot use the console.");
        ConsoleSessions.Session s = sessions.open(authorization, expiry(token));
        ex.setHeader("Set-Cookie", sessions.setCookie(s, secure(ex)));
        ex.json(201, view(caller, s));
    }

    private void logout(Exchange ex, Map<String, String> v) {
        SecurityHeaders.apply(ex);
        noStore(ex);
        Optional<ConsoleSessions.Session> s = sessions.find(ex);
        if (s.isPresent()) {
            ConsoleSessions.requireCsrf(ex, s.get());
            sessions.end(s.get());
        }
        ex.setHeader("Set-Cookie", ConsoleSessions.clearCookie(secure(ex)));
        ex.empty(204);
    }

    private void captures(Exchange ex, Map<String, String> v) {
        SecurityHeaders.apply(ex);
        noStore(ex);
        Caller caller = caller(ex);
        CaptureTable.Query q = new CaptureTable.Query(CaptureTable.Sort.of(ex.query("sort")), "desc".equalsIgnoreCase(ex.query("dir")),
                integer(ex, "page", 0), integer(ex, "size", 50), ex.query("search"), emptyToNull(ex.query("status")));
        ex.json(200, captures.page(q, new ReadScopes(access, caller), caller.admin()));
    }

    /** {@code GET /console/api/events}: a server-sent event per capture change the caller may see, until it goes away. */
    private void events(Exchange ex, Map<String, String> v) throws InterruptedException {
        SecurityHeaders.apply(ex);
        noStore(ex);
        Caller caller = caller(ex);
        boolean bySession = ex.header("Authorization") == null;
        LiveFeed.Subscriber sub = feed.subscribe(new ReadScopes(access, caller));
        ex.setHeader("X-Accel-Buffering", "no");
        try (OutputStream out = ex.stream(200, "text/event-stream; charset=utf-8", -1)) {
            write(out, ": connected\nretry: 2000\n\n");
            long checked = System.nanoTime();
            while (true) {
                String event = sub.events().poll(KEEPALIVE_SECONDS, TimeUnit.SECONDS);
                if (bySession && System.nanoTime() - checked >= SESSION_RECHECK_NANOS) {
                    // logged out (on any controller) or expired: the stream ends with the session; read at most once a
                    // second, not once per event, since the session is a database row
                    if (sessions.find(ex).isEmpty()) return;
                    checked = System.nanoTime();
                }
                write(out, event == null ? ": keepalive\n\n" : "event: capture\ndata: " + event + "\n\n");
            }
        } catch (IOException gone) {
            // the browser closed the page or the connection
        } finally {
            feed.unsubscribe(sub);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** What the page learns of its session: who, and the CSRF token it must echo. */
    record SessionView(String name, String id, String kind, String csrfToken, Instant expires) {}

    private static SessionView view(Caller c, ConsoleSessions.Session s) {
        return new SessionView(c.name(), c.id(), c.kind().name(), s.csrf(), s.expires());
    }

    /** A JWT's {@code exp} (the token was validated before), or null for an opaque token such as the admin token. */
    private static Instant expiry(String token) {
        try {
            java.util.Date exp = com.nimbusds.jwt.JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
            return exp == null ? null : exp.toInstant();
        } catch (java.text.ParseException notAJwt) {
            return null;
        }
    }

    private static void sameOrigin(Exchange ex) {
        String origin = ex.header("Origin");
        if (origin == null) return;
        String host = ex.header("Host");
        boolean same = origin.equalsIgnoreCase(ex.baseUrl()) || (host != null && (origin.equalsIgnoreCase("https://" + host)
                || origin.equalsIgnoreCase("http://" + host)));
        if (!same) {
            throw ArmErrorCode.AuthorizationFailed.exception("A console login must come from the console's own origin; this one came from '"
                    + InputPolicy.quote(origin) + "'.");
        }
    }

    private static boolean secure(Exchange ex) {
        return ex.baseUrl().startsWith("https://");
    }

    private static void noStore(Exchange ex) {
        ex.setHeader("Cache-Control", "no-store");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static int integer(Exchange ex, String name, int fallback) {
        String v = ex.query(name);
        if (v == null || v.isEmpty()) return fallback;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ArmErrorCode.InvalidParameter.exception(name + " must be a whole number; was '" + InputPolicy.quote(v) + "'.", name);
        }
    }
}
