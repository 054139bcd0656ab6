package netwatcher.controller.capture.live;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import netwatcher.controller.capture.merge.PcapngWriter;

/**
 * One reader's live stream: a bounded queue of whole records between the agents' posts ({@link #offer}, never
 * blocking) and the reader's connection ({@link #pump}, on the request's thread). When the queue holds its
 * byte budget, a new record is dropped for this reader only and counted; the next record it does get carries
 * an {@code opt_comment} saying how many were missed before it (or, when the reader has emptied its queue and
 * no record follows the gap, an interface statistics block says it with the same words), and the stream ends
 * with an interface statistics block per interface with the totals ({@code isb_usrdeliv}, {@code isb_osdrop}).
 *
 * <p>Thread-safety: thread-safe; the queue and counters are guarded by {@code this}, the writer belongs to the
 * pumping thread.
 */
public final class LiveStream {
    /** How long the pump waits for a record before it checks whether the stream ended. */
    private static final Duration IDLE = Duration.ofMillis(250);
    /**
     * A source whose capture ended is ended once its agent said its last post came, or after this long without a post
     * (counted from the end or the last post, whichever is later: an agent still sending its backlog is waited for).
     */
    static final Duration END_GRACE = Duration.ofSeconds(3);

    private record Entry(LivePacket packet, long missedBefore) {}

    private final String captureKey;
    private final List<LiveSource> sources;
    private final long bufferBytes;
    private final InstantSource clock;
    // guarded by this
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long pendingMissed;
    private long missed;
    private long delivered;
    private final Map<String, java.time.Instant> endingSince = new HashMap<>();
    private final Map<String, java.time.Instant> lastPost = new HashMap<>();
    private final java.util.Set<String> ended = new java.util.HashSet<>();
    private String endedBecause;
    /** Relayed sources lost (their peer controller went away), with why, not yet told to the reader. */
    private final Map<String, String> lostUntold = new java.util.LinkedHashMap<>();
    private final List<String> lost = new java.util.ArrayList<>();
    // owned by the pumping thread
    private final Map<String, Integer> interfaceIds = new HashMap<>();

    LiveStream(String captureKey, List<LiveSource> sources, long bufferBytes, InstantSource clock) {
        this.captureKey = captureKey;
        this.sources = List.copyOf(sources);
        this.bufferBytes = bufferBytes;
        this.clock = clock;
    }

    /** The ARM capture's key (a fleet capture's own key, not its instances'). */
    public String captureKey() { return captureKey; }

    /** The host captures it shows. */
    public List<LiveSource> sources() { return sources; }

    /** Records dropped for this reader so far. */
    public synchronized long missed() { return missed; }

    /** Records written to this reader so far. */
    public synchronized long delivered() { return delivered; }

    /** Queues {@code p} for the reader, or drops it (counted) when the queue holds its budget. Never blocks. */
    synchronized void offer(LivePacket p) {
        if (endedBecause != null || ended.contains(p.source())) return;
        if (queuedBytes + p.cost() > bufferBytes) {
            missed++;
            pendingMissed++;
            return;
        }
        queue.add(new Entry(p, pendingMissed));
        pendingMissed = 0;
        queuedBytes += p.cost();
        notifyAll();
    }

    /** A post of {@code source} came in (its records follow). */
    synchronized void posted(String source) {
        lastPost.put(source, clock.instant());
    }

    /** The agent of {@code source} sent its last bytes (the capture ended on the host). */
    synchronized void sourceEnded(String source) {
        ended.add(source);
        notifyAll();
    }

    /** The capture of {@code source} ended: it is ended once its last bytes arrived, or {@link #END_GRACE} from now. */
    synchronized void sourceEnding(String source) {
        endingSince.putIfAbsent(source, clock.instant());
        notifyAll();
    }

    /**
     * {@code n} records of {@code source} were dropped before they reached this controller (a relaying peer's queue
     * was full): counted as missed and told to the reader like its own drops.
     */
    synchronized void missedUpstream(long n) {
        if (n <= 0) return;
        missed += n;
        pendingMissed += n;
    }

    /**
     * The relay of {@code source} was lost ({@code why}: its peer controller died or went silent): the source ends
     * here, the stream goes on with the others, and the reader is told in-band (an interface statistics block on that
     * host's interface saying why).
     */
    synchronized void sourceLost(String source, String why) {
        if (!ended.add(source)) return;
        lostUntold.put(source, why);
        lost.add(why);
        notifyAll();
    }

    /** Ends the stream at once (after what is queued), e.g. the capture was deleted. */
    synchronized void end(String because) {
        if (endedBecause == null) endedBecause = because;
        notifyAll();
    }

    private synchronized boolean finished() {
        var now = clock.instant();
        for (var e : endingSince.entrySet()) {
            var from = e.getValue();
            var posted = lastPost.get(e.getKey());
            if (posted != null && posted.isAfter(from)) from = posted;
            if (!now.isBefore(from.plus(END_GRACE))) ended.add(e.getKey());
        }
        if (endedBecause == null && sources.stream().allMatch(s -> ended.contains(s.captureKey()))) endedBecause = "capture ended";
        return endedBecause != null && queue.isEmpty();
    }

    /** Packets dropped since the last notice that no queued packet carries yet; the caller reports them now. */
    private synchronized long takeUnreported() {
        long n = pendingMissed;
        pendingMissed = 0;
        return n;
    }

    private synchronized boolean idle() { return queue.isEmpty(); }

    private synchronized Entry next() throws InterruptedException {
        if (queue.isEmpty()) wait(IDLE.toMillis());
        Entry e = queue.poll();
        if (e != null) {
            queuedBytes -= e.packet().cost();
            delivered++;
        }
        return e;
    }

