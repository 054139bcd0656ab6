package netwatcher.controller.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.Json;

/**
 * One HTTP request and its response, as handlers see it. Not thread-safe: one exchange belongs to
 * the (virtual) thread that serves it.
 */
public interface Exchange {
    String method();

    /** The decoded path, without query. */
    String path();

    /** The first value of a query parameter, or null. Names match case-insensitively. */
    String query(String name);

    /** The first value of a request header, or null. */
    String header(String name);

    /** The request body, read fully, at most {@code limit} bytes (413 beyond). */
    byte[] body(long limit);

    /** The request body as a stream (uploads). */
    InputStream bodyStream();

    /** The externally visible base URL of this request ({@code https://127.0.0.1:8443}). */
    String baseUrl();

    /** The remote address of the caller. */
    String remoteAddress();

    /** The values the ARM pipeline attached: request id, caller, api-version. */
    Map<String, Object> attributes();

    /** Sets a response header (before {@link #send}). */
    void setHeader(String name, String value);

    /** Sends a complete response; {@code body} may be null for no body. */
    void send(int status, String contentType, byte[] body);

    /** Answers a HEAD request with {@code contentLength} as the Content-Length and no body. */
    void head(int status, long contentLength);

    /** Streams a response body of known length. */
    OutputStream stream(int status, String contentType, long contentLength) throws IOException;

    default void json(int status, Object value) {
        send(status, "application/json; charset=utf-8", value == null ? null : Json.write(value));
    }

    default void empty(int status) {
        send(status, null, null);
    }

    /**
     * The request's credential: its Authorization header, or else what its browser session cookie stands for
     * ({@link BrowserSessions}, CSRF-checked on state-changing methods); null when it has neither.
     */
    default String authorization() {
        String header = header("Authorization");
        if (header != null) return header;
        return attributes().get(BrowserSessions.class.getName()) instanceof BrowserSessions sessions ? sessions.authorization(this) : null;
    }

    default String requestId() { return (String) attributes().get("requestId"); }

    default Caller caller() { return (Caller) attributes().get("caller"); }

    default ApiVersion apiVersion() { return (ApiVersion) attributes().get("apiVersion"); }

    /** The api-version query parameter as given, or null. */
    default String apiVersionText() { return query("api-version"); }

    /** Builds an absolute URL under this controller with the request's api-version (percent-encoded). */
    default String absolute(String path) {
        String v = apiVersionText();
        return baseUrl() + path + (v == null ? "" : "?api-version=" + ApiVersion.echo(v));
    }

    /** Refuses a body on methods that take none. */
    default void noBody() {
        byte[] b = body(1 << 20);
        if (b.length > 0 && !new String(b, java.nio.charset.StandardCharsets.UTF_8).isBlank()
                && !new String(b, java.nio.charset.StandardCharsets.UTF_8).trim().equals("{}")
                && !new String(b, java.nio.charset.StandardCharsets.UTF_8).trim().equals("null")) {
            throw ArmErrorCode.InvalidRequestContent.exception("This operation takes no request body.");
        }
    }

    /** Helper for small JSON objects with stable field order. */
    static Map<String, Object> object(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** An ARM list body {@code {"value":[...]}}. */
    static Map<String, Object> list(List<?> items) {
        return Map.of("value", items);
    }
}
