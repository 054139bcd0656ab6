package netwatcher.controller.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.arm.ArmErrorCode;
import netwatcher.controller.http.BrowserSessions;
import netwatcher.controller.http.Exchange;

/**
 * The console's sessions, in this controller's memory: a random id in the cookie, the credential it stands
 * for and its CSRF token on the server. Thread-safe.
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
     * @param authorization the Authorization header value it stands for ({@code Bearer ...})
     * @param csrf          the token every state-changing request must echo
     * @param expires       when it ends (the earlier of {@link #LIFETIME} and the credential's expiry)
     */
    public record Session(String id, String authorization, String csrf, Instant expires) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    public ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /** Opens a session for {@code authorization}, ending no later than {@code credentialExpiry} (null: no own expiry). */
    public Session open(String authorization, Instant credentialExpiry) {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expires().isAfter(now));
        Instant expires = now.plus(LIFETIME);
        if (credentialExpiry != null && credentialExpiry.isBefore(expires)) expires = credentialExpiry;
        Session s = new Session(random(), authorization, random(), expires);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session the request's cookie names, if any. */
    public Optional<Session> find(Exchange ex) {
        return find(ex.header("Cookie"));
    }

    /** The live session a {@code Cookie} header names, if any. */
    Optional<Session> find(String cookieHeader) {
        String id = cookie(cookieHeader);
        if (id == null) return Optional.empty();
        Session s = sessions.get(id);
        if (s == null) return Optional.empty();
        if (!s.expires().isAfter(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    /** Ends the session (logout). */
    public void end(Session session) {
        sessions.remove(session.id());
    }

    /** How many sessions are open (for tests and diagnostics). */
    public int size() { return sessions.size(); }

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
        if (header == null) return null;
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