    /**
     * Writes the stream to {@code out} until every source ended (or {@link #end}), flushing whenever the queue is
     * empty; returns normally then. An {@link IOException} (the reader went away) ends it too.
     */
    public void pump(OutputStream out) throws IOException, InterruptedException {
        PcapngWriter writer = new PcapngWriter(out);
        writer.sectionHeader("netwatcher live stream");
        out.flush();
        boolean dirty = false;
        while (true) {
            if (tellLost(writer)) dirty = true;
            if (dirty && idle()) { // nothing more queued: what was written goes out now, not after the idle wait
                out.flush();
                dirty = false;
            }
            Entry e = next();
            if (e == null) {
                notice(writer, takeUnreported());
                if (dirty) {
                    out.flush();
                    dirty = false;
                }
                if (finished()) break;
                continue;
            }
            LivePacket p = e.packet();
            int id = interfaceOf(writer, p);
            String comment = e.missedBefore() == 0 ? null
                    : "netwatcher: " + e.missedBefore() + " packets missed before this one (the reader fell behind; " + missed()
                    + " missed in all so far)";
            writer.packet(new PcapngWriter.PacketRef(id, p.timestampNanos(), p.data(), 0, p.data().length, p.origlen()), comment);
            dirty = true;
        }
        tellLost(writer);
        notice(writer, takeUnreported());
        long now = nanos();
        for (var id : interfaceIds.entrySet()) {
            writer.statistics(id.getValue(), now, delivered(), missed(), "netwatcher live stream of " + captureKey + ": "
                    + delivered() + " packets delivered, " + missed() + " missed by this reader (it fell behind); " + endedBecause());
        }
        out.flush();
    }

    private long nanos() {
        var now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * Tells the reader of {@code missed} packets dropped since the last notice when no packet follows them in its
     * queue (the drops were the newest packets): an interface statistics block per interface with the comment.
     */
    private void notice(PcapngWriter writer, long missedNow) throws IOException {
        if (missedNow == 0) return;
        if (!interfaceIds.isEmpty()) { // once per stream, on its first interface: the counts are the reader's, not one interface's
            writer.statistics(0, nanos(), delivered(), missed(), "netwatcher: " + missedNow
                    + " packets missed before this point (the reader fell behind; " + missed() + " missed in all so far)");
        } else {
            // no interface yet to hang statistics on: the count goes with the next packet instead
            synchronized (this) {
                pendingMissed += missedNow;
            }
        }
    }

    private synchronized String endedBecause() {
        String because = endedBecause == null ? "ended" : endedBecause;
        return lost.isEmpty() ? because : because + "; " + String.join("; ", lost);
    }

    /** Writes, for each relayed source lost since the last call, an interface statistics block on its interface saying why. */
    private boolean tellLost(PcapngWriter writer) throws IOException {
        Map<String, String> untold;
        synchronized (this) {
            if (lostUntold.isEmpty()) return false;
            untold = new java.util.LinkedHashMap<>(lostUntold);
            lostUntold.clear();
        }
        for (var e : untold.entrySet()) {
            Integer id = interfaceIds.get(e.getKey());
            if (id == null) { // no packet of it came yet: its interface is declared for the notice (Ethernet, as the lab's)
                LiveSource s = sources.stream().filter(x -> x.captureKey().equals(e.getKey())).findFirst().orElseThrow();
                id = interfaceIds.size();
                writer.interfaceBlock(LINKTYPE_ETHERNET, 0, s.interfaceName(), s.comment());
                interfaceIds.put(e.getKey(), id);
            }
            writer.statistics(id, nanos(), delivered(), missed(), "netwatcher: " + e.getValue());
        }
        return true;
    }

    private static final int LINKTYPE_ETHERNET = 1;

    /**
     * Writes the stream to a peer controller that relays it ({@code /internal/v1/live/{key}}, {@link RelayFrames}):
     * each record as a frame, drops as a count, a keep-alive whenever the queue is empty (so the relaying controller
     * notices a dead peer within {@link RelayFrames#SILENCE}), and an end frame with why once every source ended.
     */
    public void relayTo(OutputStream raw) throws IOException, InterruptedException {
        var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16));
        RelayFrames.keepAlive(out);
        out.flush();
        boolean dirty = false;
        while (true) {
            if (dirty && idle()) { // nothing more queued: the frames go out now, not after the idle wait
                out.flush();
                dirty = false;
            }
            Entry e = next();
            if (e == null) {
                long missedNow = takeUnreported();
                if (missedNow > 0) RelayFrames.missed(out, missedNow);
                if (finished()) break;
                if (!dirty && missedNow == 0) RelayFrames.keepAlive(out);
                out.flush();
                dirty = false;
                continue;
            }
            if (e.missedBefore() > 0) RelayFrames.missed(out, e.missedBefore());
            RelayFrames.packet(out, e.packet());
            dirty = true;
        }
        long missedNow = takeUnreported();
        if (missedNow > 0) RelayFrames.missed(out, missedNow);
        RelayFrames.end(out, endedBecause());
        out.flush();
    }

    private int interfaceOf(PcapngWriter writer, LivePacket p) throws IOException {
        Integer id = interfaceIds.get(p.source());
        if (id != null) return id;
        LiveSource s = sources.stream().filter(x -> x.captureKey().equals(p.source())).findFirst().orElseThrow();
        id = interfaceIds.size();
        writer.interfaceBlock(p.linktype(), p.snaplen(), s.interfaceName(), s.comment());
        interfaceIds.put(p.source(), id);
        return id;
    }
}
