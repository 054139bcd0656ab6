/**
 * Fixtures the controller's tests share, so one set-up is written once: a {@link MutableClock} tests move by hand,
 * {@link OneAgentWatcher} (a controller on a temporary data directory with one registered agent and its region's
 * default watcher, started before and closed after a test class), and {@link ScaleSetAgents} (agents joined to one
 * scale set). The heavy ones name {@code TestController}, so the classes using them are in the {@code e2e} lane.
 */
package netwatcher.controller.testsupport;
