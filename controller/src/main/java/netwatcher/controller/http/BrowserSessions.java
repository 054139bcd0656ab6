package netwatcher.controller.http;

/**
 * Browser sessions (the web console's cookie) as the edge sees them: a request that carries no
 * Authorization header but a session cookie is authenticated as the session's identity, through the
 * same {@link AccessControl#authenticate} as a bearer token, so every route keeps its own authorization.
 * Implementations are thread-safe.
 */
public interface BrowserSessions {
    /**
     * The Authorization header value that the request's session cookie stands for, or null when the request
     * carries no session cookie. A state-changing request (any method but GET and HEAD) must also carry the
     * session's CSRF token.
     *
     * @throws netwatcher.arm.ArmException 401 when the cookie names no live session, 403 when the CSRF token is
     *     missing or wrong
     */
    String authorization(Exchange exchange);
}
