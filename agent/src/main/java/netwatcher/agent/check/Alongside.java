package netwatcher.agent.check;

import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * Runs a part's independent host work (a route lookup, an nftables trace's start, a next hop) on a new platform
 * thread started from the part's own thread, so it runs in the same network namespace while the part goes on: each
 * host command costs a process start, and these need not wait for each other.
 */
final class Alongside {
    private Alongside() {}

    /** Starts {@code work} now; its result (or failure) is the task's. */
    static <T> FutureTask<T> start(Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread.ofPlatform().daemon().name("nw-agent-check-prepare").start(task);
        return task;
    }
}
