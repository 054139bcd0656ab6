package netwatcher.controller.capture.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import netwatcher.arm.ArmErrorCode;
import netwatcher.arm.ArmException;
import org.junit.jupiter.api.Test;

/** The controller's side of the live stream without HTTP: cutting posts into records, the hub's limits, a reader's queue. */
class LiveStreamTest {
    static final String KEY = "c-1";

    /** A classic pcap (little-endian, nanoseconds, Ethernet, snap 65535) header. */
    static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        return b.array();
    }

    /** Records numbered {@code from}..{@code to}, each of {@code size} data bytes starting with its number as text. */
    static byte[] records(int from, int to, int size) {
        ByteBuffer b = ByteBuffer.allocate((to - from + 1) * (16 + size)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i <= to; i++) {
            byte[] data = Arrays.copyOf(("pkt-" + i + "-").getBytes(StandardCharsets.US_ASCII), size);
            b.putInt(1_800_000_000 + i).putInt(i).putInt(size).putInt(size + 4).put(data);
        }
        return b.array();
    }

    static byte[] post(byte[] data, int from, int to) {
        byte[] body = new byte[24 + to - from];
        System.arraycopy(header(), 0, body, 0, 24);
        System.arraycopy(data, from, body, 24, to - from);
        return body;
    }

    static String text(LivePacket p) {
        String s = new String(p.data(), StandardCharsets.US_ASCII);
        return s.substring(0, s.indexOf('-', 4));
    }

    @Test
    void chunks_carryARecordCutBetweenTwoPosts_andStartAfreshOnAnotherFileOrOffset() {
        PcapChunks chunks = new PcapChunks(KEY);
        byte[] data = records(1, 3, 100); // 3 records of 116 bytes
        List<LivePacket> first = chunks.accept("f1", 24, post(data, 0, 150));
        assertEquals(List.of("pkt-1"), first.stream().map(LiveStreamTest::text).toList());
        assertEquals(1_800_000_001L * 1_000_000_000L + 1, first.getFirst().timestampNanos(), "nanosecond pcap");
        assertEquals(104, first.getFirst().origlen());
        assertEquals(1, first.getFirst().linktype());
        List<LivePacket> rest = chunks.accept("f1", 24 + 150, post(data, 150, data.length));
        assertEquals(List.of("pkt-2", "pkt-3"), rest.stream().map(LiveStreamTest::text).toList());

        // a half record, then a post of another file: the half is dropped, the new file's records come whole
        assertEquals(List.of(), chunks.accept("f1", 24 + data.length, post(records(4, 4, 100), 0, 50)));
        byte[] next = records(10, 11, 60);
        assertEquals(List.of("pkt-10", "pkt-11"), chunks.accept("f2", 24, post(next, 0, next.length)).stream().map(LiveStreamTest::text).toList());
    }

    @Test
    void chunks_refuseWhatIsNotAPcapPost() {
        PcapChunks chunks = new PcapChunks(KEY);
        assertThrows(ArmException.class, () -> chunks.accept("f", 24, new byte[10]));
        byte[] notPcap = new byte[40];
        assertEquals(ArmErrorCode.InvalidRequestContent, assertThrows(ArmException.class, () -> chunks.accept("f", 24, notPcap)).code());
        byte[] hugeCaplen = post(records(1, 1, 10), 0, 26);
        ByteBuffer.wrap(hugeCaplen).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 1 << 30);
        assertThrows(ArmException.class, () -> chunks.accept("f", 24, hugeCaplen));
    }

    static final class FakeClock implements InstantSource {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T18:00:00Z"));

        @Override
        public Instant instant() { return now.get(); }

        void advance(Duration d) { now.updateAndGet(i -> i.plus(d)); }
    }

    static LiveSource source(String key) { return new LiveSource(key, "vm-" + key, "db/eth0", "host db"); }

    @Test
    void hub_refusesBeyondItsLimits_with429_andOrdersOnlyTheWatchedVm() {
        LiveHub hub = new LiveHub(new LiveHub.Limits(2, 3, 1 << 16), new FakeClock());
        LiveStream a = hub.open(KEY, "pc1", List.of(source(KEY)));
        hub.open(KEY, "pc1", List.of(source(KEY)));
        ArmException perCapture = assertThrows(ArmException.class, () -> hub.open(KEY, "pc1", List.of(source(KEY))));
        assertEquals(ArmErrorCode.LiveStreamLimitReached, perCapture.code());
        assertEquals(429, perCapture.status());
        hub.open("c-2", "pc2", List.of(source("c-2")));
        ArmException perController = assertThrows(ArmException.class, () -> hub.open("c-3", "pc3", List.of(source("c-3"))));
        assertTrue(perController.getMessage().contains("3 live streams"), perController.getMessage());

        assertEquals(1, hub.ordersFor("vm-" + KEY, "https://c:1").size());
        assertEquals("https://c:1/agent/v1/captures/c-1/live", hub.ordersFor("vm-" + KEY, "https://c:1").getFirst().url());
        assertEquals(List.of(), hub.ordersFor("vm-other", "https://c:1"));
        hub.close(a);
        assertTrue(hub.watched(KEY), "one stream of c-1 is still open");
        assertFalse(hub.ingest("c-9", new LiveHub.LivePost("f", 24, post(records(1, 1, 10), 0, 26), false)), "nobody watches c-9");
    }

    @Test
    void slowReader_losesWholePacketsForItselfOnly_andIsToldBeforeTheNextOneAndAtTheEnd() throws Exception {
        FakeClock clock = new FakeClock();
        LiveHub hub = new LiveHub(new LiveHub.Limits(4, 4, 1 << 16), clock);
        LiveStream slow = hub.open(KEY, "pc1", List.of(source(KEY)));
        LiveStream fast = hub.open(KEY, "pc1", List.of(source(KEY)));
        ByteArrayOutputStream fastOut = new ByteArrayOutputStream();
        Thread fastPump = Thread.ofPlatform().start(() -> {
            try {
                fast.pump(fastOut);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // 1000-byte packets: the slow reader's 64 KiB queue holds 63 of them; 200 are sent, in posts of 20
        int n = 200;
        byte[] data = records(1, n, 1000);
        int recordBytes = 16 + 1000;
        for (int i = 0; i < n; i += 20) {
            assertTrue(hub.ingest(KEY, new LiveHub.LivePost("f1", 24L + (long) i * recordBytes,
                    post(data, i * recordBytes, (i + 20) * recordBytes), false)));
            Thread.sleep(5); // the fast reader keeps up
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fast.delivered() < n && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(slow.missed() > 0, "the slow reader lost packets");
        assertEquals(n, slow.missed() + 63, "its queue kept 63 of 1032 bytes each in 64 KiB");
        ByteArrayOutputStream slowOut = new ByteArrayOutputStream();
        Thread slowPump = Thread.ofPlatform().start(() -> { // the slow reader reads at last: what it kept, then the rest
            try {
                slow.pump(slowOut);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (slow.delivered() < 63 && System.nanoTime() < deadline) Thread.sleep(10);
        hub.ingest(KEY, new LiveHub.LivePost("f1", 24L + (long) n * recordBytes, post(records(n + 1, n + 1, 1000), 0, recordBytes), false));
        hub.ingest(KEY, new LiveHub.LivePost("f1", 24L + (long) (n + 1) * recordBytes, header(), true)); // the agent's last post
        slowPump.join(10_000);
        assertFalse(slowPump.isAlive(), "the slow stream ended with the agent's last post");
        fastPump.join(10_000);
        assertFalse(fastPump.isAlive(), "the fast stream ended with the agent's last post");
        assertEquals(n + 1, fast.delivered());
        assertEquals(0, fast.missed());
        String slowText = new String(slowOut.toByteArray(), StandardCharsets.ISO_8859_1);
        // told once, in-band: on the packet after the gap, or in a statistics block when the reader emptied its queue first
        assertTrue(slowText.contains("netwatcher: " + slow.missed() + " packets missed before this "), "told of the gap");
        int told = slowText.indexOf("packets missed before this ");
        assertEquals(told, slowText.lastIndexOf("packets missed before this "), "once");
        assertTrue(told > slowText.indexOf("pkt-63-"), "after the packets it kept");
        assertEquals(-1, slowText.indexOf("pkt-64-"), "the first packet that did not fit is not there");
        assertTrue(slowText.contains("64 packets delivered, " + slow.missed() + " missed by this reader"), "totals at the end");
        assertEquals(64, slow.delivered());
        List<Integer> types = blockTypes(slowOut.toByteArray());
        assertEquals(List.of(0x0A0D0D0A, 1), types.subList(0, 2), "section header, interface, packets");
        assertEquals(5, (int) types.getLast(), "an interface statistics block at the end");
        String fastText = new String(fastOut.toByteArray(), StandardCharsets.ISO_8859_1);
        assertFalse(fastText.contains("packets missed"), "the other reader lost nothing");
        assertTrue(fastText.contains("db/eth0") && fastText.contains("host db"), "interface name and host comment");
    }

    @Test
    void stream_endsAfterTheCaptureEnded_onlyOnceTheAgentStoppedPosting() throws Exception {
        FakeClock clock = new FakeClock();
        LiveHub hub = new LiveHub(LiveHub.Limits.defaults(), clock);
        LiveStream s = hub.open(KEY, "pc1", List.of(source(KEY)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().start(() -> {
            try {
                s.pump(out);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        hub.ended(KEY); // the final report came before the agent's backlog
        clock.advance(Duration.ofSeconds(2));
        hub.ingest(KEY, new LiveHub.LivePost("f1", 24, post(records(1, 1, 10), 0, 26), false));
        clock.advance(Duration.ofSeconds(2)); // 4 s after the end, 2 s after the last post: still open
        Thread.sleep(600);
        assertTrue(pump.isAlive(), "an agent still posting is waited for");
        clock.advance(Duration.ofSeconds(2));
        pump.join(5000);
        assertFalse(pump.isAlive(), "3 s without a post after the end: the stream ends");
        assertEquals(1, s.delivered());
    }

    static List<Integer> blockTypes(byte[] pcapng) {
        List<Integer> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(pcapng).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p + 8 <= pcapng.length; p += b.getInt(p + 4)) out.add(b.getInt(p));
        return out;
    }
}
