package netwatcher.controller.http;

import java.security.KeyStore;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The controller's HTTP(S) server and its listeners: Jetty 12 on virtual threads, one connector per
 * address (TLS 1.2/1.3 unless plain HTTP was asked for), every request handed to the {@link Dispatcher}.
 * Thread-safe; start once, stop once.
 */
public final class HttpServer implements AutoCloseable {
    /** The listen backlog asked of the kernel for each listener (clamped to {@code net.core.somaxconn}). */
    static final int ACCEPT_QUEUE = 4096;

    /** TLS material, or null for plain HTTP (loopback only). */
    public record Tls(KeyStore keyStore, char[] password) {}

    /**
     * Settings of the edge.
     *
     * @param maxHandshakes TLS handshakes one listener runs at once ({@link HandshakeLimit}); more are closed unanswered
     */
    public record Settings(long maxBodyBytes, Tls tls, PublicUrl publicUrl, int maxHandshakes) {
        /** With the default bound on handshakes. */
        public Settings(long maxBodyBytes, Tls tls, PublicUrl publicUrl) {
            this(maxBodyBytes, tls, publicUrl, HandshakeLimit.DEFAULT_MAX);
        }

        /** Without a public URL: each request's own {@code Host} makes the URLs it answers with. */
        public Settings(long maxBodyBytes, Tls tls) {
            this(maxBodyBytes, tls, null);
        }
    }

    private final Server server;
    /** Jetty's handler in front of the dispatcher; dynamic, so that a handler can be inserted while serving. */
    private final org.eclipse.jetty.server.Handler.Wrapper front;
    private final Settings settings;
    private final Dispatcher dispatcher;
    /** Every TLS listener's bound on handshakes, for tests. */
    private final java.util.List<HandshakeLimit> handshakeLimits = new java.util.concurrent.CopyOnWriteArrayList<>();

    public HttpServer(Router router, AccessControl access, AgentAuthenticator agents, Settings settings) {
        this.settings = settings;
        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("nw-http");
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(pool);
        this.dispatcher = new Dispatcher(router, new ArmPipeline(access, agents, settings.maxBodyBytes()), settings);
        this.front = new org.eclipse.jetty.server.Handler.Wrapper(true, dispatcher);
        server.setHandler(front);
        // Jetty's own rejections (unparsable request line or headers, 414, 431, ...) go through the
        // same ARM error shape as the router's
        server.setErrorHandler(new EdgeErrors.JettyErrorHandler());
        server.setStopTimeout(2000);
    }

    /**
     * Puts {@code handler} in front of the dispatcher, also while serving: the seam through which a test
     * records every response before it leaves. Package-private: nothing in the controller uses it.
     */
    void insertHandler(org.eclipse.jetty.server.Handler.Wrapper handler) {
        front.insertHandler(handler);
    }

    /** Lets requests authenticate with a browser session cookie (the web console) where they carry no Authorization header. */
    public void browserSessions(BrowserSessions sessions) {
        dispatcher.sessions(sessions);
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
        // No per-connection header cache: Jetty's default (1,024) gives every connection a 96 KiB trie (char[49152] and
        // its nodes) at its first request and keeps it as long as the connection lives. A controller's connections are
        // mostly agents' long-polls, idle between one request every 15 s: at 3,333 agents the tries were 330 MiB of a
        // 1 GiB heap, and the collections they caused were the API's latency tail (BENCHMARKS.md §11).
        config.setHeaderCacheSize(0);
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
            SslConnectionFactory tlsFactory = new SslConnectionFactory(ssl, "http/1.1");
            HandshakeLimit limit = new HandshakeLimit(settings.maxHandshakes(), HandshakeLimit.DEFAULT_DEADLINE, System::nanoTime);
            tlsFactory.addEventListener(limit);
            tlsFactory.addBean(limit);
            handshakeLimits.add(limit);
            connector = new ServerConnector(server, 1, 1, tlsFactory, new HttpConnectionFactory(config));
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        }
        connector.setHost(host);
        connector.setPort(port);
        // the kernel's queue of connections not yet accepted: Jetty's default (0) leaves the JDK's 50, which a fleet
        // reconnecting at once overflows (BENCHMARKS.md §11: 18,519 SYNs dropped in one storm, each costing its agent
        // a 1-3 s retransmission and often its connect time-out); the kernel clamps it to net.core.somaxconn
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
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

    /** The TLS listeners' bounds on handshakes, in the order they were added. */
    java.util.List<HandshakeLimit> handshakeLimits() { return handshakeLimits; }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } catch (java.util.concurrent.TimeoutException longPollsCut) {
            // agents' long-polls (up to 30 s) outlive the graceful 2 s: Jetty stopped everything regardless
            // and only reports that the grace period ran out, which is expected and no failure
        }
    }
}
