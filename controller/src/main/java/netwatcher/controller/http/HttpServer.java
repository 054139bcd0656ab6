package netwatcher.controller.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import netwatcher.arm.ApiVersion;
import netwatcher.arm.ArmError;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.model.agent.ProtocolVersion;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * The controller's HTTP(S) server: Jetty 12 on virtual threads, one handler that routes every
 * request through the pipeline its {@link Router.Kind} names. Thread-safe; start once, stop once.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final DateTimeFormatter RFC_1123 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** TLS material, or null for plain HTTP (loopback only). */
    public record Tls(KeyStore keyStore, char[] password) {}

    /** Settings of the edge. */
    public record Settings(long maxBodyBytes, Tls tls, PublicUrl publicUrl) {
        /** Without a public URL: each request's own {@code Host} makes the URLs it answers with. */
        public Settings(long maxBodyBytes, Tls tls) {
            this(maxBodyBytes, tls, null);
        }
    }

    /** Oversized bodies up to this many bytes are read and discarded so that their 413 arrives. */
    static final long DRAIN_LIMIT = 64L << 20;

    private static final String AGENT_BEARER = "Bearer " + ProtocolVersion.CREDENTIAL_PREFIX;

    /** Reads and drops at most {@link #DRAIN_LIMIT} bytes of {@code in}. */
    private static void discard(InputStream in) throws IOException {
        long dropped = 0;
        byte[] sink = new byte[1 << 16];
        for (int n; dropped < DRAIN_LIMIT && (n = in.read(sink)) > 0; ) dropped += n;
    }

    private final Server server;
    private final Router router;
    private final AccessControl access;
    private final AgentAuthenticator agents;
    private final Settings settings;
    private final Clock clock;

    /**
     * One request as served: what a recording test asserts on. {@code headers} holds the response
     * headers ARM clients act on (Location, Azure-AsyncOperation, Retry-After, x-ms-request-id), when set.
     */
    public record Served(String method, String path, String query, int status, Map<String, String> headers) {
        public String header(String name) { return headers.get(name); }
    }

    /** Observes every served request; called on the serving thread just before the response is written. Must not block. */
    public interface ServedListener {
        void served(Served served);
    }

    private static final List<String> RECORDED_HEADERS = List.of("Location", "Azure-AsyncOperation", "Retry-After", "x-ms-request-id");
    private final List<ServedListener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener (none by default: recording is off unless a test asks for it). */
    public void addServedListener(ServedListener listener) { listeners.add(listener); }

    /** Authenticates agent credentials for {@link Router.Kind#AGENT} routes. */
    public interface AgentAuthenticator {
        Caller authenticate(String authorizationHeader);
    }

    public HttpServer(Router router, AccessControl access, AgentAuthenticator agents, Settings settings, Clock clock) {
        this.router = router;
        this.access = access;
        this.agents = agents;
        this.settings = settings;
        this.clock = clock;
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("nw-http");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(pool);
        server.setHandler(new Dispatch());
        // Jetty's own rejections (unparsable request line or headers, 414, 431, ...) go through the
        // same ARM error shape as the router's
        server.setErrorHandler(new EdgeErrors.JettyErrorHandler());
        server.setStopTimeout(2000);
    }

    /** Adds a listener on {@code host:port} (port 0 = any free port) and returns the bound port. */
    public synchronized int listen(String host, int port) throws Exception {
        if (port != 0) {
            // listening again replaces the old listener: its address may have gone and come back (a lab
            // taken down and up again), which leaves the old socket bound but deaf
            for (var existing : server.getConnectors()) {
                if (existing instanceof ServerConnector sc && host.equals(sc.getHost()) && (sc.getPort() == port || sc.getLocalPort() == port)) {
                    sc.stop();
                    server.removeConnector(sc);
                }
            }
        }
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(true);
        // Jetty lets every URI through that it can parse at all; InputPolicy.checkRawPath then judges the raw
        // path, before any decoding or normalisation, so that one rule (and one error shape) decides for
        // every route kind. ARM accepts a leading empty segment (az CLI asks for "//metadata/endpoints"), which
        // that rule allows; dot segments, matrix parameters and encoded separators it refuses.
        config.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector;
        if (settings.tls() != null) {
            config.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(settings.tls().keyStore());
            ssl.setKeyStorePassword(new String(settings.tls().password()));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(config));
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        if (!server.isStarted()) {
            server.start();
            return connector.getLocalPort();
        }
        // a replaced listener's socket is released only once its acceptor thread has left accept()
        for (int attempt = 1; ; attempt++) {
            try {
                connector.start();
                return connector.getLocalPort();
            } catch (java.io.IOException bind) {
                if (attempt >= 30) {
                    server.removeConnector(connector);
                    throw bind;
                }
                Thread.sleep(100);
            }
        }
    }

    public boolean tls() { return settings.tls() != null; }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } catch (java.util.concurrent.TimeoutException longPollsCut) {
            // agents' long-polls (up to 30 s) outlive the graceful 2 s: Jetty stopped everything regardless
            // and only reports that the grace period ran out, which is expected and no failure
        }
    }

    private final class Dispatch extends org.eclipse.jetty.server.Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            JettyExchange ex = new JettyExchange(request, response, callback);
            String requestId = UUID.randomUUID().toString();
            ex.attributes().put("requestId", requestId);
            ex.setHeader("x-ms-request-id", requestId);
            String correlation = ex.header("x-ms-correlation-request-id");
            ex.setHeader("x-ms-correlation-request-id", correlation != null ? correlation : requestId);
            String clientRequestId = ex.header("x-ms-client-request-id");
            if (clientRequestId != null && clientRequestId.length() <= 200) ex.setHeader("x-ms-client-request-id", clientRequestId);
            MDC.put("request", requestId); // every event logged while this thread serves the request names it
            try {
                Set<String> allowed = new LinkedHashSet<>();
                String method = ex.method();
                InputPolicy.checkMethod(method);
                InputPolicy.checkRawPath(request.getHttpURI().getPath());
                Router.Match match = router.match("HEAD".equals(method) ? "GET" : method, ex.path(), allowed);
                if (match == null) {
                    if (!allowed.isEmpty()) {
                        ex.setHeader("Allow", String.join(", ", allowed));
                        throw ArmErrorCode.MethodNotAllowed.exception("The requested resource does not support http method '"
                                + InputPolicy.quote(method) + "'. Allowed: " + String.join(", ", allowed) + ".");
                    }
                    throw EdgeErrors.notFound(ex.path());
                }
                pipeline(match, ex);
                match.route().handler().handle(ex, match.vars());
                if (!ex.sent) throw new IllegalStateException("handler for " + match.route().pattern() + " sent no response");
            } catch (ArmException e) {
                refuse(ex, e);
            } catch (Throwable t) {
                ArmException fault = EdgeErrors.databaseFault(t); // a busy or unreachable database, a lost race: not a bug
                if (fault != null) {
                    refuse(ex, fault);
                    return true;
                }
                LOG.atError().addKeyValue("method", ex.method()).addKeyValue("path", ex.path()).addKeyValue("status", 500)
                        .setCause(t).log("request failed: internal error");
                fail(ex, 500, ArmErrorCode.InternalServerError.error(
                        "The server encountered an internal error. Request id: " + requestId + "."));
            } finally {
                MDC.remove("request");
            }
            return true;
        }

        private void refuse(JettyExchange ex, ArmException e) {
            // a refused request is the client's to fix (INFO); a 5xx answer is the server's (WARN); a 404 is
            // mostly a client asking whether something exists (SDKs do before a PUT): DEBUG
            LOG.atLevel(e.status() >= 500 ? Level.WARN : e.status() == 404 ? Level.DEBUG : Level.INFO)
                    .addKeyValue("method", ex.method()).addKeyValue("path", ex.path()).addKeyValue("status", e.status())
                    .addKeyValue("code", e.error().code()).log("request failed: {}", e.error().message());
            fail(ex, e.status(), e.error());
        }

        private void pipeline(Router.Match match, JettyExchange ex) {
            switch (match.route().kind()) {
                case PUBLIC -> { }
                case ARM_METADATA -> {
                    requireSingleApiVersion(ex);
                    ApiVersionCheck.requirePresent(ex.query("api-version"));
                }
                case ARM, ARM_DEFERRED_AUTHZ -> {
                    Caller caller = armCaller(ex.header("Authorization"));
                    if (caller.kind() == Caller.Kind.AGENT) {
                        throw ArmErrorCode.AuthorizationFailed.exception("Agent credentials may only be used on the agent protocol routes.");
                    }
                    ex.attributes().put("caller", caller);
                    requireSingleApiVersion(ex);
                    // Microsoft.Resources paths (/subscriptions, /tenants) take that provider's older versions.
                    ex.attributes().put("apiVersion", ApiVersion.require(ex.query("api-version"),
                            ex.path().contains("/providers/") ? ApiVersion.FIRST : ApiVersion.FIRST_RESOURCES));
                    checkBody(ex);
                    if (match.route().kind() == Router.Kind.ARM) access.authorize(caller, ex.method(), ex.path());
                }
                case ADMIN -> {
                    Caller caller = access.authenticate(ex.header("Authorization"));
                    if (!caller.admin()) {
                        throw ArmErrorCode.AuthorizationFailed.exception("Only the admin token may use the admin routes.");
                    }
                    ex.attributes().put("caller", caller);
                    checkBody(ex);
                }
                case AGENT -> {
                    ex.attributes().put("caller", agents.authenticate(ex.header("Authorization")));
                }
            }
        }

        /**
         * Authenticates an ARM caller. A valid agent credential is not a bad token but the wrong
         * one for these routes: 403, as the ARM pipeline promises, rather than 401.
         */
        private Caller armCaller(String header) {
            try {
                return access.authenticate(header);
            } catch (ArmException e) {
                if (e.code() == ArmErrorCode.AuthenticationFailed && header != null
                        && header.strip().regionMatches(true, 0, AGENT_BEARER, 0, AGENT_BEARER.length())) {
                    Caller agent;
                    try {
                        agent = agents.authenticate(header);
                    } catch (ArmException notAnAgent) {
                        throw e;
                    }
                    if (agent != null) {
                        throw ArmErrorCode.AuthorizationFailed.exception("Agent credentials may only be used on the agent protocol routes.");
                    }
                }
                throw e;
            }
        }

        private void checkBody(JettyExchange ex) {
            long length = ex.request.getLength();
            if (length > settings.maxBodyBytes()) {
                drain(ex, length);
                throw ArmErrorCode.RequestEntityTooLarge.exception("The request body is " + length
                        + " bytes; the limit is " + settings.maxBodyBytes() + " bytes.");
            }
            boolean hasBody = length > 0 || (length < 0 && ex.header("Transfer-Encoding") != null);
            if (hasBody) InputPolicy.checkJsonMediaType(ex.header("Content-Type"));
        }

        /** One api-version, not two that different readers of the query might pick differently. */
        private void requireSingleApiVersion(JettyExchange ex) {
            if (ex.queryAll("api-version").size() > 1) {
                throw ArmErrorCode.InvalidApiVersionParameter.exception(
                        "The api-version query parameter is given more than once; give it exactly once.", "api-version");
            }
        }

        /**
         * Reads and discards an oversized body (up to {@link #DRAIN_LIMIT}) so the 413 reaches the
         * client: closing a connection with unread request bytes makes TCP reset it, and the client
         * sees a broken connection instead of the answer. Larger bodies get the connection closed.
         */
        private void drain(JettyExchange ex, long length) {
            ex.setHeader("Connection", "close");
            if (length > DRAIN_LIMIT) return;
            try (InputStream in = Content.Source.asInputStream(ex.request)) {
                discard(in);
            } catch (IOException e) {
                // the client went away; the 413 is sent anyway
            }
        }

        private void fail(JettyExchange ex, int status, ArmError error) {
            if (ex.sent) {
                LOG.atWarn().addKeyValue("code", error.code()).log("error after the response was sent: {}", error.message());
                return;
            }
            if (isTokenEndpoint(ex.path())) {
                // OAuth clients read RFC 6749's error shape, whatever the edge refused (method, path, size)
                Map<String, Object> body = new java.util.LinkedHashMap<>();
                body.put("error", status >= 500 ? "server_error" : status == 401 ? "invalid_client" : "invalid_request");
                body.put("error_description", EdgeErrors.safe(status, error).message());
                ex.setHeader("Cache-Control", "no-store");
                ex.json(status, body);
                return;
            }
            ex.setHeader("x-ms-failure-cause", status >= 500 ? "service" : "gateway");
            if (status == 503 && ex.response.getHeaders().get("Retry-After") == null) {
                ex.setHeader("Retry-After", Long.toString(EdgeErrors.RETRY_AFTER.toSeconds()));
            }
            if (ex.body == null && hasBody(ex.request)) {
                // refused before its body was read (a bad header, a refused upload): read what is left (bounded)
                // and close, so the client gets this answer instead of a reset, and never reuses a connection
                // the server is about to close (a client would send its next request into it)
                drain(ex, ex.request.getLength());
            }
            ex.send(status, "application/json; charset=utf-8", EdgeErrors.errorBody(status, error));
        }

        private static boolean hasBody(Request request) {
            return request.getLength() > 0 || request.getHeaders().contains(org.eclipse.jetty.http.HttpHeader.TRANSFER_ENCODING);
        }
    }

    /** Whether a path is one of the OAuth2 token endpoints ({@code /{tenant}/oauth2[/v2.0]/token}). */
    static boolean isTokenEndpoint(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.endsWith("/oauth2/token") || p.endsWith("/oauth2/v2.0/token");
    }

    /** Tells the listeners about a response about to be written (before, so a client never sees it first). */
    private void record(Request request, Response response) {
        if (listeners.isEmpty()) return;
        Map<String, String> h = new java.util.LinkedHashMap<>();
        for (String name : RECORDED_HEADERS) {
            String v = response.getHeaders().get(name);
            if (v != null) h.put(name, v);
        }
        Served s = new Served(request.getMethod(), request.getHttpURI().getDecodedPath(), request.getHttpURI().getQuery(),
                response.getStatus(), Map.copyOf(h));
        for (ServedListener l : listeners) {
            try {
                l.served(s);
            } catch (RuntimeException e) {
                LOG.error("served listener failed", e); // listeners are the server's own code: a bug
            }
        }
    }

    /** api-version presence check for routes that accept any date (the metadata endpoint). */
    static final class ApiVersionCheck {
        static void requirePresent(String v) {
            if (v == null || v.isEmpty()) {
                throw ArmErrorCode.MissingApiVersionParameter.exception(
                        "The api-version query parameter (?api-version=) is required for all requests.", "api-version");
            }
            if (!v.matches("\\d{4}-\\d{2}-\\d{2}(-[a-zA-Z]+)?")) {
                throw ArmErrorCode.InvalidApiVersionParameter.exception("The api-version '" + ApiVersion.echo(v) + "' is invalid.", "api-version");
            }
        }
    }

    private final class JettyExchange implements Exchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final Map<String, Object> attributes = new HashMap<>();
        private Map<String, List<String>> query;
        private boolean sent;
        private byte[] body;

        JettyExchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        @Override public String method() { return request.getMethod(); }

        @Override public String path() {
            String p = request.getHttpURI().getDecodedPath();
            return p == null ? "/" : p.indexOf("//") >= 0 ? p.replaceAll("/{2,}", "/") : p;
        }

        @Override public String query(String name) {
            List<String> v = queryAll(name);
            return v.isEmpty() ? null : v.getFirst();
        }

        List<String> queryAll(String name) {
            if (query == null) query = parseQuery(request.getHttpURI().getQuery());
            return query.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        @Override public String header(String name) { return request.getHeaders().get(name); }

        @Override public byte[] body(long limit) {
            if (body != null) return body;
            limit = Math.min(limit, settings.maxBodyBytes());
            try (InputStream in = Content.Source.asInputStream(request)) {
                byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8L, limit + 1));
                if (b.length > limit) {
                    // read and drop the rest (bounded) so the 413 reaches the client instead of a reset
                    setHeader("Connection", "close");
                    discard(in);
                    throw ArmErrorCode.RequestEntityTooLarge.exception("The request body is larger than the limit of " + limit + " bytes.");
                }
                body = b;
                return b;
            } catch (IOException e) {
                // the cause names the transport's internals (chunking, idle timeout): keep it in the log
                LOG.debug("request body unreadable: {}", e.toString());
                throw ArmErrorCode.InvalidRequestFormat.exception("The request body could not be read completely.");
            }
        }

        @Override public InputStream bodyStream() { return Content.Source.asInputStream(request); }

        @Override public String baseUrl() {
            if (settings.publicUrl() != null) return settings.publicUrl().value();
            String host = request.getHeaders().get("Host");
            if (host == null) host = Request.getServerName(request) + ":" + Request.getServerPort(request);
            return (request.isSecure() ? "https://" : "http://") + host;
        }

        @Override public String remoteAddress() { return Request.getRemoteAddr(request); }

        @Override public Map<String, Object> attributes() { return attributes; }

        @Override public void setHeader(String name, String value) { response.getHeaders().put(name, value); }

        @Override public void send(int status, String contentType, byte[] bytes) {
            if (sent) throw new IllegalStateException("response already sent");
            sent = true;
            response.setStatus(status);
            if (contentType != null) response.getHeaders().put("Content-Type", contentType);
            byte[] b = bytes == null ? new byte[0] : bytes;
            response.getHeaders().put("Content-Length", Long.toString(b.length));
            if ("HEAD".equals(method())) b = new byte[0];
            record(request, response);
            response.write(true, ByteBuffer.wrap(b), callback);
        }

        @Override public void head(int status, long contentLength) {
            if (sent) throw new IllegalStateException("response already sent");
            sent = true;
            response.setStatus(status);
            response.getHeaders().put("Content-Length", Long.toString(contentLength));
            record(request, response);
            response.write(true, ByteBuffer.allocate(0), callback);
        }

        @Override public OutputStream stream(int status, String contentType, long contentLength) {
            if (sent) throw new IllegalStateException("response already sent");
            sent = true;
            response.setStatus(status);
            if (contentType != null) response.getHeaders().put("Content-Type", contentType);
            if (contentLength >= 0) response.getHeaders().put("Content-Length", Long.toString(contentLength));
            record(request, response);
            OutputStream out = Content.Sink.asOutputStream(response);
            return new OutputStream() {
                @Override public void write(int b) throws IOException { out.write(b); }
                @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
                @Override public void flush() throws IOException { out.flush(); }
                @Override public void close() throws IOException {
                    try {
                        out.close();
                        callback.succeeded();
                    } catch (IOException e) {
                        callback.failed(e);
                        throw e;
                    }
                }
            };
        }
    }

    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                k = URLDecoder.decode(k, StandardCharsets.UTF_8);
                v = URLDecoder.decode(v, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ArmErrorCode.InvalidRequestFormat.exception("The query string is not validly URL-encoded.");
            }
            out.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    /** RFC 1123 date of now, for headers. */
    public String httpDate() { return RFC_1123.format(clock.instant()); }
}
