package netwatcher.controller.capture.live;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.controller.cluster.ControllerRegistry;
import netwatcher.controller.cluster.PeerTokens;
import netwatcher.pki.PemFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live streams across the controllers of a cluster. The controller serving a reader opens, for each host whose agent
 * long-polls a peer, {@code GET {peerUrl}/internal/v1/live/{hostCaptureKey}} on that peer (its URL from the
 * {@link ControllerRegistry}, TLS verified with the cluster's CA, a {@link PeerTokens} token for that host capture);
 * the peer watches the host capture in its own hub (its agent posts there) and sends the records as
 * {@link RelayFrames}; this side puts them into the reader's {@link LiveStream} as if they had been posted here.
 * A peer that cannot be reached at open time is {@code 503 LiveStreamPeerUnreachable}; one that dies or goes silent
 * ({@link RelayFrames#SILENCE}) mid-stream ends that host's part only, told to the reader in-band, and the stream
 * goes on with the other hosts. Thread-safe.
 */
public final class PeerRelays implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerRelays.class);
    /** The internal route's prefix (not under the ARM or agent prefixes). */
    public static final String PREFIX = "/internal/v1/live/";
    /** The token purpose of the live relay. */
    static final String PURPOSE = "live-relay";
    /** Connect and answer time allowed to a peer at open time. */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(5);
    /** {@code Retry-After} of {@code LiveStreamPeerUnreachable}: a gone controller leaves the registry, its agents reconnect elsewhere. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final ControllerRegistry registry;
    /** The controller holding a VM's agent (its latest long-poll), as agent presence records it. */
    private final java.util.function.Function<String, Optional<String>> holderOf;
    private final PeerTokens tokens;
    private final java.util.function.Supplier<Path> caFile;
    private volatile HttpClient client;
    private final ScheduledExecutorService watchdog;
    private final Set<Relay> open = ConcurrentHashMap.newKeySet();

    /**
     * @param holderOf the controller holding a VM's agent, by VM key (agent presence: {@code agents.Presence#holderOf})
     * @param caFile   the cluster's CA certificate, known once TLS is set up (null: a user-supplied certificate, the JDK's trust store)
     */
    public PeerRelays(ControllerRegistry registry, java.util.function.Function<String, Optional<String>> holderOf, PeerTokens tokens,
                      java.util.function.Supplier<Path> caFile) {
        this.registry = registry;
        this.holderOf = holderOf;
        this.tokens = tokens;
        this.caFile = caFile;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("nw-live-relay-watchdog").unstarted(r));
        watchdog.scheduleWithFixedDelay(this::checkSilence, 1, 1, TimeUnit.SECONDS);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c != null) return c;
        synchronized (this) {
            if (client == null) {
                HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(OPEN_TIMEOUT);
                Path ca = caFile.get();
                if (ca != null) b.sslContext(trusting(ca));
                client = b.build();
            }
            return client;
        }
    }

    /** Trust only the cluster's CA: a peer's certificate is issued by it. */
    private static SSLContext trusting(Path caFile) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (var cert : PemFiles.readCertificates(caFile)) store.setCertificateEntry("ca" + i++, cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.io.UncheckedIOException | GeneralSecurityException | netwatcher.pki.PkiException e) {
            throw new IllegalStateException("live relay: cannot load the cluster CA " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** The id of the peer controller that holds VM {@code vmKey}'s agent; empty when it is this one or none. */
    Optional<String> peerOf(String vmKey) {
        return holderOf.apply(vmKey).filter(id -> !id.equals(registry.selfId()));
    }

    /** Checks an internal request's token for host capture {@code key}; returns the calling controller (401/403 otherwise). */
    String verify(String authorization, String key) {
        return tokens.verify(authorization, PURPOSE, key);
    }

    /**
     * Opens the relay of {@code source} from controller {@code peerId} into {@code stream}: returns once the peer
     * answered 200 (it watches the host capture), after which a reader thread feeds the stream. Refused with
     * {@code 503 LiveStreamPeerUnreachable} when the peer is gone or does not answer, or with the peer's own refusal
     * ({@code 429}, {@code 409}) when it gave one.
     */
    Relay open(String peerId, LiveSource source, String vmName, LiveStream stream) throws InterruptedException {
        URI base = registry.peerUrl(peerId).orElseThrow(() -> unreachable(vmName, peerId, "it is not in the cluster's"
                + " controller registry or its heartbeat is older than " + ControllerRegistry.GONE_AFTER.toSeconds() + " s"));
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + PREFIX + source.captureKey());
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(OPEN_TIMEOUT)
                .header("Authorization", tokens.header(PURPOSE, source.captureKey())).build();
        HttpResponse<InputStream> r;
        try {
            r = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(vmName, peerId, "its URL " + base + " did not answer (" + e + ")");
        }
        if (r.statusCode() != 200) {
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = e.toString();
            }
            if (r.statusCode() == 429) {
                throw ArmErrorCode.LiveStreamLimitReached.exception("The controller that holds the agent of VM " + vmName
                        + " serves as many live streams as it may; retry when one ends. (" + body + ")", "name");
            }
            if (r.statusCode() == 409 && body.contains("PacketCaptureNotRunning")) {
                throw ArmErrorCode.PacketCaptureNotRunning.exception("The capture on VM " + vmName + " has ended: only a running"
                        + " capture can be streamed; download its file instead.", "name");
            }
            throw unreachable(vmName, peerId, "it answered " + r.statusCode() + " " + body);
        }
        Relay relay = new Relay(peerId, base, source, vmName, stream, new DataInputStream(r.body()));
        open.add(relay);
        relay.reader = Thread.ofVirtual().name("nw-live-relay-" + source.captureKey()).start(relay::run);
        return relay;
    }

    private static ArmException unreachable(String vmName, String peerId, String why) {
        return ArmErrorCode.LiveStreamPeerUnreachable.exception("The agent of VM " + vmName + " is connected to controller "
                + peerId + " of this cluster, which cannot relay its packets now: " + why + ". Retry in "
                + RETRY_AFTER.toSeconds() + " s (a gone controller's agents reconnect to another).", "name");
    }

    private void checkSilence() {
        long now = System.nanoTime();
        for (Relay r : open) {
            if (now - r.lastFrame > RelayFrames.SILENCE.toNanos()) {
                r.lost("nothing came from it for " + RelayFrames.SILENCE.toSeconds() + " s");
            }
        }
    }

    /** Relays open now. */
    int openRelays() { return open.size(); }

    @Override
    public void close() {
        watchdog.shutdownNow();
        for (Relay r : open) r.close();
    }

    /** One relayed host of one reader's stream. Thread-safe: its reader thread feeds the stream; close from any thread. */
    final class Relay implements AutoCloseable {
        private final String peerId;
        private final URI base;
        private final LiveSource source;
        private final String vmName;
        private final LiveStream stream;
        private final DataInputStream in;
        private volatile long lastFrame = System.nanoTime();
        private volatile boolean closed;
        private volatile Thread reader;

        private Relay(String peerId, URI base, LiveSource source, String vmName, LiveStream stream, DataInputStream in) {
            this.peerId = peerId;
            this.base = base;
            this.source = source;
            this.vmName = vmName;
            this.stream = stream;
            this.in = in;
        }

        private void run() {
            String key = source.captureKey();
            try {
                while (!closed) {
                    RelayFrames.Frame f = RelayFrames.read(in, key);
                    lastFrame = System.nanoTime();
                    stream.posted(key);
                    switch (f) {
                        case RelayFrames.Packet p -> stream.offer(p.packet());
                        case RelayFrames.Missed m -> stream.missedUpstream(m.count());
                        case RelayFrames.KeepAlive k -> { }
                        case RelayFrames.End e -> {
                            stream.sourceEnded(key);
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                if (!closed) lost("its connection broke (" + e + ")");
            } finally {
                open.remove(this);
                closeQuietly();
            }
        }

        /** The peer is lost: this host's part of the stream ends, the reader is told why. */
        void lost(String why) {
            if (closed) return;
            LOG.atWarn().addKeyValue("vm", vmName).addKeyValue("peer", peerId).log("live relay lost: {}", why);
            stream.sourceLost(source.captureKey(), "host " + vmName + ": the relay from controller " + peerId + " (" + base
                    + ") was lost, " + why + "; its packets end here, the other hosts' go on");
            close();
        }

        @Override
        public void close() {
            closed = true;
            open.remove(this);
            closeQuietly();
            Thread t = reader;
            if (t != null) t.interrupt();
        }

        private void closeQuietly() {
            try {
                in.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
