package netwatcher.controller.db;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Behind {@link DatabaseTest}: one invocation per {@link Dialect}, each resolving {@link Database},
 * {@link TestDatabase} and {@link Dialect} parameters to a fresh database that is closed (and, for
 * H2, deleted) after the invocation through JUnit's extension store.
 *
 * <p>In the fast lane (configuration parameter or system property {@code nw.test.lane=fast}, set by
 * the Maven profile {@code fast}) the {@code [POSTGRESQL]} invocations are skipped: they need a
 * PostgreSQL server, an external program. The full lane runs both engines.
 */
public final class DatabaseEngineExtension implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(DatabaseTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Arrays.stream(Dialect.values()).map(EngineInvocation::new);
    }

    private record EngineInvocation(Dialect dialect) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + dialect + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return dialect == Dialect.POSTGRESQL ? List.of(new Resolver(dialect), new FullLaneOnly())
                    : List.of(new Resolver(dialect));
        }
    }

    /** Skips an invocation that needs an external server when the fast lane runs. */
    private record FullLaneOnly() implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter("nw.test.lane").filter("fast"::equals).isPresent()
                    ? ConditionEvaluationResult.disabled("PostgreSQL runs in the full lane (./nw test); the fast lane runs H2 only")
                    : ConditionEvaluationResult.enabled("full lane");
        }
    }

    private record Resolver(Dialect dialect) implements ParameterResolver {
        private static final ExtensionContext.Namespace NAMESPACE =
                ExtensionContext.Namespace.create(DatabaseEngineExtension.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == Database.class || type == TestDatabase.class || type == Dialect.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            if (type == Dialect.class) {
                return dialect;
            }
            TestDatabase testDatabase = context.getStore(NAMESPACE)
                    .getOrComputeIfAbsent("testDatabase", key -> TestDatabase.create(dialect), TestDatabase.class);
            if (type == TestDatabase.class) {
                return testDatabase;
            }
            return context.getStore(NAMESPACE).getOrComputeIfAbsent("database", key -> testDatabase.open(), Database.class);
        }
    }
}
