package netwatcher.agent.live;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import netwatcher.model.agent.LiveOrder;

/**
 * The agent's live shippers, one per watched capture, started and stopped as the orders' {@code live} list
 * changes ({@link #apply}). Thread-safe.
 */
public final class LiveShippers implements AutoCloseable {
    /** A capture the agent runs, as a shipper needs it. */
    public record Target(Path capturePath, boolean ring, Capture capture) {}

    private final LiveShipper.Sender sender;
    private final Map<String, LiveShipper> shippers = new HashMap<>();

    /** Posts with {@code http}, each request made by {@code requests} (protocol header and credential). */
    public LiveShippers(java.net.http.HttpClient http, Function<URI, java.net.http.HttpRequest.Builder> requests) {
        this.sender = new LiveShipper.Sender(http, requests);
    }

    /** What a shipper needs of the capture it follows. */
    public interface Capture {
        /** Whether the capture still runs (false: the file is complete). */
        boolean running();

        /** Flush after every batch while watched. */
        void flushEachBatch(boolean on);
    }

    /**
     * Starts a shipper for each listed capture that runs here ({@code lookup} empty: not running, nothing to send)
     * and has no live shipper, and stops those no longer listed (or listed with another controller's URL).
     */
    public synchronized void apply(List<LiveOrder> orders, Function<String, Optional<Target>> lookup) {
        Map<String, LiveOrder> listed = new HashMap<>();
        for (LiveOrder o : orders) listed.put(o.key(), o);
        shippers.entrySet().removeIf(e -> {
            LiveOrder o = listed.get(e.getKey());
            if (o != null && o.url().equals(e.getValue().url().toString())) return false;
            e.getValue().stop();
            return true;
        });
        for (LiveOrder o : listed.values()) {
            LiveShipper s = shippers.get(o.key());
            if (s != null && s.alive()) continue;
            Optional<Target> t = lookup.apply(o.key());
            if (t.isEmpty()) continue;
            LiveShipper started = new LiveShipper(o.key(), URI.create(o.url()), new LiveTail(t.get().capturePath(), t.get().ring()),
                    t.get().capture(), sender);
            shippers.put(o.key(), started);
            started.start();
        }
    }

    @Override
    public synchronized void close() {
        for (LiveShipper s : shippers.values()) s.stop();
        shippers.clear();
    }
}
