package netwatcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreeScanner;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * No cycle between the packages of netwatcher's main code (house style: packages by feature, each
 * depending on the ones below it). A package depends on another when its code names one of that
 * package's classes: an import, or a fully qualified name in the code. Comments and javadoc do not
 * count (a {@code {@link}} is documentation, checked by doclint). Read with javac's parser, like
 * {@link ParameterCountTest}; a cycle is reported with one reference (file and class) for each edge.
 */
class PackageCycleTest {
    /** One package naming another: where (file) and what (the class named). */
    record Edge(String from, String to, String file, String named) {}

    @Test
    void mainCode_ofEveryModule_hasNoCycleBetweenPackages() {
        List<Path> files = ParameterCountTest.mainSources();
        assertTrue(files.size() > 100, "the scan found the modules' main sources: " + files.size());

        List<String> cycles = cycles(parse(files));

        assertEquals("", String.join("\n", cycles), cycles.size() + " package cycles: move the shared type down, or the"
                + " code that needs both packages up, so that dependencies point one way");
    }

    @Test
    void cycles_areFoundThroughImportsAndQualifiedNames_notThroughComments() {
        List<String> cycles = cycles(edges(List.of(
                unit("a/A.java", "package netwatcher.a; import netwatcher.b.B; class A { B b; }"),
                unit("b/B.java", "package netwatcher.b; public class B { Object c = new netwatcher.c.C.Inner(); }"),
                unit("c/C.java", "package netwatcher.c; import static netwatcher.a.A.X; public class C { static class Inner {} }"),
                unit("d/D.java", "package netwatcher.d; /** {@link netwatcher.a.A} */ class D { // netwatcher.a.A\n }"),
                unit("a/A2.java", "package netwatcher.a; import netwatcher.d.*; class A2 {}"))));

        assertEquals(List.of("netwatcher.a -> netwatcher.b (a/A.java names netwatcher.b.B) -> netwatcher.c (b/B.java names"
                + " netwatcher.c.C.Inner) -> netwatcher.a (c/C.java names netwatcher.a.A.X)"), cycles);
    }

    private static SourceUnit unit(String name, String text) {
        return new SourceUnit(name, text);
    }

    private record SourceUnit(String name, String text) {}

    private static List<Edge> edges(List<SourceUnit> units) {
        List<JavaFileObject> objects = new ArrayList<>();
        for (SourceUnit u : units) {
            objects.add(new SimpleJavaFileObject(URI.create("string:///" + u.name()), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) { return u.text(); }
            });
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
            return edgesOf(javac, fm, objects);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Edge> parse(List<Path> files) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8)) {
            return edgesOf(javac, fm, fm.getJavaFileObjectsFromPaths(files));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Edge> edgesOf(JavaCompiler javac, StandardJavaFileManager fm, Iterable<? extends JavaFileObject> files)
            throws IOException {
        StringWriter errors = new StringWriter();
        JavacTask task = (JavacTask) javac.getTask(errors, fm, null, List.of("-proc:none", "--release", "25"), null, files);
        Iterable<? extends CompilationUnitTree> units = task.parse();
        assertEquals("", errors.toString(), "javac could not parse the sources");
        Path root = TestLanesTest.root();
        List<Edge> edges = new ArrayList<>();
        for (CompilationUnitTree unit : units) {
            if (unit.getPackageName() == null) continue;
            String from = unit.getPackageName().toString();
            URI uri = unit.getSourceFile().toUri();
            String file = "file".equals(uri.getScheme()) ? root.relativize(Path.of(uri)).toString() : uri.getPath().substring(1);
            for (ImportTree imported : unit.getImports()) add(edges, from, file, imported.getQualifiedIdentifier().toString());
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitMemberSelect(MemberSelectTree select, Void unused) {
                    add(edges, from, file, select.toString());
                    return null; // the whole chain is one name: its inner selects name only its own prefixes
                }
            }.scan(unit.getTypeDecls(), null);
        }
        return edges;
    }

    /** Records the edge a qualified name makes, when it names a class of another netwatcher package. */
    private static void add(List<Edge> edges, String from, String file, String name) {
        if (!name.startsWith("netwatcher.")) return;
        String[] parts = name.split("\\.");
        List<String> pkg = new ArrayList<>();
        for (String part : parts) {
            if (part.equals("*") || Character.isUpperCase(part.charAt(0))) break;
            pkg.add(part);
        }
        if (pkg.size() == parts.length && !name.endsWith("*")) return; // no class named: a package name alone
        String to = String.join(".", pkg);
        if (!to.equals(from) && !to.isEmpty()) edges.add(new Edge(from, to, file, name));
    }

    /** Each strongly connected set of packages, as one cycle through it with a reference per edge. */
    private static List<String> cycles(List<Edge> edges) {
        Map<String, Map<String, Edge>> graph = new TreeMap<>();
        for (Edge e : edges) {
            graph.computeIfAbsent(e.from(), k -> new TreeMap<>()).putIfAbsent(e.to(), e);
            graph.computeIfAbsent(e.to(), k -> new TreeMap<>());
        }
        List<String> out = new ArrayList<>();
        for (Set<String> component : components(graph)) {
            if (component.size() < 2) continue;
            out.add(describe(graph, component));
        }
        return out;
    }

    /** Tarjan's strongly connected components. */
    private static List<Set<String>> components(Map<String, Map<String, Edge>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> result = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) connect(v, graph, index, low, stack, onStack, result);
        }
        return result;
    }

    private static void connect(String v, Map<String, Map<String, Edge>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> result) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.get(v).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, result);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            result.add(component);
        }
    }

    /** A shortest cycle from the component's first package back to itself, each edge with its reference. */
    private static String describe(Map<String, Map<String, Edge>> graph, Set<String> component) {
        String start = component.iterator().next();
        Map<String, Edge> via = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        Edge closing = null;
        while (!queue.isEmpty() && closing == null) {
            String v = queue.poll();
            for (Edge e : graph.get(v).values()) {
                if (!component.contains(e.to())) continue;
                if (e.to().equals(start)) {
                    closing = e;
                    break;
                }
                if (!via.containsKey(e.to())) {
                    via.put(e.to(), e);
                    queue.add(e.to());
                }
            }
        }
        List<Edge> path = new ArrayList<>();
        for (Edge e = closing; e != null; e = e.from().equals(start) ? null : via.get(e.from())) path.addFirst(e);
        StringBuilder text = new StringBuilder(start);
        for (Edge e : path) text.append(" -> ").append(e.to()).append(" (").append(e.file()).append(" names ").append(e.named()).append(')');
        return text.toString();
    }
}
