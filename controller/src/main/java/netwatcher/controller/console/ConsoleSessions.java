package netwatcher.controller.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.db.Database;
import netwatcher.controller.http.BrowserSessions;
import netwatcher.controller.http.Exchange;

/**
 * The console's sessions, in the database every controller of a cluster shares: a random 256-bit id in the cookie;
 * on the server a row found by the id's SHA-256, holding the credential the session stands for sealed (AES-GCM)
 * under a key derived from the id, the CSRF token and the expiry. A database reader learns no credential and can
 * open no session; logout and expiry end the session on every controller, since each request reads the row.
 * The credential is authenticated again on every request, so its own expiry (or a rotated admin token) still ends
 * the session. Thread-safe.
 */
public final class ConsoleSessions implements BrowserSessions {
    /** The cookie's name. */
    public static final String COOKIE = "nw_console";
    /** The request header that carries the session's CSRF token on state-changing requests. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** The longest a session lives, whatever its credential (a token's own expiry ends it earlier). */
    public static final Duration LIFETIME = Duration.ofHours(8);

    /**
     * One session.
     *
     * @param id            the cookie's value (never stored: the row holds its hash)
     * @param authorization the Authorization header value it stands for ({@code Bearer ...})
     * @param csrf          the token every state-changing request must echo
     * @param expires       when it ends (the earlier of {@link #LIFETIME} and the credential's expiry)
     */
    public record Session(String id, String authorization, String csrf, Instant expires) {}


    private final Database db;
    private final Clock clock;

    public ConsoleSessions(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Opens a session for {@code authorization}, ending no later than {@code credentialExpiry} (null: no own expiry). */
    public Session open(String authorization, Instant credentialExpiry) {
        Instant now = clock.instant();
        db.update("DELETE FROM console_session WHERE expires_at <= ?", now);
        Instant expires = now.plus(LIFETIME);
        if (credentialExpiry != null && credentialExpiry.isBefore(expires)) expires = credentialExpiry;
        Session s = new Session(random(), authorization, random(), expires);
        db.update("INSERT INTO console_session (id_hash, credential, csrf_token, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
                hash(s.id()), Sealed.seal(s.id(), authorization), s.csrf(), expires, now);
        return s;
    }

    /** The live session the request's cookie names, if any. */
    public Optional<Session> find(Exchange ex) {
        return find(ex.header("Cookie"));
    }

    /** The live session a {@code Cookie} header names, if any. */
    Optional<Session> find(String cookieHeader) {
        String id = cookie(cookieHeader);
        if (id == null || id.length() > 64) return Optional.empty();
        Instant now = clock.instant();
        return db.queryOne("SELECT credential, csrf_token, expires_at FROM console_session WHERE id_hash = ? AND expires_at > ?",
                row -> new String[] {row.getString("credential"), row.getString("csrf_token"), row.getInstant("expires_at").toString()},
                hash(id), now).flatMap(r -> Sealed.open(id, r[0]).map(auth -> new Session(id, auth, r[1], Instant.parse(r[2]))));
    }

    /** Ends the session (logout), on every controller. */
    public void end(Session session) {
        db.update("DELETE FROM console_session WHERE id_hash = ?", hash(session.id()));
    }

    /** How many sessions are open (for tests and diagnostics). */
    public int size() {
        return db.queryOne("SELECT COUNT(*) AS n FROM console_session WHERE expires_at > ?", row -> row.getInt("n"), clock.instant()).orElse(0);
    }

    @Override
    public String authorization(Exchange ex) {
        if (cookie(ex.header("Cookie")) == null) return null;
        Session s = find(ex).orElseThrow(() -> ArmErrorCode.AuthenticationFailed.exception(
                "The console session has ended or is unknown to this controller; log in again."));
        requireCsrf(ex, s);
        return s.authorization();
    }

    /** Refuses a state-changing request that does not carry the session's CSRF token: 403. */
    static void requireCsrf(Exchange ex, Session s) {
        requireCsrf(ex.method(), ex.header(CSRF_HEADER), s);
    }

    /** Refuses a state-changing {@code method} whose CSRF header {@code given} is not the session's token: 403. */
    static void requireCsrf(String method, String given, Session s) {
        if ("GET".equals(method) || "HEAD".equals(method)) return;
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
            throw ArmErrorCode.AuthorizationFailed.exception("A state-changing request with the console's session cookie must carry"
                    + " the session's CSRF token in the " + CSRF_HEADER + " header; it was " + (given == null ? "missing" : "wrong") + ".");
        }
    }

    /** The {@code Set-Cookie} value that opens {@code s} in the browser. */
    String setCookie(Session s, boolean secure) {
        long maxAge = Math.max(0, Duration.between(clock.instant(), s.expires()).toSeconds());
        return COOKIE + "=" + s.id() + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that removes the cookie. */
    static String clearCookie(boolean secure) {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The session id in a {@code Cookie} header, or null. */
    static String cookie(String header) {
        return cookieValue(header, COOKIE);
    }

    /** The value of cookie {@code name} in a {@code Cookie} header, or null. */
    static String cookieValue(String header, String name) {
        if (header == null) return null;
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(name + "=")) {
                String v = p.substring(name.length() + 1);
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    /** The row key of a cookie value: its SHA-256, hex. */
    static String hash(String id) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A random 256-bit value, base64url. */
    static String random() {
        return netwatcher.controller.auth.Secrets.generate();
    }
}
