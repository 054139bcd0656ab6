package netwatcher.agent.capture;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running packet capture: libpcap writes matching packets straight into a pcap file until a
 * limit, a stop request or a failure ends it.
 *
 * <p>{@link #start} returns only when the capture is armed: {@code pcap_activate} has allocated the
 * kernel ring, the filter is compiled and installed, and the file exists with its header flushed.
 * The capture then runs on its own platform thread, which loops
 * {@code pcap_dispatch(p, cnt, &pcap_dump, dumper)}: packets go from the kernel ring to the file
 * inside libpcap, and Java runs only between batches (byte limit, disk floor, counters, flushes).
 * The capture thread, like every thread, is in the network namespace of the thread that created it,
 * so a session started from a thread that entered a namespace captures that namespace's interfaces.
 *
 * <p>Stopping ({@link #stop}, the time limit) does not cut the capture at once: libpcap
 * (TPACKET_V3) hands a partly filled ring block to userland only when the kernel retires it, after
 * at most two read timeouts (to_ms = 50 ms). The session keeps dispatching for {@link #DRAIN}
 * and then calls {@code pcap_breakloop}, so packets the kernel accepted before the stop are in the
 * file. Byte limit, disk floor and failures end at once. The end is reported once, through the
 * {@code onEnd} callback (on the capture thread) and {@link #result()}.
 *
 * <p>Thread-safety: all public methods may be called from any thread.
 */
public final class CaptureSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureSession.class);

    /** libpcap read timeout (to_ms): the kernel block-retire timeout, so the delivery latency at low rates. */
    static final int READ_TIMEOUT_MS = 50;
    /** How long a stop keeps dispatching before breaking the loop: two block-retire periods plus slack. */
    public static final Duration DRAIN = Duration.ofMillis(2L * READ_TIMEOUT_MS + 50);
    /** Most packets one pcap_dispatch call may write, so limits and counters are looked at regularly. */
    static final int MAX_BATCH = 10_000;

    private final CaptureOptions options;
    private final Consumer<CaptureResult> onEnd;
    private final Consumer<RingFile> onFileClosed;
    private final InstantSource clock;
    private final Duration compileTimeout;
    private final Thread thread;
    private final CompletableFuture<Void> armed = new CompletableFuture<>();
    private final CompletableFuture<CaptureResult> result = new CompletableFuture<>();

    private record Stop(EndCause cause, long deadlineNanos) {}

    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final Object handleLock = new Object();
    private MemorySegment liveHandle; // guarded by handleLock; null before arming and after pcap_close
    private volatile CaptureStats stats;
    private volatile long pendingSinceNanos; // 0 = everything written has been flushed
    /** {@link #flush()} requests the capture thread completes at its next break, once it flushed. */
    private final java.util.concurrent.ConcurrentLinkedQueue<java.util.concurrent.CompletableFuture<Void>> flushWaiters =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** While someone watches the capture live: flush after every dispatch batch, not every flush interval. */
    private volatile boolean flushEachBatch;
    private volatile String device = "";
    private volatile String effectiveFilter = "";
    private volatile int linktype;
    private volatile RingFile writing;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>(); // capture thread only

    private CaptureSession(CaptureOptions options, Listeners listeners, InstantSource clock, Duration compileTimeout) {
        this.options = options;
        this.onEnd = listeners.onEnd();
        this.onFileClosed = listeners.onFileClosed();
        this.clock = clock;
        this.compileTimeout = compileTimeout;
        this.stats = new CaptureStats(0, 0, 0, 0, 0, null, null, null);
        // arm() runs pcap_compile, whose recursion needs more than the agent's default thread stack
        this.thread = Thread.ofPlatform().name("netwatcher-capture-" + options.output().getFileName())
                .daemon(true).stackSize(CaptureEngine.COMPILE_STACK_BYTES).unstarted(this::run);
    }

    /** {@link #start(CaptureOptions, Consumer, InstantSource)} with the system clock. */
    public static CaptureSession start(CaptureOptions options, Consumer<CaptureResult> onEnd) throws CaptureException {
        return start(options, onEnd, InstantSource.system());
    }

    /**
     * Opens the interfaces, installs the filter, creates the output file and starts capturing.
     * Returns once the capture is armed. The filter is compiled here, once, for the live handle, on the
     * capture thread (stack {@link CaptureEngine#COMPILE_STACK_BYTES}); a compile that takes longer
     * than {@link CaptureEngine#COMPILE_TIMEOUT} fails the start at once. The start checks (libpcap and
     * privileges, interfaces, disk floor, filter, file) are made here and nowhere else;
     * {@link CaptureException#problem()} tells a filter or disk-floor refusal from the others.
     *
     * @param onEnd  called once on the capture thread when the session has ended and the file is closed
     * @param clock  stamps {@link CaptureStats#armedAt()}; packet timestamps are the kernel's
     * @throws CaptureException when libpcap is unavailable, an interface or the filter is refused,
     *                          the file cannot be created or the disk is below its floor; nothing is
     *                          left behind (a file created for the session is removed)
     */
    public static CaptureSession start(CaptureOptions options, Consumer<CaptureResult> onEnd, InstantSource clock)
            throws CaptureException {
        return start(options, onEnd, clock, CaptureEngine.COMPILE_TIMEOUT);
    }

    /** As {@link #start(CaptureOptions, Consumer, InstantSource)}, abandoning the filter's compile after {@code compileTimeout}. */
    static CaptureSession start(CaptureOptions options, Consumer<CaptureResult> onEnd, InstantSource clock,
                                Duration compileTimeout) throws CaptureException {
        return start(options, new Listeners(onEnd, file -> {}), clock, compileTimeout);
    }

    /**
     * What a session tells its owner, on the capture thread.
     *
     * @param onEnd        once, when the session has ended and its (last) file is closed
     * @param onFileClosed for a ring ({@link CaptureOptions#ring()}), each file once it is closed, the last one
     *                     included (before {@code onEnd}); it must return quickly (the kernel ring fills meanwhile)
     */
    public record Listeners(Consumer<CaptureResult> onEnd, Consumer<RingFile> onFileClosed) {
        public Listeners {
            Objects.requireNonNull(onEnd, "onEnd");
            Objects.requireNonNull(onFileClosed, "onFileClosed");
        }
    }

    /** As {@link #start(CaptureOptions, Consumer, InstantSource)}, telling {@code listeners} of closed ring files too. */
    public static CaptureSession start(CaptureOptions options, Listeners listeners, InstantSource clock) throws CaptureException {
        return start(options, listeners, clock, CaptureEngine.COMPILE_TIMEOUT);
    }

    static CaptureSession start(CaptureOptions options, Listeners listeners, InstantSource clock,
                                Duration compileTimeout) throws CaptureException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(clock, "clock");
        Optional<String> unavailable = CaptureEngine.unavailableReason();
        if (unavailable.isPresent()) throw new CaptureException(unavailable.get());
        CaptureSession session = new CaptureSession(options, listeners, clock, compileTimeout);
        session.thread.start();
        try {
            session.armed.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CaptureException ce) throw new CaptureException(ce.problem(), ce.getMessage(), ce);
            throw new CaptureException("capture to " + options.output() + " failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            session.stop(EndCause.STOP_REQUESTED);
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while starting the capture to " + options.output(), e);
        }
        return session;
    }

    /**
     * Asks the session to end with {@code cause}; returns at once. The first cause wins (later calls
     * return false). Packets the kernel already accepted are still written (see {@link #DRAIN}).
     */
    public boolean stop(EndCause cause) {
        Objects.requireNonNull(cause, "cause");
        if (result.isDone()) return false;
        boolean first = stop.compareAndSet(null, new Stop(cause, System.nanoTime() + DRAIN.toNanos()));
        if (first) CaptureTimer.once(this::wake, DRAIN);
        return first;
    }

    /**
     * For a ring, the file being written, with its counts as of the last batch ({@link RingFile#closedAt()} null);
     * null for one-file captures, before arming and after the end.
     */
    public RingFile writing() { return writing; }

    /** Counters as of the last batch (packets exact as of the last flush, see {@link CaptureStats}). */
    public CaptureStats stats() { return stats; }

    /** Completes with the result when the session has ended and the file is closed. */
    public CompletableFuture<CaptureResult> result() { return result.copy(); }

    /** Waits up to {@code timeout} for the end; empty when the session is still running. */
    public Optional<CaptureResult> awaitEnd(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // never: result is only completed normally
        }
    }

    public CaptureOptions options() { return options; }

    /** The libpcap device opened: the interface, or {@code any} for several interfaces. */
    public String device() { return device; }

    /** The filter installed in the kernel, including the {@code ifindex} clause for several interfaces. */
    public String effectiveFilter() { return effectiveFilter; }

    /** The file's link type: the interface's own (1 for Ethernet), or 276 (LINUX_SLL2) for several. */
    public int linktype() { return linktype; }

    /** Stops with {@link EndCause#STOP_REQUESTED} (unless already ending) and waits until the file is closed. */
    @Override
    public void close() {
        stop(EndCause.STOP_REQUESTED);
        boolean interrupted = false;
        while (true) {
            try {
                result.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * While {@code on}, the file is flushed after every dispatch batch (at most one read timeout behind the wire)
     * instead of every flush interval: what a live stream reads (docs/captures.md "Live stream"). Thread-safe.
     */
    public void flushEachBatch(boolean on) { flushEachBatch = on; }

    /** Breaks the capture thread out of pcap_dispatch (stop deadline or pending flush). */
    private void wake() {
        synchronized (handleLock) {
            if (liveHandle != null) Pcap.breakloop(liveHandle);
        }
    }

    /**
     * Has the capture thread flush what libpcap wrote so far into the file at once (it is woken), rather than within
     * the flush interval: a snapshot then reads every record delivered by now. The future completes once the file holds
     * them, or at once when the capture has ended (its file is then flushed and closed); callers bound their wait,
     * since a request that races the capture's very end may be left unanswered.
     */
    public java.util.concurrent.CompletableFuture<Void> flush() {
        var done = new java.util.concurrent.CompletableFuture<Void>();
        flushWaiters.add(done);
        if (result.isDone()) flushed(); // ended: the file was flushed and closed
        else wake();
        return done;
    }

    /** Completes the flush requests taken so far. */
    private void flushed() {
        for (var f = flushWaiters.poll(); f != null; f = flushWaiters.poll()) f.complete(null);
    }

    private void flushCheck() {
        long since = pendingSinceNanos;
        if (since != 0 && System.nanoTime() - since >= options.flushInterval().toNanos()) wake();
    }

    // ------------------------------------------------------------------ capture thread

    private void run() {
        try (Arena arena = Arena.ofConfined()) {
            Capture capture = new Capture(arena);
            try {
                capture.arm();
            } catch (Throwable t) {
                capture.abandon();
                armed.completeExceptionally(t);
                return;
            }
            if (!armed.complete(null)) { // the start was answered already (its filter compile timed out)
                capture.abandon();
                return;
            }
            CaptureResult end = capture.loop();
            try {
                onEnd.accept(end);
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("file", options.output()).setCause(e).log("a capture's end callback failed"); // a bug
            }
            result.complete(end);
        } catch (Throwable t) { // never expected: loop() turns failures into results
            LOG.atError().addKeyValue("file", options.output()).setCause(t).log("capture thread died");
            armed.completeExceptionally(t);
            result.complete(new CaptureResult(EndCause.FAILED, stats, "internal error: " + t));
        }
    }

    /** State owned by the capture thread. */
    private final class Capture {
        private final Arena arena;
        private MemorySegment handle;
        private MemorySegment dumper;
        private MemorySegment statBuffer;
        private FileChannel reader;
        private RecordWalker walker;
        private FileStore store;
        private boolean fileCreated;
        private int snapLength;
        private Instant armedAt;
        private long counted; // packets reported by pcap_dispatch since the last walk
        private Path current; // the file being written
        // ring only: the file being written and what the closed ones held
        private long fileIndex;
        private Instant fileOpenedAt;
        private long closedBytes, closedPackets;
        private Instant firstClosedPacket, lastClosedPacket;
        private Pcap.Stat kernel = new Pcap.Stat(0, 0, 0);

        Capture(Arena arena) { this.arena = arena; }

        void arm() throws IOException {
            Path output = options.ring() == null ? options.output() : ringPath(options.ring().firstIndex());
            List<String> interfaces = options.interfaces().isEmpty() ? CaptureEngine.hostInterfaces() : options.interfaces();
            if (interfaces.isEmpty()) {
                throw new CaptureException("no interface to capture on: this host has no interface that is up"
                        + " with an address (other than loopback); name the interfaces explicitly");
            }
            Path parent = output.getParent();
            if (parent == null || !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                throw new CaptureException("directory of capture file " + output + " does not exist");
            }
            store = Files.getFileStore(parent);
            if (options.diskFloorBytes() > 0) CaptureEngine.requireFreeSpace(store, parent, options.diskFloorBytes());

            String filter = options.bpfFilter();
            String dev;
            if (interfaces.size() == 1) {
                dev = interfaces.getFirst();
            } else {
                dev = "any";
                List<String> indexes = new ArrayList<>();
                for (String name : interfaces) indexes.add("ifindex " + ifindex(name));
                String only = "(" + String.join(" or ", indexes) + ")";
                filter = filter.isEmpty() ? only : only + " and (" + filter + ")";
            }
            device = dev;
            effectiveFilter = filter;

            handle = Pcap.create(dev, arena);
            Pcap.setSnaplen(handle, options.snapLength());
            Pcap.setPromisc(handle, false);
            Pcap.setTimeout(handle, READ_TIMEOUT_MS);
            Pcap.setBufferSize(handle, options.bufferBytes());
            Pcap.setNanosecondPrecision(handle); // falls back to microseconds where unsupported
            String warning = Pcap.activate(handle, dev);
            if (warning != null) LOG.atInfo().addKeyValue("interface", dev).log("libpcap warning: {}", warning);
            if (interfaces.size() > 1) Pcap.setDatalink(handle, Pcap.DLT_LINUX_SLL2);
            if (!filter.isEmpty()) {
                MemorySegment program = compileWithin(filter, compileTimeout);
                try {
                    Pcap.setFilter(handle, program, filter);
                } finally {
                    Pcap.freecode(program);
                }
            }
            linktype = Pcap.datalink(handle);
            snapLength = Pcap.snapshot(handle);
            statBuffer = arena.allocate(Pcap.PCAP_STAT);

            armedAt = clock.instant();
            openFile(output, options.ring() == null ? 1 : options.ring().firstIndex());

            publish(RecordWalker.FILE_HEADER);
            synchronized (handleLock) {
                liveHandle = handle;
            }
            if (stop.get() != null) {
                CaptureTimer.once(CaptureSession.this::wake, DRAIN); // stopped while arming: its wake-up found no handle
            }
            if (!options.timeLimit().isZero()) {
                timers.add(CaptureTimer.once(() -> stop(EndCause.TIME_LIMIT), options.timeLimit()));
            }
            Duration period = options.flushInterval().dividedBy(4);
            if (period.toMillis() < 10) period = Duration.ofMillis(10);
            timers.add(CaptureTimer.every(CaptureSession.this::flushCheck, period));
        }

        /** The path of ring file {@code index}, opened now. */
        private Path ringPath(long index) {
            fileOpenedAt = clock.instant();
            return options.output().resolveSibling(RingFile.name(options.output(), index, fileOpenedAt));
        }

        /** Creates {@code path} (exclusively) with its header flushed and starts walking it. */
        private void openFile(Path path, long index) throws IOException {
            try (Arena name = Arena.ofConfined()) {
                dumper = Pcap.dumpCreate(handle, path.toString(), name);
            }
            current = path;
            fileIndex = index;
            fileCreated = true;
            Pcap.dumpFlush(dumper); // the header is on disk before anyone is told "armed" (or the file listed)
            reader = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            walker = RecordWalker.open(reader, path.toString());
        }

        /**
         * Closes the current file and walks what it holds (exact counts), between two dispatch batches: packets
         * arriving meanwhile wait in the kernel ring.
         */
        private RingFile closeFile() throws IOException {
            Pcap.dumpClose(dumper); // writes what stdio still holds and closes the file
            dumper = null;
            pendingSinceNanos = 0;
            long size;
            try {
                size = reader.size();
                walker.walk(reader, size);
            } finally {
                reader.close();
            }
            counted = 0;
            RingFile closed = new RingFile(fileIndex, current, fileOpenedAt, clock.instant(), size, walker.packets(),
                    walker.firstPacket(), walker.lastPacket());
            walker = null;
            closedBytes += size;
            closedPackets += closed.packets();
            if (firstClosedPacket == null) firstClosedPacket = closed.firstPacket();
            if (closed.lastPacket() != null) lastClosedPacket = closed.lastPacket();
            return closed;
        }

        /** Ring rollover: closes the full file, opens the next, then hands the closed one to the listener. */
        private void rotate() throws IOException {
            RingFile closed = closeFile();
            fileCreated = false;
            openFile(ringPath(fileIndex + 1), fileIndex + 1);
            announce(closed);
        }

        private void announce(RingFile closed) {
            try {
                onFileClosed.accept(closed);
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("file", closed.path()).setCause(e).log("a ring file listener failed"); // a bug
            }
        }

        /**
         * The capture's one {@code pcap_compile}: on this thread (its stack is
         * {@link CaptureEngine#COMPILE_STACK_BYTES}) and for the live handle, so the program is the one
         * installed. When it takes longer than {@code timeout}, {@link #start} fails at once with
         * {@link CaptureException.Problem#FILTER}; this thread finishes the compile on its own and then
         * releases everything ({@link #abandon}), as the start has been answered.
         */
        private MemorySegment compileWithin(String filter, Duration timeout) {
            ScheduledFuture<?> deadline = CaptureTimer.once(() -> armed.completeExceptionally(new CaptureException(
                    CaptureException.Problem.FILTER, CaptureEngine.compileTimedOut(filter, timeout), null)), timeout);
            MemorySegment program;
            try {
                program = Pcap.compile(handle, filter, arena);
            } finally {
                deadline.cancel(false);
            }
            if (armed.isDone()) { // the start timed out while this compile ran
                Pcap.freecode(program);
                throw new CaptureException(CaptureException.Problem.FILTER, "the compile finished after its start was abandoned", null);
            }
            return program;
        }

        private int ifindex(String name) {
            int index = Pcap.ifIndex(name); // if_nametoindex: this thread's network namespace
            if (index == 0) throw new CaptureException("cannot capture on interface '" + name + "': no such interface");
            return index;
        }

        /** Releases whatever arm() got before it failed; removes the file it created. */
        void abandon() {
            synchronized (handleLock) {
                liveHandle = null;
            }
            for (ScheduledFuture<?> timer : timers) timer.cancel(false);
            closeQuietly();
            if (fileCreated) {
                try {
                    Files.deleteIfExists(current);
                } catch (IOException e) {
                    LOG.atWarn().addKeyValue("file", current).setCause(e).log("cannot remove the file after a failed start");
                }
            }
        }

        private void closeQuietly() {
            if (dumper != null) Pcap.dumpClose(dumper);
            dumper = null;
            if (handle != null) Pcap.close(handle);
            handle = null;
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // read-only channel: nothing to lose
                }
            }
        }

        CaptureResult loop() {
            EndCause cause = null;
            String failure = null;
            long flushNanos = options.flushInterval().toNanos();
            long flushedBytes = RecordWalker.FILE_HEADER;
            try {
                while (true) {
                    long bytes = Pcap.dumpFtell(dumper);
                    int n = Pcap.dispatch(handle, batchBound(bytes), dumper);
                    if (n == Pcap.PCAP_ERROR) {
                        cause = EndCause.FAILED;
                        failure = "reading packets from '" + device + "' failed: " + Pcap.geterr(handle);
                        break;
                    }
                    if (n > 0) counted += n;
                    bytes = Pcap.dumpFtell(dumper);
                    if (bytes < 0) {
                        cause = EndCause.FAILED;
                        failure = "writing " + current + " failed";
                        break;
                    }
                    long now = System.nanoTime();
                    RingOptions ring = options.ring();
                    if (ring != null && bytes >= ring.fileSizeBytes()) {
                        if (!ring.continuous() && fileIndex >= ring.fileCount()) {
                            publish(bytes);
                            stop.compareAndSet(null, new Stop(EndCause.BYTE_LIMIT, now));
                            break;
                        }
                        rotate();
                        bytes = RecordWalker.FILE_HEADER;
                        flushedBytes = bytes;
                    }
                    boolean asked = !flushWaiters.isEmpty(); // taken before the flush: what was delivered by then is in it
                    if (bytes > flushedBytes) {
                        long since = pendingSinceNanos;
                        if (since == 0) pendingSinceNanos = since = now;
                        if (flushEachBatch || now - since >= flushNanos || asked) {
                            flushAndWalk(bytes);
                            flushedBytes = bytes;
                        }
                    }
                    if (asked) flushed();
                    Pcap.Stat read = Pcap.stats(handle, statBuffer);
                    if (read != null) kernel = read;
                    publish(bytes);
                    if (options.byteLimit() > 0 && closedBytes + bytes >= options.byteLimit()) {
                        stop.compareAndSet(null, new Stop(EndCause.BYTE_LIMIT, now));
                        break;
                    }
                    if (!aboveFloor()) {
                        stop.compareAndSet(null, new Stop(EndCause.DISK_FLOOR, now));
                        break;
                    }
                    Stop requested = stop.get();
                    if (requested != null && now - requested.deadlineNanos() >= 0) break;
                }
            } catch (RuntimeException | IOException e) {
                cause = EndCause.FAILED;
                failure = "capture on '" + device + "' to " + current + " failed: " + e.getMessage();
            }
            return finish(cause, failure);
        }

        /** Packets one dispatch may write: bounded so the file passes the byte limit by at most one record. */
        private int batchBound(long bytes) {
            long room = Long.MAX_VALUE;
            if (options.byteLimit() > 0) room = options.byteLimit() - closedBytes - bytes;
            if (options.ring() != null) room = Math.min(room, options.ring().fileSizeBytes() - bytes);
            if (room == Long.MAX_VALUE) return MAX_BATCH;
            long fit = room / (RecordWalker.RECORD_HEADER + snapLength);
            return (int) Math.max(1, Math.min(MAX_BATCH, fit));
        }

        private void flushAndWalk(long bytes) throws IOException {
            Pcap.dumpFlush(dumper);
            pendingSinceNanos = 0;
            walker.walk(reader, bytes);
            counted = 0;
        }

        /** True while free space is at or above the floor (arming refused below it, see {@link CaptureEngine#requireFreeSpace}). */
        private boolean aboveFloor() throws IOException {
            return options.diskFloorBytes() == 0 || store.getUsableSpace() >= options.diskFloorBytes();
        }

        private void publish(long bytes) {
            RecordWalker open = walker; // null between a ring file's close and the next one's open
            if (options.ring() != null) {
                writing = open == null ? null : new RingFile(fileIndex, current, fileOpenedAt, null, bytes,
                        open.packets() + counted, open.firstPacket(), open.lastPacket());
            }
            Instant first = firstClosedPacket != null ? firstClosedPacket : open == null ? null : open.firstPacket();
            Instant last = open != null && open.lastPacket() != null ? open.lastPacket() : lastClosedPacket;
            stats = new CaptureStats(closedPackets + (open == null ? 0 : open.packets()) + counted, closedBytes + bytes, kernel.received(),
                    kernel.dropped(), kernel.interfaceDropped(), first, last, armedAt);
        }

        private CaptureResult finish(EndCause failedCause, String failure) {
            for (ScheduledFuture<?> timer : timers) timer.cancel(false);
            synchronized (handleLock) {
                liveHandle = null; // no pcap_breakloop after this point
            }
            try {
                Pcap.Stat read = Pcap.stats(handle, statBuffer);
                if (read != null) kernel = read;
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("interface", device).setCause(e).log("pcap_stats failed");
            }
            if (dumper == null) { // a ring rollover failed between two files: nothing is open
                Pcap.close(handle);
                handle = null;
                publish(0);
                return new CaptureResult(EndCause.FAILED, stats, failure != null ? failure : "the ring's next file could not be opened");
            }
            try {
                Pcap.dumpFlush(dumper);
            } catch (RuntimeException e) {
                if (failure == null) failure = "flushing " + current + " failed: " + e.getMessage();
            }
            flushed();
            if (options.ring() != null) return finishRing(failedCause, failure);
            Pcap.dumpClose(dumper); // writes what stdio still holds and closes the file
            dumper = null;
            Pcap.close(handle);
            handle = null;
            pendingSinceNanos = 0;
            long size = 0;
            try {
                size = reader.size();
                walker.walk(reader, size); // exact count: includes packets of a dispatch interrupted by breakloop
                reader.force(true);
            } catch (IOException e) {
                if (failure == null) failure = "reading back " + current + " failed: " + e.getMessage();
            } finally {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
            counted = 0;
            publish(size);
            return ended(failedCause, failure);
        }

        /** The end of a ring: the last file is closed, walked and handed over like every other. */
        private CaptureResult finishRing(EndCause failedCause, String failure) {
            Pcap.close(handle);
            handle = null;
            RingFile last = null;
            try {
                last = closeFile();
            } catch (IOException | RuntimeException e) {
                if (failure == null) failure = "closing " + current + " failed: " + e.getMessage();
            }
            publish(0);
            if (last != null) announce(last);
            return ended(failedCause, failure);
        }

        private CaptureResult ended(EndCause failedCause, String failure) {
            EndCause cause;
            if (failure != null) {
                cause = EndCause.FAILED;
                stop.compareAndSet(null, new Stop(EndCause.FAILED, System.nanoTime()));
            } else {
                Stop requested = stop.get();
                cause = failedCause != null ? failedCause : requested != null ? requested.cause() : EndCause.FAILED;
            }
            return new CaptureResult(cause, stats, cause == EndCause.FAILED
                    ? (failure != null ? failure : "stopped by a caller with cause FAILED") : null);
        }
    }
}
