/**
 * The CLI's own small JSON files (the login in {@code ~/.config/netwatcher/config.json}, a controller's
 * {@code controller.json}) and the CLI's one JSON mapper: files read as trees and mapped field by
 * field, written atomically with mode 0600. No data binding on the path of a routine call: building
 * Jackson's record deserializers cost each {@code nw} call about 60 ms of CPU (BENCHMARKS.md §6).
 */
package netwatcher.cli.store;
