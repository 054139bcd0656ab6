package netwatcher.controller.compat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import netwatcher.controller.http.ServedTap;

/**
 * Keeps every request a controller served, in order, for assertions after a client ran. Thread-safe:
 * the controller serves on many threads; reads take a snapshot.
 */
final class Recorder implements ServedTap.Listener {
    private final List<ServedTap.Served> served = new ArrayList<>();

    @Override
    public synchronized void served(ServedTap.Served s) { served.add(s); }

    synchronized List<ServedTap.Served> all() { return List.copyOf(served); }

    List<ServedTap.Served> matching(String method, Predicate<String> path) {
        return all().stream().filter(s -> s.method().equals(method) && path.test(s.path())).toList();
    }

    synchronized void clear() { served.clear(); }

    /** One line per exchange except the agent protocol's, for failure messages. */
    String dump() {
        StringBuilder b = new StringBuilder();
        for (ServedTap.Served s : all()) {
            if (s.path().startsWith("/agent/")) continue;
            b.append(s.method()).append(' ').append(s.path()).append(s.query() == null ? "" : "?" + s.query())
                    .append(" -> ").append(s.status());
            s.headers().forEach((k, v) -> { if (!k.equals("x-ms-request-id")) b.append(' ').append(k).append('=').append(v); });
            b.append('\n');
        }
        return b.toString();
    }
}
