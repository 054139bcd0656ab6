package netwatcher.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange on the calling thread, over {@link HttpURLConnection} (kept-alive connections
 * are reused between calls). The CLI's transport: {@code java.net.http.HttpClient} hands every
 * exchange between a selector thread and an executor and spins up its asynchronous machinery on the
 * first call, which cost a routine {@code nw} call about 170 ms more CPU and, on a busy 2-CPU
 * machine, more wall time still (BENCHMARKS.md §6). Failures keep the exception types {@link Hints} reads: a
 * timeout becomes an {@link HttpTimeoutException} (or {@link HttpConnectTimeoutException}) with the
 * socket's exception as its cause. Its TLS sockets offer the key shares that cost a JVM that lives for one call least
 * ({@link CheapKeyShares}). Thread-safe (no state beyond the immutable socket factory).
 */
final class HttpTransport {
    /** An answer: status, headers, and the body as text or as a stream the caller closes. */
    record Answer(int status, HttpHeaders headers, String body, InputStream stream) {}

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    static {
        // Every HttpsURLConnection starts from the default socket factory, and the JDK's default loads
        // and parses the whole system trust store (about 30 ms of a call's CPU) only to be replaced by
        // ours a line later. This default loads nothing until a connection actually uses it.
        HttpsURLConnection.setDefaultSSLSocketFactory(new CheapKeyShares(null));
    }
    private final SSLSocketFactory tls;

    /** @param context the TLS context to trust, or null for the JDK's default trust store */
    HttpTransport(SSLContext context) {
        this.tls = new CheapKeyShares(context);
    }

    /** Sends {@code method url} with {@code headers} and {@code body} (null: none) and reads the whole answer as text. */
    Answer send(String method, String url, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
        HttpURLConnection c = open(method, url, headers, body, timeout);
        try (InputStream in = stream(c)) {
            String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Answer(c.getResponseCode(), headers(c), text, null);
        } catch (SocketTimeoutException e) {
            throw timeout(url, e);
        }
    }

    /** A GET whose body stays a stream (for downloads); the caller closes {@link Answer#stream()}. */
    Answer stream(String url, Map<String, String> headers, Duration timeout) throws IOException {
        HttpURLConnection c = open("GET", url, headers, null, timeout);
        try {
            InputStream in = stream(c);
            return new Answer(c.getResponseCode(), headers(c), null, in == null ? InputStream.nullInputStream() : in);
        } catch (SocketTimeoutException e) {
            throw timeout(url, e);
        }
    }

    private HttpURLConnection open(String method, String url, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        if (c instanceof HttpsURLConnection https) https.setSSLSocketFactory(tls);
        c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        c.setInstanceFollowRedirects(true);
        c.setUseCaches(false);
        c.setRequestMethod(method);
        headers.forEach(c::setRequestProperty);
        boolean sends = body != null || method.equals("POST") || method.equals("PUT");
        try {
            if (sends) {
                byte[] bytes = body == null ? new byte[0] : body;
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(bytes.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            c.getResponseCode(); // connects, sends, reads the status line and headers
        } catch (SocketTimeoutException e) {
            throw timeout(url, e);
        }
        return c;
    }

    /** The body stream: the error stream for 4xx/5xx, else the input stream; null when there is none. */
    private static InputStream stream(HttpURLConnection c) throws IOException {
        return c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
    }

    private static HttpHeaders headers(HttpURLConnection c) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        c.getHeaderFields().forEach((name, values) -> {
            if (name != null) all.put(name, values); // the null key is the status line
        });
        return HttpHeaders.of(all, (name, value) -> true);
    }

    private static HttpTimeoutException timeout(String url, SocketTimeoutException e) {
        String message = e.getMessage() == null ? "timed out" : e.getMessage();
        HttpTimeoutException t = message.toLowerCase(Locale.ROOT).contains("connect")
                ? new HttpConnectTimeoutException(message + " (" + url + ")") : new HttpTimeoutException(message + " (" + url + ")");
        t.initCause(e);
        return t;
    }
}
