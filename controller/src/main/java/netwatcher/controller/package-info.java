/**
 * The controller: {@link netwatcher.controller.Controller} wires the features (subscriptions,
 * watchers, compute, agents, capture, operations, storage) onto the HTTP edge, the database and
 * the security layer, from one validated {@link netwatcher.controller.ControllerConfig}.
 */
package netwatcher.controller;
