package netwatcher.agent.live;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watched capture: a thread that sends the capture file's newly flushed bytes to the watcher's controller
 * ({@code POST {url}?file=NAME&offset=N}, body = the file's pcap header and the bytes) until the controller says
 * nobody watches, the order goes away ({@link #stop}) or the capture ends (then the file's rest goes with
 * {@code last=true}). A post that fails is sent again (same bytes, same offset) after a pause. Thread-safe.
 */
final class LiveShipper {
    private static final Logger LOG = LoggerFactory.getLogger(LiveShipper.class);
    /** How often the file's size is looked at while nothing new was flushed (BENCHMARKS.md §15: latency). */
    static final Duration POLL = Duration.ofMillis(20);
    /** Most bytes of one post: well under the controller's request body limit (1 MiB by default). */
    static final int MAX_POST = 1 << 18;
    private static final Duration RETRY = Duration.ofMillis(500);
    private static final int MAX_FAILURES = 20;

    private final String key;
    private final URI url;
    private final LiveTail tail;
    private final LiveShippers.Capture capture;
    private final HttpClient http;
    private final Function<URI, HttpRequest.Builder> requests;
    private final Thread thread;
    private volatile boolean stopped;

    LiveShipper(String key, URI url, LiveTail tail, LiveShippers.Capture capture, Sender sender) {
        this.key = key;
        this.url = url;
        this.tail = tail;
        this.capture = capture;
        this.http = sender.http();
        this.requests = sender.requests();
        this.thread = Thread.ofPlatform().daemon().name("nw-live-" + key).unstarted(this::run);
    }

    /** The HTTP side: the agent's client and its request builder (protocol header, credential). */
    record Sender(HttpClient http, Function<URI, HttpRequest.Builder> requests) {}

    URI url() { return url; }

    void start() { thread.start(); }

    /** Stops after the post under way; the capture goes back to its flush interval. */
    void stop() {
        stopped = true;
        thread.interrupt();
    }

    boolean alive() { return thread.isAlive(); }

    private void run() {
        capture.flushEachBatch(true);
        int failures = 0;
        try {
            while (!stopped) {
                boolean running = capture.running();
                LiveTail.Chunk c = tail.next(MAX_POST);
                if (c == null && !running) {
                    c = tail.next(MAX_POST); // the closing flush
                    if (c == null) {
                        if (tail.header() != null) post(new LiveTail.Chunk(tail.current().getFileName().toString(), tail.offset(),
                                tail.header().clone(), 0), true);
                        return;
                    }
                }
                if (c == null) {
                    Thread.sleep(POLL);
                    continue;
                }
                try {
                    boolean watching = post(c, false);
                    failures = 0;
                    tail.advance(c);
                    if (!watching) return;
                } catch (IOException e) {
                    if (++failures >= MAX_FAILURES) {
                        LOG.atWarn().addKeyValue("capture", key).log("live stream: {} posts to {} failed; giving up: {}", failures, url, e.toString());
                        return;
                    }
                    Thread.sleep(RETRY);
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().addKeyValue("capture", key).log("live stream ended: {}", e.toString());
        } finally {
            capture.flushEachBatch(false);
        }
    }

    /** One post; true while someone watches. A 4xx other than 429 ends the shipping (IOException otherwise). */
    private boolean post(LiveTail.Chunk c, boolean last) throws IOException, InterruptedException {
        URI to = URI.create(url + "?file=" + java.net.URLEncoder.encode(c.file(), StandardCharsets.UTF_8) + "&offset=" + c.offset()
                + (last ? "&last=true" : ""));
        HttpRequest req = requests.apply(to).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body())).build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200) return !resp.body().contains("\"watching\":false");
        if (resp.statusCode() >= 400 && resp.statusCode() < 500 && resp.statusCode() != 429) {
            LOG.atInfo().addKeyValue("capture", key).log("live stream: controller answered {} {}; stopping", resp.statusCode(), resp.body());
            return false;
        }
        throw new IOException("live post answered " + resp.statusCode());
    }
}
