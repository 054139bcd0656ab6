package netwatcher.controller.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;

/**
 * A bound on the TLS handshakes one listener runs at once: a connection opened while {@link #max()} handshakes
 * are unfinished is closed before it reads the client's hello, so it costs the controller an accept and a
 * close instead of a key exchange and a signature. Measured (BENCHMARKS.md §11): after a controller of three
 * was killed holding 3,334 agents, they all connected to the two survivors at once; the agents saw 24,121
 * connect time-outs (TCP connect and handshake together) and made each attempt again, handshake and all, while
 * half the survivors' samples were EC arithmetic, and the fleet did not settle in 90 s. With the bound, the
 * handshakes a controller starts are few enough to finish while their clients wait, and a refused agent sees
 * its connection closed at once and comes back after its backoff (its jitter spreads the retries); in the
 * same storm the survivors' EC samples per agent moved fell from 2.4 to 0.09.
 *
 * <p>A handshake counts from the connection's open until it succeeds, fails or the connection closes. One
 * that has not finished within {@link #DEFAULT_DEADLINE} (longer than any agent's connect time-out: its client
 * has given up) no longer counts, and the next connection that finds the bound reached closes it, so connections
 * that never send a hello hold a place for at most that long.
 * Thread-safe: Jetty calls it from its selector and pool threads.
 */
final class HandshakeLimit implements Connection.Listener, SslHandshakeListener {
    /** The default bound: a few times what two CPUs finish in a connect time-out's fraction, far above normal use. */
    static final int DEFAULT_MAX = 64;

    /** How long a handshake may hold its place: the agent's connect time-out (10 s) and more. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(15);

    /** A handshake running: its connection and when it opened ({@link #nanoTime}). */
    private record Pending(SslConnection connection, long openedNanos) {}

    private final int max;
    private final long deadlineNanos;
    private final LongSupplier nanoTime;
    private final Map<SSLEngine, Pending> handshaking = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param max      handshakes at once
     * @param deadline how long one may hold its place
     * @param nanoTime the monotonic clock ({@code System::nanoTime}; tests step their own)
     */
    HandshakeLimit(int max, Duration deadline, LongSupplier nanoTime) {
        if (max < 1) throw new IllegalArgumentException("handshake limit must be at least 1, got " + max);
        this.max = max;
        this.deadlineNanos = deadline.toNanos();
        this.nanoTime = nanoTime;
    }

    int max() { return max; }

    /** Connections closed unanswered because {@link #max()} handshakes were running. */
    long refused() { return refused.get(); }

    /** Handshakes running now. */
    int running() { return handshaking.size(); }

    @Override
    public void onOpened(Connection connection) {
        if (!(connection instanceof SslConnection ssl)) return;
        // size() then add() may let a few more in when connections open at the same instant on several
        // threads: the bound is a load shedder, not an exact count
        long now = nanoTime.getAsLong();
        if (handshaking.size() >= max) {
            // places held past the deadline: their clients gave up; close them and take the place
            handshaking.values().removeIf(p -> {
                if (now - p.openedNanos() < deadlineNanos) return false;
                p.connection().getEndPoint().close();
                return true;
            });
        }
        if (handshaking.size() >= max) {
            refused.incrementAndGet();
            ssl.getEndPoint().close();
            return;
        }
        handshaking.put(ssl.getSSLEngine(), new Pending(ssl, now));
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof SslConnection ssl) handshaking.remove(ssl.getSSLEngine());
    }

    @Override
    public void handshakeSucceeded(Event event) {
        handshaking.remove(event.getSSLEngine());
    }

    @Override
    public void handshakeFailed(Event event, Throwable failure) {
        handshaking.remove(event.getSSLEngine());
    }
}
