package netwatcher.controller.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of the token endpoint: the HTTP status, the JSON body, and the headers RFC 6749
 * requires ({@code Cache-Control: no-store}, {@code Pragma: no-cache}; plus
 * {@code WWW-Authenticate: Basic} for a 401 after HTTP Basic client authentication).
 *
 * @param httpStatus 200 for a token; 400 or 401 for an OAuth error
 * @param body the JSON object: {@code token_type, access_token, expires_in, ext_expires_in,
 *     expires_on, resource} or {@code error, error_description, timestamp}
 * @param headers extra response headers
 */
public record TokenResult(int httpStatus, Map<String, Object> body, Map<String, String> headers) {
    public TokenResult {
        body = Collections.unmodifiableMap(new LinkedHashMap<>(body));
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Whether a token was issued. */
    public boolean isSuccess() { return httpStatus == 200; }

    /** The OAuth error code, or {@code null} on success. */
    public String error() { return (String) body.get("error"); }

    /** The issued JWT, or {@code null} on failure. */
    public String accessToken() { return (String) body.get("access_token"); }

    @Override
    public String toString() {
        // Never print the access token.
        return isSuccess() ? "TokenResult[200, expires_on=" + body.get("expires_on") + "]"
                : "TokenResult[" + httpStatus + ", " + error() + ": " + body.get("error_description") + "]";
    }
}
