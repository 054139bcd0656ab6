package netwatcher.logging;

import org.slf4j.LoggerFactory;

/** A process that logs one event through the default configuration, for {@link JournalFormTest}. */
public final class JournalProbe {
    private JournalProbe() {}

    public static void main(String[] args) {
        LoggerFactory.getLogger(JournalProbe.class).atInfo().addKeyValue("vm", "db").log("hello");
        LoggerFactory.getLogger(JournalProbe.class).atWarn().log("careful");
        java.util.logging.Logger.getLogger("jul.Library").info("from JUL");
    }
}
