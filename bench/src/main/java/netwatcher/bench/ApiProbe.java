package netwatcher.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import netwatcher.agent.control.ControllerTls;

/**
 * An API user's view of a controller under load: a process of its own (small heap, serial GC) with its own
 * keep-alive HTTPS connections, one blocking thread, that sends {@code GET path} every 40–60 ms round robin over the given controllers,
 * each followed by a {@code GET /healthz} to the same controller (the request that does no work), and prints one
 * line per request: {@code g <nanos>} or {@code h <nanos>}, or {@code e <message>} for a failure. The first 2 s
 * (TLS handshakes, class loading, JIT) are not printed.
 *
 * <p>Why a process of its own: a GET sent through the bench's own client, the one its thousands of simulated
 * agents share, waits behind their long-poll answers in that client's selector and behind the harness's
 * collections; a real API client (az, an SDK, a browser) shares neither. The CPUs stay shared, so every wait
 * the controllers, PostgreSQL and the harness cause is still in the figure.
 *
 * <p>Arguments: {@code seconds caPem adminToken path url...}.
 */
public final class ApiProbe {
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(2);

    private ApiProbe() {}

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        // one factory for every request: the keep-alive cache only reuses a connection made by the same factory
        SSLSocketFactory tls = ControllerTls.trusting(Path.of(args[1])).getSocketFactory();
        String token = args[2], path = args[3];
        List<String> controllers = List.of(args).subList(4, args.length);
        long w0 = System.nanoTime(), end = w0 + WARM_UP_NANOS + TimeUnit.SECONDS.toNanos(seconds);
        StringBuilder out = new StringBuilder();
        for (int k = 0; System.nanoTime() < end; k++) {
            Thread.sleep(40 + ThreadLocalRandom.current().nextInt(20));
            String base = controllers.get(k % controllers.size());
            boolean counted = System.nanoTime() - w0 > WARM_UP_NANOS;
            try {
                long t = System.nanoTime();
                get(tls, base + path, token);
                long t2 = System.nanoTime();
                get(tls, base + "/healthz", null);
                long t3 = System.nanoTime();
                if (counted) out.append("g ").append(t2 - t).append("\nh ").append(t3 - t2).append('\n');
            } catch (IOException | RuntimeException e) {
                if (counted) out.append("e ").append(e.getClass().getSimpleName()).append('\n');
            }
        }
        System.out.print(out);
        System.out.flush();
    }

    /**
     * One GET on a kept-alive connection ({@link HttpsURLConnection}: the calling thread writes the request and reads
     * the answer itself, as curl, az and the SDKs' blocking clients do; no hand-off to a selector thread, whose wake-ups
     * on a loaded machine would be the client's latency, not the API's). Fails unless 200.
     */
    private static void get(SSLSocketFactory tls, String url, String token) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) URI.create(url).toURL().openConnection();
        c.setSSLSocketFactory(tls);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(40_000);
        if (token != null) c.setRequestProperty("Authorization", "Bearer " + token);
        int status = c.getResponseCode();
        try (InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            if (body != null) body.readAllBytes(); // read to the end: the connection goes back to the keep-alive cache
        }
        if (status != 200) throw new IllegalStateException("HTTP " + status + " for " + url);
    }

    /** What a probe run measured. */
    record Result(Stats gets, Stats health, List<String> errors) {}

    /**
     * Runs a probe as a child JVM of this one's Java and class path for {@code seconds} and waits for it.
     *
     * @param urls the controllers' base URLs
     */
    static Result run(int seconds, Path caPem, String token, String path, List<String> urls) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), ApiProbe.class.getName(),
                Integer.toString(seconds), caPem.toString(), token, path));
        cmd.addAll(urls);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> g = new ArrayList<>(), h = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("g ")) g.add(Long.parseLong(line.substring(2)));
                else if (line.startsWith("h ")) h.add(Long.parseLong(line.substring(2)));
                else if (line.startsWith("e ")) errors.add(line.substring(2));
            }
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        return new Result(Stats.ofNanos(g.stream().mapToLong(Long::longValue).toArray()),
                Stats.ofNanos(h.stream().mapToLong(Long::longValue).toArray()), errors);
    }
}
