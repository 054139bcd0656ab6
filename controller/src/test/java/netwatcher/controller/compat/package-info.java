/**
 * Compatibility tests: Azure's own clients (the az CLI and the Azure SDK for JavaScript), unchanged,
 * drive a real controller while a {@link netwatcher.controller.compat.Recorder} keeps every request it
 * served, so the tests assert both on what the client printed and on the exact long-running-operation
 * exchange (status codes, Azure-AsyncOperation/Location/Retry-After headers, number of polls) the client
 * went through. The clients are external programs; the tests fail, never skip, when they are missing.
 */
package netwatcher.controller.compat;
