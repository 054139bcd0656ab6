package netwatcher.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options an agent process runs with: the Java argument file {@code agent-jvm.options} beside
 * this class (the same file the {@code nw} launcher and the systemd unit pass as {@code @file}), for
 * code that starts agents as child processes (the lab, the benchmarks).
 */
public final class AgentJvm {
    private AgentJvm() {}

    /** The options of {@code agent-jvm.options}, without its comments. */
    public static List<String> options() {
        try (InputStream in = AgentJvm.class.getResourceAsStream("agent-jvm.options")) {
            if (in == null) throw new IllegalStateException("agent-jvm.options is missing from the agent's class path");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Options of an argument file as the java launcher reads it: whitespace-separated, {@code #} to the end of the line is a comment. */
    static List<String> parse(String text) {
        List<String> options = new ArrayList<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String content = hash < 0 ? line : line.substring(0, hash);
            for (String word : content.strip().split("\\s+")) {
                if (!word.isEmpty()) options.add(word);
            }
        }
        return List.copyOf(options);
    }
}
