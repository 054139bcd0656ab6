package netwatcher.testing.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The client's message handling over a socket that records what is sent; the test plays the browser. */
class BidiClientTest {
    /** Records each text frame sent; everything else is a no-op, as on a socket nobody answers. */
    static final class RecordingSocket implements WebSocket {
        final List<String> sent = new CopyOnWriteArrayList<>();
        volatile boolean aborted;

        @Override public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            sent.add(data.toString());
            return CompletableFuture.completedFuture(this);
        }
        @Override public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) { throw new UnsupportedOperationException("binary"); }
        @Override public CompletableFuture<WebSocket> sendPing(ByteBuffer message) { throw new UnsupportedOperationException("ping"); }
        @Override public CompletableFuture<WebSocket> sendPong(ByteBuffer message) { throw new UnsupportedOperationException("pong"); }
        @Override public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) { return CompletableFuture.completedFuture(this); }
        @Override public void request(long n) {}
        @Override public String getSubprotocol() { return ""; }
        @Override public boolean isOutputClosed() { return aborted; }
        @Override public boolean isInputClosed() { return aborted; }
        @Override public void abort() { aborted = true; }
    }

    final RecordingSocket socket = new RecordingSocket();
    final BidiClient client = BidiClient.over(socket, Duration.ofSeconds(5));

    @Test
    void eachCommand_getsTheNextId_andItsAnswerCompletesItsOwnFuture() throws Exception {
        CompletableFuture<JsonNode> first = client.send("session.status", null);
        CompletableFuture<JsonNode> second = client.send("browsingContext.getTree", null);
        assertEquals(List.of("{\"id\":1,\"method\":\"session.status\",\"params\":{}}",
                "{\"id\":2,\"method\":\"browsingContext.getTree\",\"params\":{}}"), socket.sent);
        client.dispatch(BidiFrames.parse("{\"type\":\"success\",\"id\":2,\"result\":{\"contexts\":[]}}"));
        assertTrue(second.isDone() && !first.isDone(), "the answer to 2 completes 2 only");
        client.dispatch(BidiFrames.parse("{\"type\":\"success\",\"id\":1,\"result\":{\"ready\":true}}"));
        assertEquals(true, first.get().path("ready").asBoolean());
        assertEquals(0, client.pendingCommands());
    }

    @Test
    void anError_failsItsCommand_withTheBrowsersCode() {
        CompletableFuture<JsonNode> answer = client.send("browsingContext.navigate", null);
        client.dispatch(BidiFrames.parse("{\"type\":\"error\",\"id\":1,\"error\":\"unknown error\",\"message\":\"Reached error page: about:certerror\"}"));
        ExecutionException failed = assertThrows(ExecutionException.class, answer::get);
        BidiException cause = (BidiException) failed.getCause();
        assertEquals("unknown error", cause.error());
        assertTrue(cause.getMessage().contains("about:certerror"), cause.getMessage());
    }

    @Test
    void call_withoutAnAnswer_failsAfterTheTimeout_namingTheCommand() {
        BidiClient impatient = BidiClient.over(socket, Duration.ofMillis(50));
        BidiException timeout = assertThrows(BidiException.class, () -> impatient.call("script.evaluate", null));
        assertEquals("timeout", timeout.error());
        assertTrue(timeout.getMessage().startsWith("script.evaluate: no answer within 50 ms"), timeout.getMessage());
    }

    @Test
    void events_goToEveryListener_andAnswersDoNot() {
        List<String> seen = new CopyOnWriteArrayList<>();
        client.onEvent(e -> seen.add("a:" + e.params().path("text").asText()));
        client.onEvent(e -> seen.add("b:" + e.method()));
        client.dispatch(BidiFrames.parse("{\"type\":\"event\",\"method\":\"log.entryAdded\",\"params\":{\"text\":\"hi\"}}"));
        client.dispatch(BidiFrames.parse("{\"type\":\"success\",\"id\":99,\"result\":{}}"));
        assertEquals(List.of("a:hi", "b:log.entryAdded"), seen);
    }

    @Test
    void whenTheConnectionEnds_everyPendingCommandFails_andNewOnesFailAtOnce() {
        CompletableFuture<JsonNode> pending = client.send("script.callFunction", null);
        client.closed("the browser closed the connection (1006 )");
        ExecutionException failed = assertThrows(ExecutionException.class, pending::get);
        assertEquals("connection closed", ((BidiException) failed.getCause()).error());
        BidiException later = assertThrows(BidiException.class, () -> client.call("session.status", null));
        assertTrue(later.getMessage().contains("1006"), later.getMessage());
        assertEquals(1, socket.sent.size(), "nothing sent on a closed connection");
    }

    @Test
    void close_abortsTheSocket_andFailsWhatIsPending() {
        CompletableFuture<JsonNode> pending = client.send("browser.close", null);
        client.close();
        assertTrue(socket.aborted);
        assertTrue(pending.isCompletedExceptionally());
    }
}
