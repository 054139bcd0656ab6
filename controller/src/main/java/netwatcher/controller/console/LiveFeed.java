package netwatcher.controller.console;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import netwatcher.arm.Json;

/**
 * Capture changes for the console's event streams: fed by the capture feature's change notices (one per agent
 * report recorded, the notices that also wake requests waiting on an agent), each change is read once per
 * subscriber as the row that subscriber may see, and queued as a server-sent event's data. The work runs on a
 * virtual thread that exists only while changes wait, never on the agent's reporting thread. Thread-safe.
 */
final class LiveFeed {
    /** Events a slow subscriber may have waiting before the oldest are dropped (the next report brings the state anyway). */
    static final int BACKLOG = 1000;

    /** One open event stream: its caller's permissions and its queue of event data. */
    static final class Subscriber {
        /** Used only by the feed's worker thread (one at a time). */
        private final ReadScopes scopes;
        private final BlockingQueue<String> events = new ArrayBlockingQueue<>(BACKLOG);

        Subscriber(ReadScopes scopes) {
            this.scopes = scopes;
        }

        BlockingQueue<String> events() { return events; }

        private void offer(String event) {
            while (!events.offer(event)) events.poll();
        }
    }

    /** One event's data: the row, and when the controller sent it (after the row's {@code reportedAt}). */
    record Event(CaptureTable.CaptureRow capture, Instant publishedAt) {}

    private final CaptureTable table;
    private final Clock clock;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean working = new AtomicBoolean();

    LiveFeed(CaptureTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    Subscriber subscribe(ReadScopes scopes) {
        Subscriber s = new Subscriber(scopes);
        subscribers.add(s);
        return s;
    }

    void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    /** The capture feature's change notice for capture {@code key}. */
    void changed(String key) {
        if (subscribers.isEmpty()) return;
        pending.add(key);
        if (working.compareAndSet(false, true)) Thread.ofVirtual().name("nw-console-feed").start(this::drain);
    }

    private void drain() {
        while (true) {
            for (String key : pending.toArray(String[]::new)) {
                pending.remove(key);
                for (Subscriber s : subscribers) {
                    try {
                        table.find(key, s.scopes).ifPresent(row -> s.offer(Json.writeString(new Event(row, clock.instant()))));
                    } catch (RuntimeException e) {
                        // a busy database: the next report of this capture brings its state again
                    }
                }
            }
            working.set(false);
            if (pending.isEmpty() || !working.compareAndSet(false, true)) return;
        }
    }

    /** Subscribers now (for tests and diagnostics). */
    int subscribers() { return subscribers.size(); }

}
