package netwatcher.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CheckProgressTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode status(String json) throws Exception { return JSON.readTree(json); }

    static final String PROBING = """
            {"status":"InProgress","percentComplete":39.0,"properties":{"phase":"probing","probesSent":40,"probesFailed":2,
             "hops":[{"ttl":1,"address":"198.18.1.1"},{"ttl":2,"address":null}]}}""";

    @Test
    void terminal_growsAndShrinksThePanelInPlace() throws Exception {
        StringWriter w = new StringWriter();
        CheckProgress p = new CheckProgress(new PrintWriter(w), true, "db");
        p.update(status("{\"status\":\"InProgress\",\"percentComplete\":0,\"properties\":{\"phase\":\"observing\",\"probesSent\":0,"
                + "\"probesFailed\":0,\"hops\":[]}}"));
        String first = w.toString();
        assertFalse(first.contains("\033[2A") || first.contains("\033[4A"), "the first draw does not move up: " + first);
        assertTrue(first.contains("check to db  observing  [....................] 0%"), first);
        w.getBuffer().setLength(0);
        p.update(status(PROBING));
        String second = w.toString();
        assertTrue(second.startsWith("\033[2A"), "up over the two lines drawn: " + second);
        assertTrue(second.contains("  probes 40 sent, 2 failed"), second);
        assertTrue(second.contains("  hop  1  198.18.1.1") && second.contains("  hop  2  *"), second);
        w.getBuffer().setLength(0);
        p.finish(status("{\"connectionStatus\":\"Degraded\",\"probesSent\":100,\"probesFailed\":2,"
                + "\"hops\":[{\"type\":\"Source\",\"address\":\"198.18.1.10\"},{\"type\":\"VnetLocal\",\"address\":\"198.18.3.10\"}]}"));
        String end = w.toString();
        assertTrue(end.startsWith("\033[4A"), "up over the four lines drawn: " + end);
        assertTrue(end.contains("check to db  done  [####################] 100%"), end);
        assertTrue(end.contains("  probes 100 sent, 2 failed   Degraded"), end);
        assertTrue(end.contains("  hop  1  198.18.3.10"), end);
        assertEquals(4, end.split("\033\\[2K", -1).length - 1, "the shorter panel erases the old fourth line: " + end);
    }

    @Test
    void plain_oneLinePerChange_noEscapes_terminalStatusLeftToFinish() throws Exception {
        StringWriter w = new StringWriter();
        CheckProgress p = new CheckProgress(new PrintWriter(w), false, "db");
        p.update(status(PROBING));
        p.update(status(PROBING));
        p.update(status("{\"status\":\"Succeeded\"}"));
        p.finish(status("{\"connectionStatus\":\"Reachable\",\"probesSent\":100,\"probesFailed\":0,\"hops\":[{\"address\":\"198.18.1.10\"}]}"));
        assertEquals("""
                check db probing 39% probes=40 failed=2 hops=198.18.1.1,*
                check db done Reachable 100% probes=100 failed=0
                """, w.toString());
    }

    @Test
    void foreignEndpoint_withStatusOnly_showsTheStatus() throws Exception {
        StringWriter w = new StringWriter();
        CheckProgress p = new CheckProgress(new PrintWriter(w), false, "web");
        p.update(status("{\"status\":\"InProgress\"}"));
        assertEquals("check web InProgress\n", w.toString());
    }
}
