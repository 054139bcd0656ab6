package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ARM long-running-operation rules against a scripted HTTP endpoint (any ARM endpoint may answer
 * this way; the controller only exercises some of them): which URL is polled, what is fetched at the
 * end, how Retry-After is honoured, and how a failed operation is reported. The script fails loudly
 * on any request it was not given.
 */
class LongRunningOperationTest {
    record Answer(String method, String path, int status, String body, String... headers) {}

    HttpServer server;
    String base;
    final Deque<Answer> script = new ArrayDeque<>();
    final List<String> seen = new ArrayList<>();
    final List<Duration> sleeps = new ArrayList<>();
    ArmClient arm;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        arm = new ArmClient(new ClientConfig(base, "t", null, null, null, null, "sub"), sleeps::add);
    }

    @AfterEach
    void stop() { server.stop(0); }

    private void answer(HttpExchange ex) throws IOException {
        String got = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        seen.add(got);
        Answer a = script.poll();
        if (a == null || !(a.method + " " + a.path).equals(got)) {
            byte[] b = ("{\"error\":{\"code\":\"Unscripted\",\"message\":\"" + got + "\"}}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(599, b.length);
            ex.getResponseBody().write(b);
            ex.close();
            return;
        }
        for (int i = 0; i < a.headers.length; i += 2) ex.getResponseHeaders().add(a.headers[i], a.headers[i + 1].replace("BASE", base));
        byte[] b = a.body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(a.status, a.status == 204 || b.length == 0 ? -1 : b.length);
        if (b.length > 0 && a.status != 204) ex.getResponseBody().write(b);
        ex.close();
    }

    @Test
    void put_withAsyncOperation_pollsStatusThenGetsResource() {
        script.add(new Answer("PUT", "/r", 201, "{\"properties\":{\"provisioningState\":\"Updating\"}}",
                "Azure-AsyncOperation", "BASE/ops/1", "Retry-After", "3"));
        script.add(new Answer("GET", "/ops/1", 200, "{\"status\":\"InProgress\"}", "Retry-After", "2"));
        script.add(new Answer("GET", "/ops/1", 200, "{\"status\":\"Succeeded\"}"));
        script.add(new Answer("GET", "/r", 200, "{\"properties\":{\"provisioningState\":\"Succeeded\"}}"));
        var r = arm.longRunning("PUT", "/r", "2024-05-01", Output.object());
        assertEquals("Succeeded", r.body().path("properties").path("provisioningState").asText());
        assertEquals(List.of("PUT /r", "GET /ops/1", "GET /ops/1", "GET /r"), seen);
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(2)), sleeps);
    }

    @Test
    void post_withAsyncOperationAndLocation_resultComesFromLocation() {
        script.add(new Answer("POST", "/r/queryStatus", 202, "", "Azure-AsyncOperation", "BASE/ops/2", "Location", "BASE/results/2"));
        script.add(new Answer("GET", "/ops/2", 200, "{\"status\":\"Succeeded\"}"));
        script.add(new Answer("GET", "/results/2", 200, "{\"packetCaptureStatus\":\"Running\"}"));
        var r = arm.longRunning("POST", "/r/queryStatus", "2024-05-01", null);
        assertEquals("Running", r.body().path("packetCaptureStatus").asText());
        assertEquals(List.of(ArmClient.DEFAULT_POLL), sleeps);
    }

    @Test
    void delete_withLocationOnly_pollsUntilNot202() {
        script.add(new Answer("DELETE", "/r", 202, "", "Location", "BASE/results/3", "Retry-After", "10"));
        script.add(new Answer("GET", "/results/3", 202, "", "Retry-After", "1"));
        script.add(new Answer("GET", "/results/3", 204, ""));
        var r = arm.longRunning("DELETE", "/r", "2024-05-01", null);
        assertEquals(204, r.status());
        assertEquals(List.of(Duration.ofSeconds(10), Duration.ofSeconds(1)), sleeps);
    }

    @Test
    void operation_whenFailed_throwsItsErrorWithExitCode6() {
        script.add(new Answer("PUT", "/r", 201, "{}", "Azure-AsyncOperation", "BASE/ops/4"));
        script.add(new Answer("GET", "/ops/4", 200, "{\"status\":\"Failed\",\"error\":{\"code\":\"AgentStopped\",\"message\":\"no agent\"}}"));
        CliException e = assertThrows(CliException.class, () -> arm.longRunning("PUT", "/r", "2024-05-01", Output.object()));
        assertEquals(ExitCodes.OPERATION_FAILED, e.exitCode());
        assertEquals("AgentStopped", e.code());
        assertEquals("no agent", e.getMessage());
    }

    @Test
    void synchronousAnswer_isFinal() {
        script.add(new Answer("POST", "/r/stop", 200, ""));
        assertEquals(200, arm.longRunning("POST", "/r/stop", "2024-05-01", null).status());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void put_withoutPollingHeaders_pollsResourceUntilTerminal() {
        script.add(new Answer("PUT", "/r", 201, "{\"properties\":{\"provisioningState\":\"Updating\"}}"));
        script.add(new Answer("GET", "/r", 200, "{\"properties\":{\"provisioningState\":\"Updating\"}}"));
        script.add(new Answer("GET", "/r", 200, "{\"properties\":{\"provisioningState\":\"Succeeded\"}}"));
        assertEquals("Succeeded", arm.longRunning("PUT", "/r", "2024-05-01", Output.object()).body().path("properties").path("provisioningState").asText());
        assertEquals(2, sleeps.size());
    }

    @Test
    void errorAnswer_mapsStatusToExitCodeAndKeepsArmCode() {
        script.add(new Answer("GET", "/r", 409, "{\"error\":{\"code\":\"AnotherOperationInProgress\",\"message\":\"busy\"}}"));
        CliException e = assertThrows(CliException.class, () -> arm.get("/r", "2024-05-01"));
        assertEquals(ExitCodes.REFUSED, e.exitCode());
        assertEquals("AnotherOperationInProgress", e.code());
    }

    @Test
    void poll_whenThrottledOrUnavailable_retriesGetHonouringRetryAfter() {
        script.add(new Answer("POST", "/r/stop", 202, "", "Location", "BASE/results/5"));
        script.add(new Answer("GET", "/results/5", 429, "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}", "Retry-After", "7"));
        script.add(new Answer("GET", "/results/5", 503, ""));
        script.add(new Answer("GET", "/results/5", 200, "{}"));
        assertEquals(200, arm.longRunning("POST", "/r/stop", "2024-05-01", null).status());
        assertEquals(List.of(ArmClient.DEFAULT_POLL, Duration.ofSeconds(7), ArmClient.DEFAULT_POLL), sleeps);
    }

    @Test
    void get_whenStillFailingAfterRetries_reportsTheError() {
        for (int i = 0; i < ArmClient.MAX_ATTEMPTS; i++) {
            script.add(new Answer("GET", "/r", 503, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"down\"}}"));
        }
        CliException e = assertThrows(CliException.class, () -> arm.get("/r", "2024-05-01"));
        assertEquals("ServiceUnavailable", e.code());
        assertEquals(ExitCodes.GENERIC, e.exitCode());
        assertEquals(ArmClient.MAX_ATTEMPTS, seen.size());
    }
}
