package netwatcher.controller.http;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import netwatcher.arm.ArmError;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.arm.Json;
import netwatcher.controller.db.DatabaseException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How errors leave the HTTP edge: the one rendering of an ARM error body, how a failed exchange is answered
 * (the OAuth2 token endpoints in RFC 6749's shape), the errors for statuses the edge answers itself (Jetty's
 * rejections among them), and the rule that no message naming Java or library internals ever reaches a client.
 * Stateless.
 */
final class EdgeErrors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private EdgeErrors() {}

    /** {@code Retry-After} of a 503 the edge answers (the database busy or unreachable), in whole seconds as ARM wants. */
    static final java.time.Duration RETRY_AFTER = java.time.Duration.ofSeconds(2);

    /**
     * The ARM error for a database fault that is no bug, or null: the database busy or unreachable
     * ({@link DatabaseException#isUnavailable()}) is 503 {@code ServiceUnavailable} (with {@code Retry-After}:
     * retry, here or on another controller); a unique constraint that a concurrent request (on this controller or
     * another one on the same database) won first, and that the feature did not answer itself, is 409
     * {@code Conflict}. Features that know the resource answer their own 409 first (a packet capture's
     * "already exists"); this is the rule for the rest, so a lost race is never a 500.
     */
    static ArmException databaseFault(Throwable failure) {
        DatabaseException e = null;
        for (Throwable t = failure; t != null && e == null; t = t.getCause()) {
            if (t instanceof DatabaseException d) e = d; // also when wrapped (a CompletionException of a waited-for task)
        }
        if (e == null) return null;
        if (e.isUnavailable()) {
            return ArmErrorCode.ServiceUnavailable.exception("The controller's database is busy or unreachable; retry after "
                    + RETRY_AFTER.toSeconds() + " seconds.");
        }
        if (e.isUniqueViolation()) {
            return ArmErrorCode.Conflict.exception("Another request created or changed the same resource at the same time;"
                    + " read it and retry if still needed.");
        }
        return null;
    }

    /**
     * The client went away before its request's body ended (Jetty's {@code EofException}, also wrapped): nothing on
     * the server failed, so it is the client's 400 (it will most likely never read it), not an internal error.
     * {@code null} when {@code failure} is something else.
     */
    static ArmException clientGone(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.eclipse.jetty.io.EofException) {
                return ArmErrorCode.InvalidRequestFormat.exception("The request body could not be read completely."); // as JettyExchange says of a JSON body
            }
        }
        return null;
    }

    /** Words that betray the implementation; an error message holding one is replaced before it leaves. */
    private static final java.util.regex.Pattern INTERNALS = java.util.regex.Pattern.compile(
            "java\\.|javax\\.|jakarta\\.|com\\.fasterxml|org\\.eclipse|(?i:jackson|jetty)|[A-Za-z]+Exception\\b|\\b(OutOfMemory|StackOverflow|Assertion|NoClassDefFound|Linkage|ExceptionInInitializer)Error\\b|\\tat |\\$[A-Z]");

    /**
     * The one rendering of an error: {@code {"error":{...}}}. A message that names library or Java
     * internals (a bug: every message should describe the input) is logged and replaced by the status's
     * generic message, so that nothing internal ever reaches a client.
     */
    static byte[] errorBody(int status, ArmError error) {
        return Json.write(Map.of("error", safe(status, error)));
    }

    /** The error as it may leave: its message replaced by the status's generic one if it names internals. */
    static ArmError safe(int status, ArmError error) {
        if (!INTERNALS.matcher(error.message()).find()) return error;
        LOG.atWarn().addKeyValue("code", error.code()).log("error message withheld from the client: {}", error.message());
        return new ArmError(error.code(), edgeError(status).message(), error.target(), List.of());
    }

    /** The error for a status the edge answers without a handler (Jetty's rejections among them). */
    static ArmError edgeError(int status) {
        ArmErrorCode code = switch (status) {
            case 404 -> ArmErrorCode.NotFound;
            case 405 -> ArmErrorCode.MethodNotAllowed;
            case 413 -> ArmErrorCode.RequestEntityTooLarge;
            case 414 -> ArmErrorCode.RequestUriTooLong;
            case 415 -> ArmErrorCode.UnsupportedMediaType;
            case 416 -> ArmErrorCode.RangeNotSatisfiable;
            case 431 -> ArmErrorCode.RequestHeaderFieldsTooLarge;
            case 501 -> ArmErrorCode.NotImplemented;
            case 503 -> ArmErrorCode.ServiceUnavailable;
            case 505 -> ArmErrorCode.HttpVersionNotSupported;
            default -> status >= 500 ? ArmErrorCode.InternalServerError : ArmErrorCode.InvalidRequestFormat;
        };
        String message = switch (status) {
            case 404 -> "No HTTP resource was found that matches the request URI.";
            case 405 -> "The requested resource does not support this HTTP method.";
            case 408 -> "The request was not received in time.";
            case 413 -> "The request body is larger than the server accepts.";
            case 414 -> "The request URI is longer than the server accepts (8 KB including the query).";
            case 415 -> "The content media type is not supported. Only 'application/json' is supported.";
            case 416 -> "The requested range is not satisfiable.";
            case 431 -> "The request headers are larger than the server accepts (8 KB in all, or one header too large).";
            case 501 -> "The request uses an HTTP feature the server does not implement.";
            case 503 -> "The service is unavailable; try again later.";
            case 505 -> "The HTTP version of the request is not supported; use HTTP/1.1.";
            default -> status >= 500 ? "The server encountered an internal error."
                    : "The request is not valid HTTP: its request line, headers or framing could not be parsed.";
        };
        return code.error(message);
    }

    /**
     * Renders Jetty's own rejections (a request line or headers it cannot parse, a URI or headers too
     * large, a failure before the router ran) in the ARM error shape, with a request id, instead of
     * Jetty's HTML page. Never echoes Jetty's reason phrase, which names Jetty internals.
     */
    static final class JettyErrorHandler extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
            if (status < 400) status = 500;
            String requestId = UUID.randomUUID().toString();
            response.setStatus(status);
            HttpFields.Mutable headers = response.getHeaders();
            headers.put("x-ms-request-id", requestId);
            headers.put("x-ms-correlation-request-id", requestId);
            headers.put("x-ms-failure-cause", status >= 500 ? "service" : "gateway");
            headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
            headers.put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            byte[] body = errorBody(status, edgeError(status));
            headers.put(HttpHeader.CONTENT_LENGTH, Long.toString(body.length));
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            String requestId = UUID.randomUUID().toString();
            fields.put("x-ms-request-id", requestId);
            fields.put("x-ms-correlation-request-id", requestId);
            fields.put("x-ms-failure-cause", "gateway");
            fields.put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
            return ByteBuffer.wrap(errorBody(status, edgeError(status)));
        }
    }

    /**
     * Answers a failed exchange: the ARM error body (RFC 6749's error shape on the OAuth2 token endpoints), unless a
     * response already left, which is only logged.
     */
    static void answer(JettyExchange ex, int status, ArmError error) {
        if (ex.sent()) {
            LOG.atWarn().addKeyValue("code", error.code()).log("error after the response was sent: {}", error.message());
            return;
        }
        if (isTokenEndpoint(ex.path())) {
            // OAuth clients read RFC 6749's error shape, whatever the edge refused (method, path, size)
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", status >= 500 ? "server_error" : status == 401 ? "invalid_client" : "invalid_request");
            body.put("error_description", safe(status, error).message());
            ex.setHeader("Cache-Control", "no-store");
            ex.json(status, body);
            return;
        }
        ex.setHeader("x-ms-failure-cause", status >= 500 ? "service" : "gateway");
        if (status == 503 && ex.responseHeader("Retry-After") == null) {
            ex.setHeader("Retry-After", Long.toString(RETRY_AFTER.toSeconds()));
        }
        if (!ex.bodyRead() && ex.hasBody()) {
            // refused before its body was read (a bad header, a refused upload): read what is left (bounded)
            // and close, so the client gets this answer instead of a reset, and never reuses a connection
            // the server is about to close (a client would send its next request into it)
            ex.drain();
        }
        ex.send(status, "application/json; charset=utf-8", errorBody(status, error));
    }

    /** Whether a path is one of the OAuth2 token endpoints ({@code /{tenant}/oauth2[/v2.0]/token}). */
    static boolean isTokenEndpoint(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.endsWith("/oauth2/token") || p.endsWith("/oauth2/v2.0/token");
    }

    /** Not-found for a path no route knows. */
    static ArmException notFound(String path) {
        return ArmErrorCode.NotFound.exception("No HTTP resource was found that matches the request URI '"
                + InputPolicy.quote(path) + "'.");
    }
}
