package netwatcher.controller.http;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * The Jetty handler of every request: gives it its ids, judges method and raw path ({@link InputPolicy}),
 * routes it, runs the {@link ArmPipeline} of the route's kind and the route's handler, and answers every
 * failure through {@link EdgeErrors}, logged once. Thread-safe: each request is served on its own thread
 * with its own {@link JettyExchange}.
 */
final class Dispatcher extends org.eclipse.jetty.server.Handler.Abstract {
    /** The edge logs as one component, {@code HttpServer}, whichever of its classes speaks. */
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final Router router;
    private final ArmPipeline pipeline;
    private final HttpServer.Settings settings;
    /** The web console's sessions, once registered; null before. */
    private volatile BrowserSessions sessions;

    Dispatcher(Router router, ArmPipeline pipeline, HttpServer.Settings settings) {
        this.router = router;
        this.pipeline = pipeline;
        this.settings = settings;
    }

    void sessions(BrowserSessions sessions) { this.sessions = sessions; }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        JettyExchange ex = new JettyExchange(request, response, callback, settings);
        String requestId = UUID.randomUUID().toString();
        ex.attributes().put("requestId", requestId);
        ex.setHeader("x-ms-request-id", requestId);
        String correlation = ex.header("x-ms-correlation-request-id");
        ex.setHeader("x-ms-correlation-request-id", correlation != null ? correlation : requestId);
        String clientRequestId = ex.header("x-ms-client-request-id");
        if (clientRequestId != null && clientRequestId.length() <= 200) ex.setHeader("x-ms-client-request-id", clientRequestId);
        BrowserSessions browser = sessions;
        if (browser != null) ex.attributes().put(BrowserSessions.class.getName(), browser);
        MDC.put("request", requestId); // every event logged while this thread serves the request names it
        try {
            Set<String> allowed = new LinkedHashSet<>();
            String method = ex.method();
            InputPolicy.checkMethod(method);
            InputPolicy.checkRawPath(ex.rawPath());
            Router.Match match = router.match("HEAD".equals(method) ? "GET" : method, ex.path(), allowed);
            if (match == null) {
                if (!allowed.isEmpty()) {
                    ex.setHeader("Allow", String.join(", ", allowed));
                    throw ArmErrorCode.MethodNotAllowed.exception("The requested resource does not support http method '"
                            + InputPolicy.quote(method) + "'. Allowed: " + String.join(", ", allowed) + ".");
                }
                throw EdgeErrors.notFound(ex.path());
            }
            pipeline.admit(match.route().kind(), ex);
            match.route().handler().handle(ex, match.vars());
            if (!ex.sent()) throw new IllegalStateException("handler for " + match.route().pattern() + " sent no response");
        } catch (ArmException e) {
            refuse(ex, e);
        } catch (Throwable t) {
            ArmException fault = EdgeErrors.databaseFault(t); // a busy or unreachable database, a lost race: not a bug
            if (fault == null) fault = EdgeErrors.clientGone(t); // a client that hung up mid-body (an agent killed mid-upload)
            if (fault != null) {
                refuse(ex, fault);
                return true;
            }
            LOG.atError().addKeyValue("method", ex.method()).addKeyValue("path", ex.path()).addKeyValue("status", 500)
                    .setCause(t).log("request failed: internal error");
            EdgeErrors.answer(ex, 500, ArmErrorCode.InternalServerError.error(
                    "The server encountered an internal error. Request id: " + requestId + "."));
        } finally {
            MDC.remove("request");
        }
        return true;
    }

    private static void refuse(JettyExchange ex, ArmException e) {
        // a refused request is the client's to fix (INFO); a 5xx answer is the server's (WARN); a 404 is
        // mostly a client asking whether something exists (SDKs do before a PUT): DEBUG
        LOG.atLevel(e.status() >= 500 ? Level.WARN : e.status() == 404 ? Level.DEBUG : Level.INFO)
                .addKeyValue("method", ex.method()).addKeyValue("path", ex.path()).addKeyValue("status", e.status())
                .addKeyValue("code", e.error().code()).log("request failed: {}", e.error().message());
        EdgeErrors.answer(ex, e.status(), e.error());
    }
}
