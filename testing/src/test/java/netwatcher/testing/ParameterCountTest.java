package netwatcher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;

/**
 * No method or constructor of any module's main code takes more than {@value #MAX_PARAMETERS}
 * parameters: more means a missing object (a record of the values that travel together) or a seam
 * that is too wide (house style). The one exception is the canonical constructor of a record, whose
 * parameters are the record's components; what the compiler generates (bridges, lambdas' bodies,
 * {@code valueOf}) is not in the sources and so never counted.
 *
 * <p>The sources are read by javac's own parser (the {@code com.sun.source} trees), not by a regular
 * expression: generics, annotations, lambdas and nested classes cannot fool it, and it needs no
 * compiled classes, so it judges every module (also those built after this one) in any build order.
 * A violation is reported with its file, line, class and method.
 */
class ParameterCountTest {
    static final int MAX_PARAMETERS = 6;

    /** One method or constructor with too many parameters. */
    record Violation(String file, long line, String owner, String method, int parameters) {
        @Override
        public String toString() {
            return file + ":" + line + " " + owner + "." + method + " takes " + parameters + " parameters";
        }
    }

    @Test
    void mainCode_ofEveryModule_takesAtMostSixParametersPerMethod() {
        List<Path> files = mainSources();
        assertTrue(files.size() > 100, "the scan found the modules' main sources: " + files.size());

        List<Violation> violations = scan(files);

        assertEquals("", String.join("\n", violations.stream().map(Violation::toString).toList()),
                violations.size() + " methods take more than " + MAX_PARAMETERS
                        + " parameters: pass a record of the values that travel together, or split the method");
    }

    @Test
    void scan_countsMethodsConstructorsAndInterfaceMethods() {
        List<Violation> violations = scanText("Wide", """
                import java.util.List;
                import java.util.function.Function;
                class Wide {
                    Wide(int a, int b, int c, int d, int e, int f, int g) {}
                    Wide(int a, int b, int c, int d, int e, int f) {}
                    <T> void generic(List<T> a, java.util.Map<String, List<T>> b, int c, int d, int e, int f, T... g) {}
                    void six(int a, int b, int c, int d, int e, int f) {
                        Function<Integer, Integer> lambda = x -> x;
                    }
                    class Inner {
                        Inner(int a, int b, int c, int d, int e, int f, @Deprecated int g) {}
                    }
                    interface Port {
                        void call(int a, int b, int c, int d, int e, int f, int g);
                    }
                    enum Kind { A, B; void wide(int a, int b, int c, int d, int e, int f, int g) {} }
                }
                """);

        assertEquals(List.of(
                "Wide.java:4 Wide.<init> takes 7 parameters",
                "Wide.java:6 Wide.generic takes 7 parameters",
                "Wide.java:11 Wide.Inner.<init> takes 7 parameters",
                "Wide.java:14 Wide.Port.call takes 7 parameters",
                "Wide.java:16 Wide.Kind.wide takes 7 parameters"), violations.stream().map(Violation::toString).toList());
    }

    @Test
    void scan_exemptsTheCanonicalConstructorOfRecordsOnly() {
        List<Violation> violations = scanText("Rows", """
                import java.util.List;
                class Rows {
                    record Implicit(int a, int b, int c, int d, int e, int f, int g) {}
                    record Compact(int a, int b, int c, int d, int e, int f, List<String> g) {
                        Compact { g = List.copyOf(g); }
                    }
                    record Explicit(int a, int b, int c, int d, int e, int f, int... g) {
                        Explicit(int a, int b, int c, int d, int e, int f, int... g) { this.a = a; this.b = b; this.c = c;
                            this.d = d; this.e = e; this.f = f; this.g = g; }
                        static final int SHARED = 1;
                    }
                    record Secondary(int a, int b, int c, int d, int e, int f, int g) {
                        Secondary(long a, int b, int c, int d, int e, int f, int g) { this((int) a, b, c, d, e, f, g); }
                        static Secondary of(int a, int b, int c, int d, int e, int f, int g) { return null; }
                    }
                }
                """);

        assertEquals(List.of(
                "Rows.java:13 Rows.Secondary.<init> takes 7 parameters",
                "Rows.java:14 Rows.Secondary.of takes 7 parameters"), violations.stream().map(Violation::toString).toList());
    }

    /** Every {@code *.java} under {@code <module>/src/main/java} of every module of the repository. */
    static List<Path> mainSources() {
        Path root = TestLanesTest.root();
        try (Stream<Path> modules = Files.list(root)) {
            List<Path> files = new ArrayList<>();
            for (Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))).sorted().toList()) {
                Path main = module.resolve("src/main/java");
                if (!Files.isDirectory(main)) continue;
                try (Stream<Path> walk = Files.walk(main)) {
                    walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Violation> scan(List<Path> files) {
        return SourceTrees.ofFiles(files, ParameterCountTest::violations);
    }

    static List<Violation> scanText(String className, String source) {
        return SourceTrees.ofTexts(Map.of(className + ".java", source), ParameterCountTest::violations);
    }

    /** Walks every class of the parsed units, nested and local ones included. */
    private static List<Violation> violations(SourceTrees.Parsed parsed) {
        SourcePositions positions = Trees.instance(parsed.task()).getSourcePositions();
        Iterable<? extends CompilationUnitTree> units = parsed.units();
        List<Violation> violations = new ArrayList<>();
        for (CompilationUnitTree unit : units) {
            String file = SourceTrees.fileName(unit);
            new TreePathScanner<Void, Void>() {
                private final Deque<ClassTree> classes = new ArrayDeque<>();

                @Override
                public Void visitClass(ClassTree tree, Void unused) {
                    classes.push(tree);
                    try {
                        return super.visitClass(tree, unused);
                    } finally {
                        classes.pop();
                    }
                }

                @Override
                public Void visitMethod(MethodTree method, Void unused) {
                    int count = method.getParameters().size();
                    if (count > MAX_PARAMETERS && !isCanonicalConstructor(classes.peek(), method)) {
                        long line = unit.getLineMap().getLineNumber(positions.getStartPosition(unit, method));
                        violations.add(new Violation(file, line, ownerName(), method.getName().toString(), count));
                    }
                    return super.visitMethod(method, unused);
                }

                private String ownerName() {
                    List<String> names = new ArrayList<>();
                    classes.descendingIterator().forEachRemaining(c -> names.add(c.getSimpleName().isEmpty() ? "<anonymous>" : c.getSimpleName().toString()));
                    return String.join(".", names);
                }
            }.scan(unit, null);
        }
        return violations;
    }

    /**
     * Whether {@code method} is the canonical constructor of the record {@code owner}: its parameter types
     * are the record's components (a record declares no instance fields but those, and javac's parser gives a
     * compact constructor the components as parameters).
     */
    static boolean isCanonicalConstructor(ClassTree owner, MethodTree method) {
        if (owner == null || owner.getKind() != Tree.Kind.RECORD || !method.getName().contentEquals("<init>")) return false;
        List<String> components = owner.getMembers().stream()
                .filter(m -> m instanceof VariableTree v && !v.getModifiers().getFlags().contains(Modifier.STATIC))
                .map(m -> typeText(((VariableTree) m).getType())).toList();
        List<String> parameters = method.getParameters().stream().map(p -> typeText(p.getType())).toList();
        return components.equals(parameters);
    }

    private static String typeText(Tree type) {
        return type.toString().replace(" ", "");
    }
}
