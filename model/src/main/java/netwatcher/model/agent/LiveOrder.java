package netwatcher.model.agent;

import java.util.Objects;

/**
 * Someone watches capture {@code key} live ({@code GET .../packetCaptures/{name}/stream}): while this order is
 * listed, the agent sends the newly flushed bytes of the capture's file(s) to {@code url}
 * ({@code POST {url}?file=NAME&offset=N}, docs/agent-protocol.md "Live stream"), and stops when it is no longer
 * listed or the controller answers that nobody watches.
 *
 * @param key the capture's key (one of the agent's own captures)
 * @param url where to send the bytes: the watcher's controller, {@code .../agent/v1/captures/{key}/live}
 */
public record LiveOrder(String key, String url) {
    public LiveOrder {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(url, "url");
    }
}
