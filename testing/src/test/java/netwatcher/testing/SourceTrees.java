package netwatcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Java sources read by javac's own parser (the {@code com.sun.source} trees; no attribution, no class
 * path), for the build checks that judge the code itself ({@link ParameterCountTest},
 * {@link PackageCycleTest}).
 */
final class SourceTrees {
    /** What the parser gave: its task (for source positions) and the compilation units. */
    record Parsed(JavacTask task, List<CompilationUnitTree> units) {}

    private SourceTrees() {}

    /** Parses {@code files} and hands the result to {@code use}; a file javac cannot parse fails the test. */
    static <T> T ofFiles(List<Path> files, Function<Parsed, T> use) {
        return parse(fm -> fm.getJavaFileObjectsFromPaths(files), use);
    }

    /** Parses in-memory sources, keyed by their file name (e.g. {@code a/A.java}), in the map's order. */
    static <T> T ofTexts(Map<String, String> sources, Function<Parsed, T> use) {
        List<JavaFileObject> objects = new ArrayList<>();
        sources.forEach((name, text) -> objects.add(new SimpleJavaFileObject(URI.create("string:///" + name), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) { return text; }
        }));
        return parse(fm -> objects, use);
    }

    /** A unit's file: relative to the repository for a file on disk, else its in-memory name. */
    static String fileName(CompilationUnitTree unit) {
        URI uri = unit.getSourceFile().toUri();
        return "file".equals(uri.getScheme()) ? TestLanesTest.root().relativize(Path.of(uri)).toString() : uri.getPath().substring(1);
    }

    private static <T> T parse(Function<StandardJavaFileManager, Iterable<? extends JavaFileObject>> files, Function<Parsed, T> use) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
            StringWriter errors = new StringWriter();
            JavacTask task = (JavacTask) javac.getTask(errors, fm, null, List.of("-proc:none", "--release", "25"), null, files.apply(fm));
            List<CompilationUnitTree> units = new ArrayList<>();
            task.parse().forEach(units::add);
            assertEquals("", errors.toString(), "javac could not parse the sources");
            return use.apply(new Parsed(task, units));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
