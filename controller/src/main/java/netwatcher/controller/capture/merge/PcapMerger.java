package netwatcher.controller.capture.merge;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The streamed k-way merge of capture files into one time-ordered pcapng (see the package comment).
 * Stateless and thread-safe; each {@link #merge} call owns its inputs and output.
 */
public final class PcapMerger {
    /** Output buffer: large enough that the write system calls do not show in a profile. */
    private static final int OUTPUT_BUFFER = 1 << 20;
    private static final Comparator<PacketSource> ORDER =
            Comparator.<PacketSource>comparingLong(s -> s.timestampNanos).thenComparingInt(s -> s.position);

    private PcapMerger() {}

    /**
     * Merges {@code inputs} into {@code output} (not closed). Inputs are opened all at once and read
     * once each; every one is closed before this returns.
     *
     * @throws PcapFormatException when an input is not a capture file
     */
    public static MergeResult merge(List<MergeInput> inputs, OutputStream output) throws IOException {
        return merge(inputs, output, "netwatcher merge");
    }

    /**
     * As {@link #merge(List, OutputStream)}, with {@code sectionComment} as the section header's comment (what the file
     * holds, and what it does not). Inputs with the same VM, interface name, link type, snap length and host comment
     * (the consecutive files of one host's ring) share one interface block.
     */
    public static MergeResult merge(List<MergeInput> inputs, OutputStream output, String sectionComment) throws IOException {
        List<PacketSource> sources = new ArrayList<>();
        try {
            for (int i = 0; i < inputs.size(); i++) {
                MergeInput in = inputs.get(i);
                sources.add(new PacketSource(i, "input " + i + " (" + in.vm() + ")", in.opener().open()));
            }
            BufferedOutputStream buffered = new BufferedOutputStream(output, OUTPUT_BUFFER);
            PcapngWriter writer = new PcapngWriter(buffered);
            writer.sectionHeader(sectionComment);
            PriorityQueue<PacketSource> queue = new PriorityQueue<>(Math.max(1, sources.size()), ORDER);
            for (PacketSource s : sources) if (s.advance()) queue.add(s);
            Map<Long, Integer> outputIds = new HashMap<>();
            Map<String, Integer> byInterface = new HashMap<>();
            long packets = 0;
            while (!queue.isEmpty()) {
                PacketSource s = queue.poll();
                long key = ((long) s.position << 40) | ((long) s.section << 20) | s.interfaceId();
                Integer id = outputIds.get(key);
                if (id == null) {
                    MergeInput in = inputs.get(s.position);
                    PacketSource.Interface iface = s.interfaceOf(s.interfaceId());
                    String name = in.vm() + "/" + interfaceName(in, iface, s.interfaceId());
                    String comment = in.hostComment() == null ? "host " + in.vm() : in.hostComment();
                    String same = name + "\0" + iface.linktype() + "\0" + iface.snaplen() + "\0" + comment;
                    id = byInterface.get(same);
                    if (id == null) {
                        id = byInterface.size();
                        byInterface.put(same, id);
                        writer.interfaceBlock(iface.linktype(), iface.snaplen(), name, comment);
                    }
                    outputIds.put(key, id);
                }
                writer.packet(id, s.timestampNanos, s.array(), s.dataOffset(), s.caplen(), s.origlen());
                packets++;
                if (s.advance()) queue.add(s);
            }
            buffered.flush();
            return new MergeResult(packets, byInterface.size(), writer.bytes());
        } finally {
            for (PacketSource s : sources) {
                try {
                    s.close();
                } catch (IOException e) {
                    // every packet has been read (or the merge failed already): a close failure changes nothing
                }
            }
        }
    }

    private static String interfaceName(MergeInput in, PacketSource.Interface iface, int localId) {
        if (iface.name() != null && !iface.name().isBlank()) return iface.name();
        if (in.interfaceName() != null && localId == 0) return in.interfaceName();
        return "if" + localId;
    }
}
