package netwatcher.controller.agents;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The wake-ups of this controller's parked long-polls, per VM: a counter and a condition each. A poll reads the
 * counter ({@link #count}) before it reads its orders and then waits for it to move ({@link #await}), so a wake-up
 * that comes between the read and the wait is never lost. Only this controller's polls: reaching the other
 * controllers of a cluster is {@link Presence#signal}'s part. Thread-safe.
 */
final class Wakeups {
    private static final class Signal {
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        long version;
    }

    private final Map<String, Signal> signals = new ConcurrentHashMap<>();

    /** Wakes the long-polls of {@code vmKey} parked here. */
    void wake(String vmKey) {
        Signal s = signal(vmKey);
        s.lock.lock();
        try {
            s.version++;
            s.changed.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    /** The number of wake-ups of {@code vmKey} so far. */
    long count(String vmKey) {
        Signal s = signal(vmKey);
        s.lock.lock();
        try {
            return s.version;
        } finally {
            s.lock.unlock();
        }
    }

    /** Waits up to {@code max} until {@code vmKey} had more wake-ups than {@code seen}. */
    void await(String vmKey, long seen, Duration max) throws InterruptedException {
        Signal s = signal(vmKey);
        s.lock.lock();
        try {
            long nanos = max.toNanos();
            while (s.version == seen && nanos > 0) nanos = s.changed.awaitNanos(nanos);
        } finally {
            s.lock.unlock();
        }
    }

    /** Wakes every long-poll parked here. */
    void wakeAll() {
        for (String vmKey : signals.keySet()) wake(vmKey);
    }

    private Signal signal(String vmKey) {
        return signals.computeIfAbsent(vmKey, k -> new Signal());
    }
}
