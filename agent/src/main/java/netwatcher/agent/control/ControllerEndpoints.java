package netwatcher.agent.control;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The controller URLs an agent may talk to ({@code controller-url}: one balanced name, or a list of
 * controllers) and the one it uses now. Every call goes to {@link #current()}; a call that found the
 * controller gone (unreachable, or 502/503/504) reports {@link #failed(URI)} and the next call goes to the
 * next URL, round the list, so an agent whose controller dies moves on at its next attempt (after the
 * caller's backoff) instead of waiting for that one to come back. With one URL nothing rotates: the
 * balancer behind it does the choosing.
 *
 * <p>A controller that answers "busy, come back" (503 with {@code Retry-After}) is kept for one such answer and
 * left at the second in a row ({@link #busy(URI)}).
 *
 * <p>Rotation is by the URL that failed, not by a count of failures: several threads (orders, reports,
 * host registration) failing against the same dead controller at once move the agent one step, not one
 * step each, so none of them skips a live controller. Thread-safe.
 */
public final class ControllerEndpoints {
    private final List<URI> urls;
    private final AtomicInteger current = new AtomicInteger();
    /** Consecutive "busy, come back" answers (503 with Retry-After) from the current URL. */
    private final AtomicInteger busyInARow = new AtomicInteger();

    /**
     * @param urls at least one base URL ({@code https://host:port}), in the order to try them
     */
    public ControllerEndpoints(List<URI> urls) {
        if (urls == null || urls.isEmpty()) throw new IllegalArgumentException("at least one controller URL is needed");
        this.urls = List.copyOf(urls);
    }

    /** One URL: nothing to rotate. */
    public static ControllerEndpoints of(URI url) { return new ControllerEndpoints(List.of(url)); }

    /** The URL calls use now. */
    public URI current() { return urls.get(current.get()); }

    /** Every configured URL, in order. */
    public List<URI> all() { return urls; }

    /**
     * The controller at {@code url} failed: move to the next URL if {@code url} is still the current one
     * (another thread may have moved already).
     *
     * @return true when this call moved to another URL
     */
    public boolean failed(URI url) {
        if (urls.size() == 1) return false;
        int at = current.get();
        if (!urls.get(at).equals(url)) return false;
        busyInARow.set(0);
        return current.compareAndSet(at, (at + 1) % urls.size());
    }

    /**
     * The controller at {@code url} answered "busy, come back" (503 with {@code Retry-After}): the first such
     * answer keeps it (it is there, and another controller of the same database is likely as busy; moving costs
     * a new TLS handshake there, which in the 10,000-agent storm turned each 503 into one more handshake for the
     * other controllers, BENCHMARKS.md §11), the second in a row moves on as {@link #failed(URI)} does (a
     * controller that stays busy, say one that lost its database, is left).
     *
     * @return true when this call moved to another URL
     */
    public boolean busy(URI url) {
        if (urls.size() == 1 || !current().equals(url)) return false;
        if (busyInARow.incrementAndGet() < 2) return false;
        return failed(url);
    }

    /** The controller at {@code url} answered a call: a later "busy" counts from one again. */
    public void answered(URI url) {
        if (current().equals(url)) busyInARow.set(0);
    }
}
