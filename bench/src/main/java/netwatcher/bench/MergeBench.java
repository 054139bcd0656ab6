package netwatcher.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import netwatcher.controller.capture.merge.MergeInput;
import netwatcher.controller.capture.merge.MergeResult;
import netwatcher.controller.capture.merge.PcapMerger;

/**
 * The controller's pcapng merge against {@code mergecap} on the same inputs: {@code hosts} classic
 * pcap files of {@code megabytes} each (Ethernet frames of 60-1514 bytes, interleaved timestamps),
 * merged {@code rounds} times by each, alternating, best and median wall time printed, and the ratio
 * mergecap / netwatcher (≥ 1.0: netwatcher at least as fast). {@code merge DIR OUT} runs one merge in
 * this JVM and exits (the script times it as a process, JVM start included, under a small heap).
 */
public final class MergeBench {
    private MergeBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("merge")) {
            MergeResult r = merge(inputs(Path.of(args[1])), Path.of(args[2]));
            System.out.println("merged " + r.packets() + " packets, " + r.interfaces() + " interfaces, " + r.bytes() + " bytes");
            return;
        }
        Path dir = Path.of(args[0]);
        int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int megabytes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        long packets = 0;
        for (int h = 0; h < hosts; h++) packets += generate(dir.resolve("host" + h + ".pcap"), h, megabytes * 1_000_000L);
        System.out.printf("inputs: %d pcap files x %d MB, %d packets in all%n", hosts, megabytes, packets);
        List<Path> files = inputFiles(dir);
        List<Long> ours = new ArrayList<>();
        List<Long> theirs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> cmd = new ArrayList<>(List.of("mergecap", "-F", "pcapng", "-w", dir.resolve("mergecap.pcapng").toString()));
            files.forEach(f -> cmd.add(f.toString()));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (p.waitFor() != 0) throw new IllegalStateException("mergecap failed: " + p.exitValue());
            long mergecap = System.nanoTime() - t0;
            t0 = System.nanoTime();
            MergeResult r = merge(inputs(dir), dir.resolve("netwatcher.pcapng"));
            long netwatcher = System.nanoTime() - t0;
            if (r.packets() != packets) throw new IllegalStateException("merged " + r.packets() + " packets of " + packets);
            theirs.add(mergecap);
            ours.add(netwatcher);
            System.out.printf("round %d: mergecap %.3f s, netwatcher (in-process) %.3f s, ratio %.2f; output %d vs %d bytes%n", round,
                    mergecap / 1e9, netwatcher / 1e9, (double) mergecap / netwatcher,
                    Files.size(dir.resolve("mergecap.pcapng")), r.bytes());
        }
        ours.sort(null);
        theirs.sort(null);
        System.out.printf("best: mergecap %.3f s, netwatcher %.3f s, ratio %.2f%n", theirs.get(0) / 1e9, ours.get(0) / 1e9,
                (double) theirs.get(0) / ours.get(0));
        System.out.printf("median: mergecap %.3f s, netwatcher %.3f s, ratio %.2f%n", theirs.get(rounds / 2) / 1e9,
                ours.get(rounds / 2) / 1e9, (double) theirs.get(rounds / 2) / ours.get(rounds / 2));
    }

    private static List<Path> inputFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".pcap")).sorted().toList();
        }
    }

    private static List<MergeInput> inputs(Path dir) throws IOException {
        List<MergeInput> inputs = new ArrayList<>();
        for (Path f : inputFiles(dir)) {
            String vm = f.getFileName().toString().replace(".pcap", "");
            inputs.add(new MergeInput(vm, "eth0", "host " + vm, () -> Files.newByteChannel(f)));
        }
        return inputs;
    }

    private static MergeResult merge(List<MergeInput> inputs, Path out) throws IOException {
        try (OutputStream o = Files.newOutputStream(out)) {
            return PcapMerger.merge(inputs, o);
        }
    }

    /** A classic pcap file of about {@code bytes}: packets every 1-20 µs (host {@code seed} offset by its index). */
    private static long generate(Path file, int seed, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] frame = new byte[1514];
        random.nextBytes(frame);
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        long packets = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
            out.write(header.array());
            long written = 24;
            long micros = 1_764_000_000_000_000L + seed;
            ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            while (written < bytes) {
                micros += random.nextInt(1, 20);
                int length = random.nextInt(60, 1515);
                record.clear();
                record.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(length).putInt(length);
                out.write(record.array());
                out.write(frame, 0, length);
                written += 16 + length;
                packets++;
            }
        }
        return packets;
    }
}
