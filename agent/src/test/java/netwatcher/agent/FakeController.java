package netwatcher.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import netwatcher.agent.control.AgentJson;
import netwatcher.model.agent.CaptureOrder;
import netwatcher.model.agent.CaptureReport;
import netwatcher.model.agent.EnrollRequest;
import netwatcher.model.agent.EnrollResponse;
import netwatcher.model.agent.HostReport;
import netwatcher.model.agent.Orders;
import netwatcher.model.agent.ProtocolVersion;
import netwatcher.model.agent.Reports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A controller double for protocol v1: a JDK HttpServer on loopback serving exactly the agent
 * routes of docs/agent-protocol.md, with state that survives {@link #stop()}/{@link #start()} (a
 * controller going down and coming back on the same port). It fails loudly: any unexpected route,
 * missing protocol header or bad credential is recorded in {@link #violations()}, which tests
 * assert empty. Thread-safe.
 */
final class FakeController implements AutoCloseable {
    private static final ObjectMapper JSON = AgentJson.MAPPER;
    static final String TOKEN = "nwe.test-token";
    static final String AGENT_ID = "agent-1";
    static final String SECRET = "s3cret-s3cret";
    static final String VM_ID = "/subscriptions/sub1/resourceGroups/lab/providers/Microsoft.Compute/virtualMachines/app";
    private static final Pattern FILE_ROUTE = Pattern.compile("^/agent/v1/captures/([^/]+)/file$");

    private final Object lock = new Object();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger enrollCalls = new AtomicInteger();
    private final AtomicInteger orderCalls = new AtomicInteger();
    private final List<HostReport> hosts = new CopyOnWriteArrayList<>();
    private final List<CaptureReport> reports = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, CaptureOrder> orders = new LinkedHashMap<>();
    private final Map<String, netwatcher.model.check.CheckOrder> checks = new LinkedHashMap<>();
    private final List<netwatcher.model.check.CheckReport> checkReports = new CopyOnWriteArrayList<>();
    private long generation = 1;
    private volatile boolean keepFinishedChecks;
    private int port;
    private HttpServer server;
    /** When > 0, the next PUT of a file keeps only this many bytes and breaks the connection. */
    private volatile int breakNextPutAfter;
    private final AtomicInteger putCalls = new AtomicInteger();

    FakeController start() throws IOException {
        synchronized (lock) {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            port = server.getAddress().getPort();
            // platform threads: virtual-thread carriers created from a thread inside a network namespace would
            // stay in it and strand every later virtual thread of the test JVM there
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", this::handle);
            server.start();
        }
        return this;
    }

    /** Stops listening (the agent sees connection refused); state is kept. */
    void stop() {
        synchronized (lock) {
            server.stop(0);
            lock.notifyAll();
        }
    }

    /**
     * The settings every test agent of this controller starts from: the VM {@code app} of resource group
     * {@code lab} enrolling here, its state and captures under {@code dir}, no disk floor. Mutable, for
     * the test's own additions.
     */
    java.util.Map<String, String> agentSettings(java.nio.file.Path dir) {
        java.util.Map<String, String> s = new java.util.LinkedHashMap<>();
        s.put("controller-url", url().toString());
        s.put("enrollment-token", TOKEN);
        s.put("vm-name", "app");
        s.put("resource-group", "lab");
        s.put("location", "westeurope");
        s.put("subscription-id", "sub1");
        s.put("state-dir", dir.resolve("state").toString());
        s.put("captures-root", dir.resolve("captures").toString());
        s.put("disk-floor", "0");
        return s;
    }

    URI url() { return URI.create("http://127.0.0.1:" + port); }

    // ------------------------------------------------------------------ test controls

    void putOrder(CaptureOrder order) {
        synchronized (lock) {
            orders.put(order.key(), order);
            generation++;
            lock.notifyAll();
        }
    }

    /** Keeps listing check parts after their final report (a controller whose state lags the reports). */
    void keepFinishedChecks(boolean value) { keepFinishedChecks = value; }

    /** Lists (or replaces) a check order, keyed by key and role; a final report unlists it (unless kept). */
    void putCheck(netwatcher.model.check.CheckOrder order) {
        synchronized (lock) {
            checks.put(order.key() + "/" + order.role().wire(), order);
            generation++;
            lock.notifyAll();
        }
    }

    void removeCheck(String key, String role) {
        synchronized (lock) {
            checks.remove(key + "/" + role);
            generation++;
            lock.notifyAll();
        }
    }

    /** Every check report received for {@code key}, in arrival order. */
    List<netwatcher.model.check.CheckReport> checkReports(String key) {
        return checkReports.stream().filter(r -> r.key().equals(key)).toList();
    }

    void removeOrder(String key) {
        synchronized (lock) {
            orders.remove(key);
            generation++;
            lock.notifyAll();
        }
    }

    void breakNextPutAfter(int bytes) { breakNextPutAfter = bytes; }

    int enrollCalls() { return enrollCalls.get(); }

    int orderCalls() { return orderCalls.get(); }

    int putCalls() { return putCalls.get(); }

    List<HostReport> hosts() { return List.copyOf(hosts); }

    List<CaptureReport> reports() { return List.copyOf(reports); }

    List<CaptureReport> reports(String key) {
        return reports.stream().filter(r -> r.key().equals(key)).toList();
    }

    Optional<CaptureReport> latest(String key) {
        List<CaptureReport> list = reports(key);
        return list.isEmpty() ? Optional.empty() : Optional.of(list.getLast());
    }

    Optional<byte[]> file(String key) {
        synchronized (lock) {
            return Optional.ofNullable(files.get(key));
        }
    }

    List<String> violations() { return List.copyOf(violations); }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------ routes

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (!"1".equals(ex.getRequestHeaders().getFirst(ProtocolVersion.HEADER))) {
                violations.add(method + " " + path + " without " + ProtocolVersion.HEADER);
                error(ex, 400, "UnsupportedAgentProtocol");
                return;
            }
            if (method.equals("POST") && path.equals("/agent/v1/enroll")) {
                enroll(ex);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer nwa." + AGENT_ID + "." + SECRET).equals(auth)) {
                violations.add(method + " " + path + " with Authorization " + auth);
                error(ex, 401, "AuthenticationFailed");
                return;
            }
            Matcher file = FILE_ROUTE.matcher(path);
            if (method.equals("PUT") && path.equals("/agent/v1/host")) {
                hosts.add(JSON.readValue(ex.getRequestBody(), HostReport.class));
                send(ex, 200, "{\"vmId\":\"" + VM_ID + "\",\"nicIds\":[]}");
            } else if (method.equals("GET") && path.equals("/agent/v1/orders")) {
                orders(ex);
            } else if (method.equals("POST") && path.equals("/agent/v1/reports")) {
                Reports posted = JSON.readValue(ex.getRequestBody(), Reports.class);
                reports.addAll(posted.captures());
                checkReports.addAll(posted.checks());
                synchronized (lock) { // as the controller: a part stays listed until its final report arrives (not armed, not interim)
                    for (netwatcher.model.check.CheckReport r : posted.checks()) {
                        boolean last = r.state().isFinal();
                        if (!keepFinishedChecks && last && checks.remove(r.key() + "/" + r.role().wire()) != null) generation++;
                    }
                    lock.notifyAll();
                }
                ex.sendResponseHeaders(204, -1);
            } else if (method.equals("HEAD") && file.matches()) {
                byte[] held;
                synchronized (lock) {
                    held = files.getOrDefault(file.group(1), new byte[0]);
                }
                ex.getResponseHeaders().set("Content-Length", Integer.toString(held.length));
                ex.sendResponseHeaders(200, -1);
            } else if (method.equals("PUT") && file.matches()) {
                putFile(ex, file.group(1));
            } else {
                violations.add("unexpected " + method + " " + ex.getRequestURI());
                error(ex, 404, "NotFound");
            }
        } catch (BrokenOnPurpose e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            violations.add("controller double failed: " + e);
            throw e;
        } finally {
            ex.close();
        }
    }

    private void enroll(HttpExchange ex) throws IOException {
        enrollCalls.incrementAndGet();
        EnrollRequest req = JSON.readValue(ex.getRequestBody(), EnrollRequest.class);
        if (ex.getRequestHeaders().containsKey("Authorization")) violations.add("enroll with an Authorization header");
        if (!TOKEN.equals(req.enrollmentToken())) {
            error(ex, 401, "AuthenticationFailed");
            return;
        }
        send(ex, 200, JSON.writeValueAsString(new EnrollResponse(AGENT_ID, SECRET, VM_ID)));
    }

    private void orders(HttpExchange ex) throws IOException {
        orderCalls.incrementAndGet();
        Map<String, String> q = query(ex.getRequestURI());
        long after = Long.parseLong(q.getOrDefault("after", "0"));
        int wait = Integer.parseInt(q.getOrDefault("waitSeconds", "0"));
        if (wait < 0 || wait > ProtocolVersion.MAX_WAIT_SECONDS) violations.add("waitSeconds " + wait);
        Orders answer;
        synchronized (lock) {
            long end = System.nanoTime() + Duration.ofSeconds(wait).toNanos();
            while (generation <= after && System.nanoTime() < end && server != null) {
                try {
                    lock.wait(Math.max(1, (end - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            answer = new Orders(generation, new ArrayList<>(orders.values()), new ArrayList<>(checks.values()));
        }
        send(ex, 200, JSON.writeValueAsString(answer));
    }

    private void putFile(HttpExchange ex, String key) throws IOException {
        putCalls.incrementAndGet();
        String range = ex.getRequestHeaders().getFirst("Content-Range");
        Matcher m = Pattern.compile("^bytes (\\d+)-(\\d+)/(\\d+)$").matcher(range == null ? "" : range);
        if (!m.matches()) {
            violations.add("PUT without a valid Content-Range: " + range);
            error(ex, 400, "InvalidRange");
            return;
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        long total = Long.parseLong(m.group(3));
        byte[] held;
        synchronized (lock) {
            held = files.getOrDefault(key, new byte[0]);
        }
        if (total > 0 && held.length >= total) { // as the controller: every byte held, so the blob completes now
            send(ex, 200, "{\"received\":" + held.length + ",\"complete\":true}");
            return;
        }
        if (start != held.length) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(held.length));
            ex.sendResponseHeaders(416, -1);
            return;
        }
        int limit = breakNextPutAfter;
        InputStream body = ex.getRequestBody();
        if (limit > 0) {
            breakNextPutAfter = 0;
            byte[] part = body.readNBytes(limit);
            append(key, held, part);
            // the connection "breaks": no answer, the server drops the socket
            throw new BrokenOnPurpose(part.length);
        }
        byte[] chunk = body.readAllBytes();
        if (chunk.length != end - start + 1) {
            violations.add("PUT body " + chunk.length + " bytes for range " + range);
        }
        byte[] now = append(key, held, chunk);
        boolean complete = now.length == total;
        send(ex, 200, "{\"received\":" + now.length + ",\"complete\":" + complete + "}");
    }

    private byte[] append(String key, byte[] held, byte[] part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(held);
        out.writeBytes(part);
        synchronized (lock) {
            files.put(key, out.toByteArray());
        }
        return out.toByteArray();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        if (uri.getRawQuery() == null) return out;
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }

    private static void error(HttpExchange ex, int status, String code) throws IOException {
        send(ex, status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + code + "\",\"target\":null,\"details\":[]}}");
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        stop();
    }

    /** Thrown by a handler to make the JDK server drop the connection without an answer. */
    static final class BrokenOnPurpose extends IOException {
        BrokenOnPurpose(int bytes) { super("simulated broken PUT after " + bytes + " bytes"); }
    }
}
