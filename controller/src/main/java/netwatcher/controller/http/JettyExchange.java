package netwatcher.controller.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import netwatcher.arm.ArmErrorCode;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Exchange} handlers see, over one Jetty request and its response: the query parsed once, the body
 * read at most once and within the edge's limit, one response sent. Not thread-safe: it belongs to the
 * (virtual) thread that serves the request.
 */
final class JettyExchange implements Exchange {
    /** The edge logs as one component, {@code HttpServer}, whichever of its classes speaks. */
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /** Oversized bodies up to this many bytes are read and discarded so that their 413 arrives. */
    static final long DRAIN_LIMIT = 64L << 20;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final long maxBodyBytes;
    private final PublicUrl publicUrl;
    private final Map<String, Object> attributes = new HashMap<>();
    private Map<String, List<String>> query;
    private boolean sent;
    private byte[] body;

    JettyExchange(Request request, Response response, Callback callback, HttpServer.Settings settings) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.maxBodyBytes = settings.maxBodyBytes();
        this.publicUrl = settings.publicUrl();
    }

    /** A header of the response as set so far, or null. */
    String responseHeader(String name) { return response.getHeaders().get(name); }

    /** The request target's path as sent, before any decoding (for {@link InputPolicy#checkRawPath}). */
    String rawPath() { return request.getHttpURI().getPath(); }

    /** The body's declared length: Content-Length, or -1 when unknown (chunked, or no body). */
    long declaredLength() { return request.getLength(); }

    /** Whether the request carries a body (declared by length or by chunked framing). */
    boolean hasBody() {
        return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    /** Whether a response has been sent. */
    boolean sent() { return sent; }

    /** Whether a handler read the body. */
    boolean bodyRead() { return body != null; }

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
        limit = Math.min(limit, maxBodyBytes);
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

    /**
     * Reads and discards an unread body (up to {@link #DRAIN_LIMIT}) and asks for the connection to be closed,
     * so that an error answered before the body was read reaches the client: closing a connection with unread
     * request bytes makes TCP reset it, and the client sees a broken connection instead of the answer. Larger
     * bodies get the connection closed without reading.
     */
    void drain() {
        setHeader("Connection", "close");
        if (request.getLength() > DRAIN_LIMIT) return;
        try (InputStream in = Content.Source.asInputStream(request)) {
            discard(in);
        } catch (IOException e) {
            // the client went away; the answer is sent anyway
        }
    }

    /** Reads and drops at most {@link #DRAIN_LIMIT} bytes of {@code in}. */
    private static void discard(InputStream in) throws IOException {
        long dropped = 0;
        byte[] sink = new byte[1 << 16];
        for (int n; dropped < DRAIN_LIMIT && (n = in.read(sink)) > 0; ) dropped += n;
    }

    @Override public InputStream bodyStream() { return Content.Source.asInputStream(request); }

    @Override public String baseUrl() {
        if (publicUrl != null) return publicUrl.value(); // a cluster's one name, whatever Host this request named
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
        response.write(true, ByteBuffer.wrap(b), callback);
    }

    @Override public void head(int status, long contentLength) {
        if (sent) throw new IllegalStateException("response already sent");
        sent = true;
        response.setStatus(status);
        response.getHeaders().put("Content-Length", Long.toString(contentLength));
        response.write(true, ByteBuffer.allocate(0), callback);
    }

    @Override public OutputStream stream(int status, String contentType, long contentLength) {
        if (sent) throw new IllegalStateException("response already sent");
        sent = true;
        response.setStatus(status);
        if (contentType != null) response.getHeaders().put("Content-Type", contentType);
        if (contentLength >= 0) response.getHeaders().put("Content-Length", Long.toString(contentLength));
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
}
