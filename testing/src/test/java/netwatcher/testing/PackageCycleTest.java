package netwatcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.util.TreeScanner;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("a/A.java", "package netwatcher.a; import netwatcher.b.B; class A { B b; }");
        sources.put("b/B.java", "package netwatcher.b; public class B { Object c = new netwatcher.c.C.Inner(); }");
        sources.put("c/C.java", "package netwatcher.c; import static netwatcher.a.A.X; public class C { static class Inner {} }");
        sources.put("d/D.java", "package netwatcher.d; /** {@link netwatcher.a.A} */ class D { // netwatcher.a.A\n }");
        sources.put("a/A2.java", "package netwatcher.a; import netwatcher.d.*; class A2 {}");
        List<String> cycles = cycles(edges(sources));

        assertEquals(List.of("netwatcher.a -> netwatcher.b (a/A.java names netwatcher.b.B) -> netwatcher.c (b/B.java names"
                + " netwatcher.c.C.Inner) -> netwatcher.a (c/C.java names netwatcher.a.A.X)"), cycles);
    }

    private static List<Edge> edges(Map<String, String> sources) {
        return SourceTrees.ofTexts(sources, PackageCycleTest::edgesOf);
    }

    private static List<Edge> parse(List<Path> files) {
        return SourceTrees.ofFiles(files, PackageCycleTest::edgesOf);
    }

    private static List<Edge> edgesOf(SourceTrees.Parsed parsed) {
        List<Edge> edges = new ArrayList<>();
        for (CompilationUnitTree unit : parsed.units()) {
            if (unit.getPackageName() == null) continue;
            String from = unit.getPackageName().toString();
            String file = SourceTrees.fileName(unit);
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
