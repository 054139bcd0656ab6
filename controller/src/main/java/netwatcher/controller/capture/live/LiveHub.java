package netwatcher.controller.capture.live;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import netwatcher.model.agent.LiveOrder;

/**
 * This controller's live streams: which host captures are watched (the agents' orders list them, {@link #ordersFor}),
 * the records the agents post ({@link #ingest}, cut by a {@link PcapChunks} per host capture and handed to every
 * stream of it without blocking) and the limits. Thread-safe: the registry is guarded by {@code this}; a host
 * capture's chunks by themselves.
 */
public final class LiveHub {
    /**
     * Limits of live streams.
     *
     * @param perCapture    concurrent streams of one capture (a fleet capture counts once)
     * @param perController concurrent streams on this controller
     * @param bufferBytes   each stream's queue, in bytes of records (BENCHMARKS.md §15)
     */
    public record Limits(int perCapture, int perController, long bufferBytes) {
        /** 4 per capture, 64 per controller, 8 MiB a reader: at the lab flood rate a second and more of packets. */
        public static Limits defaults() { return new Limits(4, 64, 8L << 20); }

        public Limits {
            if (perCapture < 1 || perController < 1 || bufferBytes < 1 << 16) throw new IllegalArgumentException("live stream limits: " + perCapture
                    + " per capture, " + perController + " per controller, " + bufferBytes + " bytes a reader");
        }
    }

    /** {@code Retry-After} of a refusal for the limits: a stream often ends within seconds. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final Limits limits;
    private final InstantSource clock;
    // guarded by this
    private final Map<String, Set<LiveStream>> bySource = new HashMap<>();
    private final Map<String, String> vmOfSource = new HashMap<>();
    private final Set<LiveStream> all = new LinkedHashSet<>();
    private final Map<String, PcapChunks> chunks = new ConcurrentHashMap<>();

    public LiveHub(Limits limits, InstantSource clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public Limits limits() { return limits; }

    /**
     * Opens a stream of capture {@code captureKey} showing {@code sources}; refused (429
     * {@code LiveStreamLimitReached}) beyond the limits.
     */
    public synchronized LiveStream open(String captureKey, String captureName, List<LiveSource> sources) {
        long ofCapture = all.stream().filter(s -> s.captureKey().equals(captureKey)).count();
        if (ofCapture >= limits.perCapture()) {
            throw limit("Packet capture " + captureName + " has " + ofCapture + " live streams open, the most one capture may have ("
                    + limits.perCapture() + "); retry when one ends.", "perCapture");
        }
        if (all.size() >= limits.perController()) {
            throw limit("This controller has " + all.size() + " live streams open, the most it serves at once ("
                    + limits.perController() + "); retry when one ends.", "perController");
        }
        LiveStream s = new LiveStream(captureKey, sources, limits.bufferBytes(), clock);
        all.add(s);
        for (LiveSource src : sources) {
            bySource.computeIfAbsent(src.captureKey(), k -> new LinkedHashSet<>()).add(s);
            vmOfSource.put(src.captureKey(), src.vmKey());
        }
        return s;
    }

    private static ArmException limit(String message, String target) {
        return ArmErrorCode.LiveStreamLimitReached.exception(message, target);
    }

    /** Closes {@code s}: its sources are no longer watched by it. */
    public synchronized void close(LiveStream s) {
        if (!all.remove(s)) return;
        for (LiveSource src : s.sources()) {
            Set<LiveStream> set = bySource.get(src.captureKey());
            if (set == null) continue;
            set.remove(s);
            if (set.isEmpty()) {
                bySource.remove(src.captureKey());
                vmOfSource.remove(src.captureKey());
                chunks.remove(src.captureKey());
            }
        }
    }

    /** Streams open now. */
    public synchronized int open() { return all.size(); }

    /** Whether someone watches host capture {@code key} here. */
    public synchronized boolean watched(String key) { return bySource.containsKey(key); }

    /** The live orders of VM {@code vmKey}'s agent: its watched captures, posting to {@code controllerBase}. */
    public synchronized List<LiveOrder> ordersFor(String vmKey, String controllerBase) {
        List<LiveOrder> out = new ArrayList<>();
        for (var e : vmOfSource.entrySet()) {
            if (e.getValue().equals(vmKey)) out.add(new LiveOrder(e.getKey(), controllerBase + "/agent/v1/captures/" + e.getKey() + "/live"));
        }
        return out;
    }

    /**
     * One post of host capture {@code key}'s agent: its records go to every stream of it. Returns whether anyone
     * still watches it (the agent stops sending when not).
     */
    public boolean ingest(String key, LivePost post) {
        List<LiveStream> streams;
        synchronized (this) {
            Set<LiveStream> set = bySource.get(key);
            streams = set == null ? List.of() : List.copyOf(set);
        }
        if (streams.isEmpty()) return false;
        List<LivePacket> packets;
        PcapChunks c = chunks.computeIfAbsent(key, PcapChunks::new);
        synchronized (c) {
            packets = c.accept(post.file(), post.offset(), post.body());
        }
        for (LiveStream s : streams) {
            s.posted(key);
            for (LivePacket p : packets) s.offer(p);
            if (post.last()) s.sourceEnded(key);
        }
        return true;
    }

    /** Host capture {@code key} ended (its final report came): its streams end once its last bytes are in. */
    public void ended(String key) {
        List<LiveStream> streams;
        synchronized (this) {
            Set<LiveStream> set = bySource.get(key);
            streams = set == null ? List.of() : List.copyOf(set);
        }
        for (LiveStream s : streams) s.sourceEnding(key);
    }

    /** One post of an agent: {@code body} is the file's pcap header and then its bytes from {@code offset}. */
    public record LivePost(String file, long offset, byte[] body, boolean last) {}
}
