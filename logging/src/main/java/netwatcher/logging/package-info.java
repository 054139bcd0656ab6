/**
 * The one log output of netwatcher's processes. Every module logs through SLF4J 2 (fluent calls with
 * {@code addKeyValue} for the context: {@code capture=}, {@code vm=}, {@code agent=}, {@code request=},
 * {@code op=}, {@code check=}); this package is the backend the runnable parts ({@code nw}, the agent's
 * {@code AgentMain}) carry: Logback with two layouts written here, {@link netwatcher.logging.LineLayout}
 * (one line per event: time, level, component, message, key=value) and
 * {@link netwatcher.logging.JsonLineLayout} (one JSON object per line), to stderr only. JUL is bridged
 * (jul-to-slf4j) so the JDK's, H2's and other libraries' events land in the same stream and format;
 * Jetty and HikariCP log through SLF4J already. {@link netwatcher.logging.Logging} is the one place
 * that decides format, levels and the systemd-journal form; docs/architecture.md ("Logs") shows the
 * formats.
 */
package netwatcher.logging;
