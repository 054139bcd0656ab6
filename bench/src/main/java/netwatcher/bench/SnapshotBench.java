package netwatcher.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import netwatcher.agent.capture.RingFile;
import netwatcher.agent.capture.RingOptions;
import netwatcher.agent.ring.RingKeeper;
import netwatcher.agent.ring.RingSnapshotter;

/**
 * The agent's part of a ring snapshot: {@link RingSnapshotter#take} on a ring laid out as the engine names it
 * ({@code files} closed files of {@code megabytes} each, one minute of packets per file, plus one file being
 * written), without an upload target, so it times finding the files, the disk-floor check and the streamed cut.
 * Prints p50/p99 over {@code rounds} for a window of the last 30 s (one or two files read) and of the whole ring.
 */
public final class SnapshotBench {
    private SnapshotBench() {}

    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int megabytes = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Path capture = dir.resolve("pc1.cap");
        RingKeeper keeper = new RingKeeper("bench", new RingOptions(files + 2, 4096, true), null, null, () -> {});
        long packets = 0;
        for (int i = 1; i <= files + 1; i++) {
            Instant opened = T0.plusSeconds(60L * (i - 1));
            Path p = capture.resolveSibling(RingFile.name(capture, i, opened));
            long n = write(p, opened, megabytes * 1_000_000L);
            packets += n;
            if (i <= files) {
                keeper.fileClosed(new RingFile(i, p, opened, opened.plusSeconds(60), Files.size(p), n, opened,
                        opened.plusSeconds(60).minusNanos(1)));
            }
        }
        Instant end = T0.plusSeconds(60L * (files + 1));
        System.out.printf("ring: %d closed files + 1 being written, %d MB each, %d packets, %d s covered%n",
                files, megabytes, packets, 60L * (files + 1));
        Ring ring = new Ring(new RingSnapshotter(null, 0), keeper, capture);
        run("last 30 s", ring, end.minusSeconds(30), end, rounds);
        run("last 90 s", ring, end.minusSeconds(90), end, rounds);
        run("whole ring", ring, T0, end, Math.max(3, rounds / 5));
        System.out.println("load after: " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** The ring under test and what snapshots it. */
    private record Ring(RingSnapshotter snapshots, RingKeeper keeper, Path capture) {}

    private static void run(String label, Ring ring, Instant from, Instant to, int rounds) throws Exception {
        long[] nanos = new long[rounds];
        long snapPackets = 0, bytes = 0;
        for (int r = 0; r < rounds; r++) {
            String id = label.replaceAll("[^a-z0-9]", "-") + "-" + r;
            long t0 = System.nanoTime();
            RingSnapshotter.Result res = ring.snapshots().take(ring.keeper(), ring.capture(), new RingSnapshotter.Request(id, from, to), x -> {})
                    .get(10, TimeUnit.MINUTES);
            nanos[r] = System.nanoTime() - t0;
            if (res.error() != null) throw new IllegalStateException(res.error());
            snapPackets = res.packets();
            bytes = res.bytes();
            Files.delete(res.hostPath());
        }
        System.out.printf("%s: %d packets, %d bytes per snapshot; %s%n", label, snapPackets, bytes, Stats.ofNanos(nanos));
    }

    /** A pcap of ~{@code size} bytes of 60-1514-byte frames spread evenly over the minute from {@code opened}. */
    private static long write(Path file, Instant opened, long size) throws IOException {
        long count = size / (16 + 787);
        long step = 60_000_000_000L / count;
        long start = opened.getEpochSecond() * 1_000_000_000L;
        byte[] frame = new byte[1514];
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
            out.write(header.array());
            for (long i = 0; i < count; i++) {
                int len = 60 + (int) (i * 7919 % 1455);
                long t = start + i * step;
                h.clear();
                h.putInt((int) (t / 1_000_000_000L)).putInt((int) (t % 1_000_000_000L)).putInt(len).putInt(len);
                out.write(h.array());
                out.write(frame, 0, len);
            }
        }
        return count;
    }
}
