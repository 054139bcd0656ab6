package netwatcher.bench;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.TrustManagerFactory;

/**
 * CPU per TLS handshake, client and server side apart, for one server key: both {@link SSLEngine}s in one thread
 * in memory (no sockets, no scheduling), each side's calls timed with the thread's CPU clock. Arguments:
 * {@code <PKCS12 keystore, password changeit> [handshakes=300] [resume]}; {@code resume} lets the client offer
 * the server's TLS 1.3 ticket (one client context, the same peer each time). A warm-up round, then the
 * measured one. {@code bench/tls-handshake.sh} makes the P-384, P-256 and RSA-2048 keystores and runs all.
 */
public final class TlsHandshakeBench {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static long clientNanos;
    private static long serverNanos;

    private TlsHandshakeBench() {}

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        boolean resume = args.length > 2 && args[2].equals("resume");
        char[] password = "changeit".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(keys, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(keys);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        for (String round : new String[] {"warm-up", "measured"}) {
            clientNanos = 0;
            serverNanos = 0;
            String suite = null;
            for (int i = 0; i < n; i++) {
                SSLEngine c = resume ? client.createSSLEngine("peer", 1) : client.createSSLEngine();
                c.setUseClientMode(true);
                SSLEngine s = server.createSSLEngine();
                s.setUseClientMode(false);
                suite = handshake(c, s);
            }
            System.out.printf(Locale.ROOT, "%s %s: client %.2f ms, server %.2f ms CPU per handshake (%s; %s, %d handshakes)%n",
                    store.getFileName(), resume ? "resumed" : "full", clientNanos / 1e6 / n, serverNanos / 1e6 / n, suite, round, n);
        }
    }

    private static String handshake(SSLEngine c, SSLEngine s) throws Exception {
        ByteBuffer toServer = ByteBuffer.allocate(1 << 16), toClient = ByteBuffer.allocate(1 << 16);
        ByteBuffer app = ByteBuffer.allocate(1 << 16), empty = ByteBuffer.allocate(0);
        c.beginHandshake();
        s.beginHandshake();
        for (int i = 0; i < 100; i++) {
            long t0 = MX.getCurrentThreadCpuTime();
            boolean clientIdle = step(c, empty, toServer, toClient, app);
            long t1 = MX.getCurrentThreadCpuTime();
            boolean serverIdle = step(s, empty, toClient, toServer, app);
            serverNanos += MX.getCurrentThreadCpuTime() - t1;
            clientNanos += t1 - t0;
            if (clientIdle && serverIdle) break;
        }
        return c.getSession().getProtocol() + " " + c.getSession().getCipherSuite();
    }

    /** One step of one side; true when it has nothing left to do. */
    private static boolean step(SSLEngine e, ByteBuffer src, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws Exception {
        switch (e.getHandshakeStatus()) {
            case NEED_WRAP -> e.wrap(src, out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                e.unwrap(in, app);
                in.compact();
            }
            case NEED_TASK -> {
                for (Runnable r; (r = e.getDelegatedTask()) != null; ) r.run();
            }
            default -> {
                if (in.position() == 0) return true;
                in.flip();
                SSLEngineResult ignored = e.unwrap(in, app); // a TLS 1.3 ticket after the handshake
                in.compact();
            }
        }
        return false;
    }
}
