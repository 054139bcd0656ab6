package netwatcher.testing.bidi;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A WebDriver BiDi connection over {@code java.net.http.WebSocket}: each command gets the next id and a future that
 * its answer completes; {@link #call} waits for it at most the client's timeout. Events go to every listener, on the
 * WebSocket's thread (listeners must be quick and must not call back into the client). When the connection closes
 * or fails, every pending command fails at once with the reason.
 *
 * <p>Thread-safe: commands may be sent from any thread (frames are sent one at a time).
 */
public final class BidiClient implements AutoCloseable {
    private final WebSocket socket;
    /** The HTTP client that opened the socket (its selector thread ends with it); null for a socket given by a test. */
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong ids = new AtomicLong();
    /** Commands sent and not answered yet, by id. */
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<BidiFrames.Event>> listeners = new CopyOnWriteArrayList<>();
    /** Guards sending: the WebSocket takes one frame at a time. */
    private final Object sendLock = new Object();
    /** Why the connection ended; null while it is open. */
    private volatile String closedBecause;

    private BidiClient(WebSocket socket, HttpClient http, Duration timeout, Receiver receiver) {
        this.socket = socket;
        this.http = http;
        this.timeout = timeout;
        receiver.client = this;
    }

    /**
     * Connects to a BiDi endpoint ({@code ws://127.0.0.1:PORT/session}); each command waits at most {@code timeout}.
     *
     * @throws BidiException when the connection cannot be opened within the timeout
     */
    public static BidiClient connect(URI endpoint, Duration timeout) {
        Receiver receiver = new Receiver();
        HttpClient http = HttpClient.newHttpClient();
        try {
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(timeout)
                    .buildAsync(endpoint, receiver).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new BidiClient(socket, http, timeout, receiver);
        } catch (ExecutionException | TimeoutException e) {
            http.shutdownNow();
            throw new BidiException("connection closed", "no WebSocket to " + endpoint + ": " + e, e);
        } catch (InterruptedException e) {
            http.shutdownNow();
            Thread.currentThread().interrupt();
            throw new BidiException("connection closed", "interrupted connecting to " + endpoint, e);
        }
    }

    /** A client over an open socket whose frames the caller delivers to {@link #dispatch} (the unit tests' fake). */
    static BidiClient over(WebSocket socket, Duration timeout) {
        return new BidiClient(socket, null, timeout, new Receiver());
    }

    /** Adds a listener for the events the session subscribed to. */
    public void onEvent(Consumer<BidiFrames.Event> listener) {
        listeners.add(listener);
    }

    /**
     * Sends a command and waits for its result.
     *
     * @throws BidiException with the browser's error, on timeout (naming the command and its id), or when the
     *                       connection is gone
     */
    public JsonNode call(String method, JsonNode params) {
        CompletableFuture<JsonNode> answer = send(method, params);
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BidiException("timeout", method + ": no answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BidiException bidi) throw new BidiException(bidi.error(), method + ": " + bidi.getMessage(), bidi);
            throw new BidiException("unknown error", method + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BidiException("timeout", method + ": interrupted", e);
        }
    }

    /** Sends a command; the future completes with its result or fails with a {@link BidiException}. */
    public CompletableFuture<JsonNode> send(String method, JsonNode params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        String reason = closedBecause;
        if (reason != null) {
            answer.completeExceptionally(new BidiException("connection closed", "the connection is closed: " + reason));
            return answer;
        }
        pending.put(id, answer);
        String frame = BidiFrames.command(id, method, params);
        try {
            synchronized (sendLock) {
                socket.sendText(frame, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            pending.remove(id);
            answer.completeExceptionally(new BidiException("connection closed", "could not send command " + id + ": " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(id);
            answer.completeExceptionally(new BidiException("timeout", "interrupted sending command " + id, e));
        }
        return answer;
    }

    /** Commands sent and not answered yet (for diagnostics and tests). */
    public int pendingCommands() {
        return pending.size();
    }

    /** Closes the connection (normal closure) and fails what is still pending. */
    @Override
    public void close() {
        try {
            if (!socket.isOutputClosed()) socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the browser is gone already: nothing to close politely
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            socket.abort();
            closed("closed by the client");
            if (http != null) http.shutdownNow();
        }
    }

    /** Routes one decoded frame: an answer to its future, an event to the listeners. */
    void dispatch(BidiFrames.Incoming incoming) {
        switch (incoming) {
            case BidiFrames.Success success -> {
                CompletableFuture<JsonNode> answer = pending.remove(success.id());
                if (answer != null) answer.complete(success.result());
            }
            case BidiFrames.Failure failure -> {
                BidiException error = new BidiException(failure.error(), failure.error() + ": " + failure.message());
                if (failure.id() == null) {
                    closed("the browser could not read a frame: " + error.getMessage());
                    return;
                }
                CompletableFuture<JsonNode> answer = pending.remove(failure.id());
                if (answer != null) answer.completeExceptionally(error);
            }
            case BidiFrames.Event event -> listeners.forEach(listener -> listener.accept(event));
        }
    }

    void closed(String reason) {
        if (closedBecause == null) closedBecause = reason;
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<JsonNode> answer = pending.remove(id);
            if (answer != null) answer.completeExceptionally(new BidiException("connection closed", "command " + id + " unanswered: " + reason));
        }
    }

    /** Collects a message's fragments and hands complete frames to the client. */
    private static final class Receiver implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile BidiClient client;

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                BidiClient target = client;
                if (target != null) {
                    try {
                        target.dispatch(BidiFrames.parse(frame));
                    } catch (IllegalArgumentException unreadable) {
                        target.closed("an unreadable frame from the browser: " + unreadable.getMessage());
                    }
                }
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            BidiClient target = client;
            if (target != null) target.closed("the browser closed the connection (" + statusCode + " " + reason + ")");
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            BidiClient target = client;
            if (target != null) target.closed("the connection failed: " + error);
        }
    }
}
