/**
 * Benchmark harnesses for the numbers of BENCHMARKS.md: the controller's read path
 * ({@link netwatcher.bench.ControllerReadBench}), the delivery latency of agent orders
 * ({@link netwatcher.bench.OrderLatencyBench}), the real agent against {@code tcpdump} in a lab
 * ({@link netwatcher.bench.CaptureBench}) and a capture's start with its one filter compile
 * ({@link netwatcher.bench.CaptureStartBench}). They are programs, not tests: the scripts in {@code bench/}
 * build this module and run them, each run printing its figures next to a reference measured in the
 * same process (so a ratio survives a slower or busier machine), and {@code mvn verify} only compiles
 * them. Every load is bounded in count and time and stays on loopback or inside the benchmark's own lab
 * namespaces. The classes hold no shared state; each {@code main} runs on its own.
 */
package netwatcher.bench;
