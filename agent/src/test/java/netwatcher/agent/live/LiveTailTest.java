package netwatcher.agent.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following the capture file being written: where a watcher starts, what each chunk holds, a ring's next file. */
class LiveTailTest {
    @TempDir Path dir;

    static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        return b.array();
    }

    static byte[] record(int n, int size) {
        ByteBuffer b = ByteBuffer.allocate(16 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(n).putInt(0).putInt(size).putInt(size);
        Arrays.fill(b.array(), 16, 16 + size, (byte) n);
        return b.array();
    }

    static void append(Path f, byte[]... parts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.write(p);
        Files.write(f, out.toByteArray(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void oneFile_startsAtTheEndOfTheLastWholeRecord_thenHandsOutWhatIsFlushed() throws Exception {
        Path f = dir.resolve("pc1.cap");
        byte[] r3 = record(3, 30);
        append(f, header(), record(1, 10), record(2, 20), Arrays.copyOf(r3, 20)); // the third is cut by the flush
        LiveTail tail = new LiveTail(f, false);
        LiveTail.Chunk cut = tail.next(1 << 20);
        assertEquals(24 + 26 + 36, cut.offset(), "a watcher starts after the last whole record: the third one, cut by the flush");
        assertArrayEquals(header(), Arrays.copyOf(cut.body(), 24), "each chunk carries the file's header");
        assertArrayEquals(Arrays.copyOf(r3, 20), Arrays.copyOfRange(cut.body(), 24, cut.body().length), "its flushed part goes");
        tail.advance(cut);
        assertNull(tail.next(1 << 20), "nothing new");
        append(f, Arrays.copyOfRange(r3, 20, r3.length), record(4, 5));
        LiveTail.Chunk c = tail.next(1 << 20);
        assertEquals("pc1.cap", c.file());
        assertEquals(24 + 26 + 36 + 20, c.offset());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(Arrays.copyOfRange(r3, 20, r3.length));
        expected.write(record(4, 5));
        assertArrayEquals(expected.toByteArray(), Arrays.copyOfRange(c.body(), 24, c.body().length));
        tail.advance(c);
        assertNull(tail.next(1 << 20));
        // at most max bytes a chunk: a record may be cut between chunks (the controller carries it)
        append(f, record(5, 100));
        LiveTail.Chunk small = tail.next(50);
        assertEquals(50, small.dataLength());
        tail.advance(small);
        assertEquals(66, tail.next(1 << 20).dataLength());
    }

    @Test
    void ring_sendsTheRestOfAClosedFile_thenTheNextFileFromItsFirstRecord() throws Exception {
        Path capture = dir.resolve("ring.cap");
        Path f1 = dir.resolve("ring_000001_20261203T180000.000Z.cap");
        Path other = dir.resolve("other_000009_20261203T180000.000Z.cap"); // another capture's ring: never followed
        append(other, header(), record(9, 9));
        append(f1, header(), record(1, 10));
        LiveTail tail = new LiveTail(capture, true);
        assertNull(tail.next(1 << 20));
        assertEquals(f1, tail.current());
        append(f1, record(2, 10));
        Path f2 = dir.resolve("ring_000002_20261203T180001.000Z.cap");
        append(f2, header(), record(3, 10));
        LiveTail.Chunk rest = tail.next(1 << 20);
        assertEquals(f1.getFileName().toString(), rest.file());
        assertArrayEquals(record(2, 10), Arrays.copyOfRange(rest.body(), 24, rest.body().length));
        tail.advance(rest);
        LiveTail.Chunk next = tail.next(1 << 20);
        assertEquals(f2.getFileName().toString(), next.file());
        assertEquals(24, next.offset(), "the next file from its first record");
        assertArrayEquals(record(3, 10), Arrays.copyOfRange(next.body(), 24, next.body().length));
        tail.advance(next);
        Files.delete(f1); // the ring replaced the old file: no matter
        assertNull(tail.next(1 << 20));
    }
}
