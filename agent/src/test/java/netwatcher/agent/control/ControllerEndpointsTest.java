package netwatcher.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import netwatcher.model.agent.Reports;
import org.junit.jupiter.api.Test;

/** URL rotation: the pure rule, and the real client against loopback HTTP servers that are gone, busy or answering. */
class ControllerEndpointsTest {
    static final URI A = URI.create("https://a.example:8443");
    static final URI B = URI.create("https://b.example:8443");
    static final URI C = URI.create("https://c.example:8443");

    @Test
    void aFailure_movesToTheNextUrl_roundTheList() {
        ControllerEndpoints e = new ControllerEndpoints(List.of(A, B, C));
        assertEquals(A, e.current());
        assertTrue(e.failed(A));
        assertEquals(B, e.current());
        assertTrue(e.failed(B));
        assertTrue(e.failed(C));
        assertEquals(A, e.current(), "round the list");
    }

    @Test
    void aFailureOfAUrlNoLongerCurrent_doesNotMoveAgain() {
        ControllerEndpoints e = new ControllerEndpoints(List.of(A, B, C));
        assertTrue(e.failed(A));
        assertFalse(e.failed(A), "a second thread's failure against A: the agent already moved to B");
        assertEquals(B, e.current());
    }

    @Test
    void concurrentFailuresOfOneController_moveOneStep() throws Exception {
        ControllerEndpoints e = new ControllerEndpoints(List.of(A, B, C));
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger moved = new AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                pool.submit(() -> {
                    go.await();
                    if (e.failed(A)) moved.incrementAndGet();
                    return null;
                });
            }
            go.countDown();
        }
        assertEquals(1, moved.get());
        assertEquals(B, e.current());
    }

    @Test
    void oneUrl_neverRotates_andNoUrlIsRefused() {
        ControllerEndpoints e = ControllerEndpoints.of(A);
        assertFalse(e.failed(A));
        assertEquals(A, e.current());
        assertThrows(IllegalArgumentException.class, () -> new ControllerEndpoints(List.of()));
    }

    @Test
    void theClient_movesOnFromAGoneController_andFromA503TheSecondTimeInARow_andKeepsAnAnsweringOne() throws Exception {
        URI gone;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = URI.create("http://127.0.0.1:" + s.getLocalPort()); // closed again: connection refused
        }
        AtomicInteger busyCalls = new AtomicInteger();
        AtomicInteger okCalls = new AtomicInteger();
        HttpServer busy = server(503, "7", busyCalls);
        HttpServer ok = server(204, null, okCalls);
        try {
            URI busyUrl = URI.create("http://127.0.0.1:" + busy.getAddress().getPort());
            URI okUrl = URI.create("http://127.0.0.1:" + ok.getAddress().getPort());
            ControllerEndpoints endpoints = new ControllerEndpoints(List.of(gone, busyUrl, okUrl));
            ControllerClient client = new ControllerClient(endpoints, SSLContext.getDefault());
            Reports none = new Reports(List.of(), List.of());

            ControllerException unreachable = assertThrows(ControllerException.class, () -> client.postReports(none));
            assertEquals(0, unreachable.status());
            assertEquals(busyUrl, endpoints.current(), "moved on from the controller that is gone");

            ControllerException overloaded = assertThrows(ControllerException.class, () -> client.postReports(none));
            assertEquals(503, overloaded.status());
            assertEquals(Duration.ofSeconds(7), overloaded.retryAfter().orElseThrow(), "Retry-After is kept for the caller");
            assertEquals(busyUrl, endpoints.current(), "a controller's first 'busy, come back' keeps it");
            assertThrows(ControllerException.class, () -> client.postReports(none));
            assertEquals(okUrl, endpoints.current(), "the second in a row moves on from it");
            assertEquals(2, busyCalls.get());

            client.postReports(none);
            client.postReports(none);
            assertEquals(okUrl, endpoints.current(), "an answering controller is kept");
            assertEquals(2, okCalls.get());
        } finally {
            busy.stop(0);
            ok.stop(0);
        }
    }

    @Test
    void busyAnswers_moveOnOnlyInARow_andA503WithoutRetryAfter_movesAtOnce() {
        URI c = URI.create("https://c.example:8443");
        ControllerEndpoints e = new ControllerEndpoints(List.of(A, B, c));
        assertFalse(e.busy(A), "first busy answer: stay");
        e.answered(A);
        assertFalse(e.busy(A), "an answer between two busy ones starts the count again");
        assertTrue(e.busy(A), "second busy answer in a row: move on");
        assertEquals(B, e.current());
        assertFalse(e.busy(B), "the count starts again on the next controller");
        assertFalse(e.busy(A), "a busy answer from a controller no longer used changes nothing");
        assertEquals(B, e.current());

        assertTrue(new ControllerException(503, null, "busy", null, Duration.ofSeconds(2)).busy());
        assertFalse(new ControllerException(503, null, "a balancer with no server", null).busy(), "no Retry-After: not the controller's own");
        assertFalse(new ControllerException(0, null, "gone", null).busy());
        assertFalse(ControllerEndpoints.of(A).busy(A), "one URL: nothing to move to");
    }

    @Test
    void aRefusal_doesNotMoveOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer refusing = server(401, null, calls);
        HttpServer other = server(204, null, new AtomicInteger());
        try {
            URI first = URI.create("http://127.0.0.1:" + refusing.getAddress().getPort());
            URI second = URI.create("http://127.0.0.1:" + other.getAddress().getPort());
            ControllerEndpoints endpoints = new ControllerEndpoints(List.of(first, second));
            ControllerClient client = new ControllerClient(endpoints, SSLContext.getDefault());
            ControllerException e = assertThrows(ControllerException.class, () -> client.postReports(new Reports(List.of(), List.of())));
            assertEquals(401, e.status());
            assertEquals(first, endpoints.current(), "a controller that answers 401 is there: another would answer the same");
        } finally {
            refusing.stop(0);
            other.stop(0);
        }
    }

    @Test
    void retryAfter_isParsedAsSeconds_cappedAndIgnoredWhenNotANumber() throws Exception {
        for (String[] c : new String[][] {{"3", "PT3S"}, {"100000", ControllerClient.MAX_RETRY_AFTER.toString()},
                {"Wed, 21 Oct 2015 07:28:00 GMT", null}, {"-1", null}}) {
            HttpServer s = server(503, c[0], new AtomicInteger());
            try {
                ControllerClient client = new ControllerClient(URI.create("http://127.0.0.1:" + s.getAddress().getPort()),
                        SSLContext.getDefault());
                ControllerException e = assertThrows(ControllerException.class, () -> client.postReports(new Reports(List.of(), List.of())));
                assertEquals(c[1] == null ? null : Duration.parse(c[1]), e.retryAfter().orElse(null), c[0]);
            } finally {
                s.stop(0);
            }
        }
    }

    private static HttpServer server(int status, String retryAfter, AtomicInteger calls) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", ex -> {
            calls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            if (retryAfter != null) ex.getResponseHeaders().add("Retry-After", retryAfter);
            byte[] body = status >= 400 ? "{\"error\":{\"code\":\"X\",\"message\":\"m\"}}".getBytes(StandardCharsets.UTF_8) : new byte[0];
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }
}
