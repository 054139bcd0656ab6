package netwatcher.controller.console;

import netwatcher.controller.http.Exchange;

/** The headers every console response carries: a strict Content-Security-Policy and the usual companions. Stateless. */
final class SecurityHeaders {
    /**
     * Only the controller's own files and requests; no inline script or style, no plugins, no framing, no
     * {@code <base>}, forms post only here.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {}

    static void apply(Exchange ex) {
        ex.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ex.setHeader("X-Content-Type-Options", "nosniff");
        ex.setHeader("X-Frame-Options", "DENY");
        ex.setHeader("Referrer-Policy", "no-referrer");
        ex.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        ex.setHeader("Cross-Origin-Resource-Policy", "same-origin");
        ex.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        if (ex.baseUrl().startsWith("https://")) ex.setHeader("Strict-Transport-Security", "max-age=31536000");
    }
}
