package netwatcher.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentJvmTest {

    @Test
    void parsesAnArgumentFileWithoutItsComments() {
        assertEquals(List.of("-Xmx20m", "-XX:+UseSerialGC", "-Xss256k", "-Dx=y"),
                AgentJvm.parse("# heading\n-Xmx20m\n\n  -XX:+UseSerialGC   # trailing words\n-Xss256k -Dx=y\n#-Xint\n"));
    }

    @Test
    void theShippedFileCapsTheHeapAndTrimsNativeMemory() {
        List<String> options = AgentJvm.options();
        assertTrue(options.stream().anyMatch(o -> o.startsWith("-Xmx")), options::toString);
        assertTrue(options.contains("-XX:+UseSerialGC"), options::toString);
        assertTrue(options.stream().anyMatch(o -> o.startsWith("-XX:TrimNativeHeapInterval=")), options::toString);
        assertTrue(options.stream().noneMatch(o -> o.contains("#")), options::toString);
    }
}
