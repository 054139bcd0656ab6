package netwatcher.controller.db;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test method once per engine, {@code [H2]} and {@code [POSTGRESQL]}, each time
 * with a fresh, migrated, empty database. Parameters it can inject: {@link Database} (opened with
 * the classpath migrations, closed after the test), {@link TestDatabase} (to open more connections
 * to the same database, reopen it, or open it with other migrations) and {@link Dialect}.
 *
 * <pre>{@code
 * class AgentRepositoryTest {
 *     @DatabaseTest
 *     void find_whenSaved_returnsAgent(Database db) { ... }
 * }
 * }</pre>
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(DatabaseEngineExtension.class)
public @interface DatabaseTest {}
