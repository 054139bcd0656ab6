package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code nw watcher packet-capture stream} without a controller: the terminal refusal and the progress counts. */
class StreamCommandTest {

    static byte[] block(int type, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        int length = 12 + ((t.length + 3) & ~3);
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(length).put(t);
        b.putInt(length - 4, length);
        return b.array();
    }

    @Test
    void aTerminalStdout_isRefusedWithTheHintToPipe() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new StreamCommand() {
            @Override
            protected boolean stdoutIsTerminal() { return true; }
        });
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("-n", "pc1");
        assertEquals(ExitCodes.USAGE, exit);
        assertTrue(err.toString().contains("| tshark -r -"), err.toString());
    }

    @Test
    void counter_countsPacketsAndTheMissedTheStreamNames_acrossReadsThatCutBlocks() {
        StreamCommand.Counter c = new StreamCommand.Counter();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.writeBytes(block(0x0A0D0D0A, "shb"));
        all.writeBytes(block(1, "idb"));
        all.writeBytes(block(6, "packet one"));
        all.writeBytes(block(6, "packet two netwatcher: 17 packets missed before this one"));
        all.writeBytes(block(6, "packet three netwatcher: 3 packets missed before this one"));
        all.writeBytes(block(5, "isb"));
        byte[] bytes = all.toByteArray();
        for (int i = 0; i < bytes.length; i += 7) {
            byte[] part = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 7));
            c.scan(part, part.length);
        }
        assertEquals(3, c.packets);
        assertEquals(20, c.missed);
    }
}
