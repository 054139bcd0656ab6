package netwatcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Javadoc links cannot rot: the compiler arguments of the root pom (the ones every module's main and
 * test code compiles with, also in {@code ./nw up}'s build) make a link to nothing a compile error.
 * Proved by compiling small sources with exactly those arguments.
 */
class DocLinksTest {
    @TempDir Path dir;

    @Test
    void compile_whenLinkNamesNothing_failsNamingTheReference() throws IOException {
        Result result = compile("Broken", """
                /** Starts like {@link Missing}. */
                final class Broken {
                    /** See {@link #gone()}. */
                    private void present() {}
                }
                """);

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("Broken.java:1: error: reference not found"), result.output());
        assertTrue(result.output().contains("Broken.java:3: error: reference not found"), result.output());
    }

    @Test
    void compile_whenStaleParamOrThrows_fails() throws IOException {
        Result result = compile("Stale", """
                /** @param gone a component that no longer exists */
                record Stale(int kept) {}
                """);

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("@param name not found"), result.output());
    }

    @Test
    void compile_whenLinksResolve_succeeds() throws IOException {
        Result result = compile("Fine", """
                import java.util.List;

                /** Holds a {@link List}; see {@link #size()} and {@link Inner#value}. */
                final class Fine {
                    int size() { return 0; }

                    /** Nested. */
                    static final class Inner { int value; }
                }
                """);

        assertEquals(0, result.exitCode(), result.output());
    }

    private record Result(int exitCode, String output) {}

    private Result compile(String name, String source) throws IOException {
        Path file = Files.writeString(dir.resolve(name + ".java"), source);
        List<String> args = new ArrayList<>(compilerArgs());
        args.addAll(List.of("-d", dir.resolve("classes").toString(), file.toString()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = javac.run(null, out, out, args.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8));
    }

    /** The {@code <arg>}s of the compiler plugin's {@code <compilerArgs>} in the root pom. */
    private static List<String> compilerArgs() throws IOException {
        String pom = Files.readString(TestLanesTest.root().resolve("pom.xml"));
        Matcher block = Pattern.compile("<compilerArgs>(.*?)</compilerArgs>", Pattern.DOTALL).matcher(pom);
        assertTrue(block.find(), "the root pom configures compilerArgs");
        List<String> args = new ArrayList<>();
        Matcher arg = Pattern.compile("<arg>([^<]*)</arg>").matcher(block.group(1));
        while (arg.find()) args.add(arg.group(1));
        assertTrue(args.stream().anyMatch(a -> a.startsWith("-Xdoclint:")), "doclint is on: " + args);
        return args;
    }
}
