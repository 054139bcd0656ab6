package netwatcher.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's start-up configuration for every process with netwatcher-logging on its class path
 * ({@code META-INF/services}): {@link Logging}'s stderr output in {@link Logging#defaultFormat()},
 * before any command line is read, so even the first events are one line each. Commands with a
 * {@code --log-format} call {@link Logging#configure} again. When the operator names a Logback file
 * ({@code -Dlogback.configurationFile=}), this steps aside and Logback reads that file.
 *
 * <p>Thread-safety: Logback calls it once, from the thread that logs first.
 */
public final class NetwatcherConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (operatorFileGiven()) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        Logging.configure(context, Logging.defaultFormat());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static boolean operatorFileGiven() {
        return System.getProperty("logback.configurationFile") != null;
    }
}
