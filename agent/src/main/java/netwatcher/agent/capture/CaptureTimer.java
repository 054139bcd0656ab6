package netwatcher.agent.capture;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one platform thread that fires time limits, drain deadlines and flush wake-ups for every
 * session. Its tasks only call {@code pcap_breakloop} or set flags, so one thread serves any number
 * of sessions. It is started eagerly (from {@link CaptureEngine}'s initialiser) so that it lives in
 * the network namespace of the thread that first touches the capture engine, not in whatever
 * namespace a later caller happens to be in.
 */
final class CaptureTimer {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureTimer.class);
    private static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("netwatcher-capture-timer").daemon(true).factory());

    static {
        EXECUTOR.setRemoveOnCancelPolicy(true);
        EXECUTOR.prestartAllCoreThreads();
    }

    private CaptureTimer() {}

    /** Forces class initialisation (and so the start of the timer thread). */
    static void start() {}

    static ScheduledFuture<?> once(Runnable task, Duration delay) {
        return EXECUTOR.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    static ScheduledFuture<?> every(Runnable task, Duration period) {
        return EXECUTOR.scheduleAtFixedRate(guarded(task), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("capture timer task failed", e); // timer tasks catch their own faults: a bug
            }
        };
    }
}
