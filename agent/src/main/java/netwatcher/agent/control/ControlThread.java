package netwatcher.agent.control;

/**
 * A background job of the control loop: one named platform daemon thread that runs {@link #loop}
 * until {@link #stop}. Subclasses check {@link #stopped()} between rounds; {@link #stop} also
 * interrupts a wait or a blocking call.
 *
 * <p>Thread-safety: {@link #start}, {@link #stop} and {@link #join} from the owner; {@link #stopped()}
 * from any thread.
 */
abstract class ControlThread {
    private final String name;
    private volatile boolean stopped;
    private Thread thread;

    ControlThread(String name) { this.name = name; }

    /** The job, on its own thread; returns when {@link #stopped()}. */
    abstract void loop();

    final void start() {
        thread = Thread.ofPlatform().name(name).daemon().start(this::loop);
    }

    final boolean stopped() { return stopped; }

    final void stop() {
        stopped = true;
        if (thread != null) thread.interrupt();
    }

    /** Waits up to {@code millis} for the thread to end. */
    final void join(long millis) throws InterruptedException {
        if (thread != null) thread.join(millis);
    }
}
